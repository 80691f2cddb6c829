# SPDX-License-Identifier: Apache-2.0
"""fmr-isolate CMD ARGS...: fromager's network-isolation wrapper contract,
with the whole sandbox behind it.

CMD runs in the caller's working directory with the caller's environment
(filtered by `fmr-run spec --pass-env`) and fmr-isolate exits with CMD's
status (128+N when it died of signal N, 124 on timeout, 125 when the
sandbox could not be built or a step changed the build venv).  The working
directory is writable (checked by its real path: never a home, /tmp itself
or a path reached through a link a step could have made); every python the
command runs and its venv are read-only and checked after the step; a PEP
517 in-process hook call gets its control directory and a per-step output
folder, moved into the real output directory afterwards.  Everything else
is the default sandbox.  Keep FMR_ISOLATE_RW empty: a wider writable tree
(the whole work dir, the wheel repository) lets one step prepare the next.

Settings (environment variables, or the JSON file FMR_ISOLATE_CONFIG names;
a variable beats the file):

  FMR_ISOLATE_RW        paths made writable, separated by ':'   ("rw": [...])
  FMR_ISOLATE_RO        paths made readable, separated by ':'   ("ro": [...])
  FMR_ISOLATE_NETWORK   1/on/true: share the host's network     ("network": bool)
  FMR_ISOLATE_TIMEOUT   seconds before the step is stopped      ("timeout": number)
  FMR_ISOLATE_HOME      HOME inside (made writable); default /tmp ("home": path)
  FMR_ISOLATE_KEEP_ENV  keep_env patterns, comma-separated      ("keep_env": [...])
  FMR_ISOLATE_DELETE_ENV delete_env patterns, comma-separated   ("delete_env": [...])
  FMR_ISOLATE_CONFIG    the JSON file above
  FMR_RUN               the fmr-run binary (default: on PATH)
  FMR_KEEP_BUNDLE       1: keep the bundle directory and log where it is
"""

import json
import logging
import os
import shutil
import subprocess
import sys
from typing import Dict, List, Optional

from . import bundle, guard
from .step import EXIT_FMR_FAILED, run_step, split_names

PROG = "fmr-isolate"
_TRUE = ("1", "on", "true", "yes")
_FALSE = ("", "0", "off", "false", "no")


class SettingsError(ValueError):
    pass


def _load_file(environ: Dict[str, str]) -> dict:
    path = environ.get("FMR_ISOLATE_CONFIG")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise SettingsError("FMR_ISOLATE_CONFIG %s: %s" % (path, e))
    if not isinstance(data, dict):
        raise SettingsError("FMR_ISOLATE_CONFIG %s: not a JSON object" % path)
    known = {"rw", "ro", "network", "timeout", "home", "keep_env", "delete_env"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError("FMR_ISOLATE_CONFIG %s: unknown keys %s" % (path, ", ".join(unknown)))
    return data


def _flag(name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise SettingsError("%s=%r: expected 1 or 0" % (name, value))


def load_settings(environ: Dict[str, str]) -> dict:
    """The policy from FMR_ISOLATE_CONFIG and the FMR_ISOLATE_* variables."""
    s = {"rw": [], "ro": [], "network": False, "timeout": None, "home": None,
         "keep_env": [], "delete_env": []}
    s.update(_load_file(environ))
    for key in ("rw", "ro"):
        value = environ.get("FMR_ISOLATE_" + key.upper())
        if value is not None:
            s[key] = [p for p in value.split(":") if p]
    for key in ("keep_env", "delete_env"):
        value = environ.get("FMR_ISOLATE_" + key.upper())
        if value is not None:
            s[key] = list(split_names(value))
    if "FMR_ISOLATE_NETWORK" in environ:
        s["network"] = _flag("FMR_ISOLATE_NETWORK", environ["FMR_ISOLATE_NETWORK"])
    if environ.get("FMR_ISOLATE_TIMEOUT"):
        try:
            s["timeout"] = float(environ["FMR_ISOLATE_TIMEOUT"])
        except ValueError:
            raise SettingsError("FMR_ISOLATE_TIMEOUT=%r: not a number" % environ["FMR_ISOLATE_TIMEOUT"])
    if environ.get("FMR_ISOLATE_HOME"):
        s["home"] = environ["FMR_ISOLATE_HOME"]
    return s


def plan(argv: List[str], environ: Dict[str, str], cwd: str) -> dict:
    """The arguments of run_step for `fmr-isolate ARGV` (without running it).
    Only the working directory (the package's own source tree, in
    fromager's calls) is writable by default, checked by its real path; a
    PEP 517 hook's output goes to a per-step folder (run_step)."""
    s = load_settings(environ)
    writable: List[str] = list(s["rw"])
    tmpfs: List[str] = []
    try:
        guard.check_path(cwd, writable=True)
        writable.append(cwd)
    except bundle.BundleError as e:
        try:
            guard.check_path(cwd, writable=False)  # a system directory: seen read-only
        except bundle.BundleError:
            # Never a home, the shared /tmp or a path reached through a
            # link a step could plant: an empty private directory there.
            logging.getLogger("fmr_sandbox").warning(
                "%s: working directory %s: %s: an empty private directory takes its place", PROG, cwd, e)
            tmpfs.append(cwd)
    if s["home"]:
        writable.append(s["home"])
    # fromager's layout: work-dir/NAME-VERSION/{NAME-VERSION (cwd), build-PYVER}.
    # Every venv beside the working directory is read-only and checked
    # after the step, whatever the command.
    venvs = _sibling_venvs(cwd)
    return dict(args=argv, cwd=cwd, env=environ, writable=writable, readonly=list(s["ro"]), tmpfs=tmpfs,
                venvs=venvs, pythons=[os.path.join(v, "bin", "python") for v in venvs
                                      if os.path.exists(os.path.join(v, "bin", "python"))],
                network=s["network"], timeout=s["timeout"], keep_env=s["keep_env"], delete_env=s["delete_env"],
                home=s["home"])


def _sibling_venvs(cwd: str) -> List[str]:
    parent = os.path.dirname(os.path.abspath(cwd))
    found = []
    try:
        names = sorted(os.listdir(parent))
    except OSError:
        return found
    for name in names:
        path = os.path.join(parent, name)
        if not os.path.islink(path) and os.path.isfile(os.path.join(path, "pyvenv.cfg")):
            found.append(path)
    return found


def _stdin():
    """The caller's stdin, except a terminal (a build step has no business
    reading or driving it): /dev/null then."""
    try:
        return subprocess.DEVNULL if os.isatty(0) else None
    except OSError:
        return subprocess.DEVNULL


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(format="%(message)s", level=logging.WARNING)
    if not argv or argv[0] in ("-h", "--help"):
        sys.stderr.write("usage: %s COMMAND [ARGS...]\n%s" % (PROG, __doc__.split("\n", 1)[1]))
        return 2 if not argv else 0
    try:
        kwargs = plan(argv, dict(os.environ), os.getcwd())
        done = run_step(stdin=_stdin(), **kwargs)
    except (SettingsError, bundle.BundleError, guard.VenvChanged, ValueError, OSError) as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        return EXIT_FMR_FAILED
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
