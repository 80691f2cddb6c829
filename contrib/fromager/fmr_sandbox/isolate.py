# SPDX-License-Identifier: Apache-2.0
"""fmr-isolate CMD ARGS...: fromager's network-isolation wrapper contract,
with the whole sandbox behind it.

CMD runs in the caller's working directory with the caller's environment
(filtered) and fmr-isolate exits with CMD's status (128+N when it died of
signal N, 124 on timeout, 125 when the sandbox could not be built).  The
working directory is writable; when CMD is a PEP 517 in-process hook call,
its control directory and output directory are writable and its script,
venv and interpreter readable.  Everything else is the default sandbox.

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

from . import bundle, hookcall
from .envfilter import split_names
from .step import EXIT_FMR_FAILED, run_step, settings_filter

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
    """The arguments of run_step for `fmr-isolate ARGV` (without running it)."""
    s = load_settings(environ)
    writable: List[str] = list(s["rw"])
    readonly: List[str] = list(s["ro"])
    tmpfs: List[str] = []
    why = bundle.unsafe_writable(cwd)
    private = bundle.home_reason(cwd) or (why if why and why.startswith("a temporary") else None)
    if why is None:
        writable.append(cwd)
    elif private:
        # Never the caller's home nor the shared /tmp: an empty private
        # directory at the same path instead.
        logging.getLogger("fmr_sandbox").warning(
            "%s: working directory %s is %s: an empty private directory takes its place",
            PROG, cwd, private)
        tmpfs.append(cwd)
    # else: / or a system directory, seen read-only (or not at all) inside
    call = hookcall.detect(argv)
    if call is not None:
        writable += call.writable
        readonly += call.readonly
    else:
        readonly += _command_interpreters(argv[0], environ)
    home = s["home"] or "/tmp"
    if s["home"]:
        writable.append(s["home"])
    return dict(args=argv, cwd=cwd, env=environ, writable=writable, readonly=readonly, tmpfs=tmpfs,
                network=s["network"], timeout=s["timeout"],
                env_filter=settings_filter(environ, s["keep_env"], s["delete_env"]),
                set_env={"HOME": home, "TMPDIR": "/tmp"})


def _command_interpreters(cmd: str, environ: Dict[str, str]) -> List[str]:
    """Read-only paths for a command that is, or is installed in, a Python
    venv (python, venv/bin/wheel, ...), and for the active VIRTUAL_ENV."""
    found: List[str] = []
    path = cmd if os.sep in cmd else shutil.which(cmd, path=environ.get("PATH")) or cmd
    pythons = []
    if os.path.basename(path).startswith("python"):
        pythons.append(path)
    venv = os.path.dirname(os.path.dirname(os.path.abspath(path)))
    if os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
        pythons.append(os.path.join(venv, "bin", "python"))
    active = environ.get("VIRTUAL_ENV")
    if active and os.path.isfile(os.path.join(active, "pyvenv.cfg")):
        pythons.append(os.path.join(active, "bin", "python"))
    for python in pythons:
        if os.path.exists(python):
            found += bundle.interpreter_paths(python)
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
    except (SettingsError, bundle.BundleError, OSError) as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        return EXIT_FMR_FAILED
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
