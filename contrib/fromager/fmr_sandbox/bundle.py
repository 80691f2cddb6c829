# SPDX-License-Identifier: Apache-2.0
"""Write an fmr-run bundle (config.json + rootfs/) for one build step.

The sandbox is the one `fmr-run spec` writes, and only spec writes it: the
namespaces, mounts, seccomp profile and rlimits, the environment filter
(an allow-list of build settings, URL credentials removed, keep_env,
delete_env and FROMAGER_SCRUB_ENV_VARS), the interpreter's read-only paths
(--python), HOME and TMPDIR.  This module only turns a step's needs into
spec's options, after checking every path it names (guard.py).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from typing import Iterable, List, Mapping, Optional, Sequence

from .guard import BundleError, check_bundle_dir, check_path  # noqa: F401 (BundleError re-exported)
from .shipped import shipped_fmr_run

ANNOTATION_TIMEOUT = "run.fmr.timeout"


def find_fmr_run(explicit: Optional[str] = None) -> str:
    """The fmr-run binary: EXPLICIT, the one installed with this package
    (shipped.py), $FMR_RUN, or the first on PATH."""
    candidate = explicit or shipped_fmr_run() or os.environ.get("FMR_RUN") or shutil.which("fmr-run")
    if not candidate:
        raise FileNotFoundError("fmr-run not found: set FMR_RUN or put it on PATH")
    return candidate


def format_seconds(seconds: float) -> str:
    if seconds <= 0:
        raise BundleError("timeout must be positive, not %r" % seconds)
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


def spec_options(
    *,
    cwd: str,
    writable: Iterable[str] = (),
    readonly: Iterable[str] = (),
    tmpfs: Iterable[str] = (),
    pythons: Iterable[str] = (),
    venvs: Iterable[str] = (),
    network: bool = False,
    timeout: Optional[float] = None,
    keep_env: Sequence[str] = (),
    delete_env: Sequence[str] = (),
    set_env: Optional[Mapping[str, str]] = None,
    home: Optional[str] = None,
    tmpdir: Optional[str] = None,
    uid: Optional[int] = None,
    gid: Optional[int] = None,
    bundle_dir: Optional[str] = None,
) -> List[str]:
    """`fmr-run spec` options for one step.  Every writable and readable
    path is checked by its real path first (guard.check_path) and given to
    spec as that real path."""
    opts = ["--pass-env"]
    for path in writable:
        opts += ["--rw", check_path(path, writable=True, bundle_dir=bundle_dir)]
    for path in readonly:
        opts += ["--ro", check_path(path, writable=False, bundle_dir=bundle_dir)]
    for venv in venvs:
        opts += ["--ro", check_path(venv, writable=False, bundle_dir=bundle_dir)]
    for python in pythons:
        opts += ["--python", python]
    for path in tmpfs:
        opts += ["--tmpfs", os.path.abspath(path)]
    for pattern in keep_env:
        opts += ["--keep-env", pattern]
    for pattern in delete_env:
        opts += ["--delete-env", pattern]
    for name, value in (set_env or {}).items():
        opts += ["--env", "%s=%s" % (name, value)]
    if home:
        opts += ["--home", home]
    if tmpdir:
        opts += ["--tmpdir", tmpdir]
    if uid is not None:
        opts += ["--uid", str(uid)]
    if gid is not None:
        opts += ["--gid", str(gid)]
    if network:
        opts.append("--network")
    if timeout is not None:
        opts += ["--timeout", format_seconds(timeout)]
    opts += ["--cwd", os.path.abspath(cwd)]
    return opts


def emit(bundle_dir: str, args: Sequence[str], *, env: Mapping[str, str], fmr_run: Optional[str] = None,
         **options) -> str:
    """Write BUNDLE_DIR with `fmr-run spec`; ENV is the environment the
    caller would give the command (spec filters it).  Returns config.json's
    path."""
    if not args:
        raise BundleError("process.args: no command")
    check_bundle_dir(bundle_dir)
    opts = spec_options(bundle_dir=bundle_dir, **options)
    cmd = [find_fmr_run(fmr_run), "spec", "--force"] + opts + [bundle_dir, "--"] + [os.fsdecode(a) for a in args]
    done = subprocess.run(cmd, env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise BundleError(done.stderr.strip() or "fmr-run spec failed (exit status %d)" % done.returncode)
    _pass_on_notes(done.stderr)
    return os.path.join(bundle_dir, "config.json")


_notes_said: set = set()


def _pass_on_notes(stderr: str) -> None:
    """spec's lines about what it left out on this host (a masked /proc bound
    instead of a fresh one, no hostname), once per process: every step's
    spec says the same."""
    for line in stderr.splitlines():
        if line and line not in _notes_said:
            _notes_said.add(line)
            sys.stderr.write(line + "\n")


def build_config(args: Sequence[str], *, env: Mapping[str, str], fmr_run: Optional[str] = None,
                 **options) -> dict:
    """The config.json spec writes for these inputs (in a throw-away
    bundle), for inspection and tests."""
    tmp = tempfile.mkdtemp(prefix="fmr-spec-")
    try:
        path = emit(os.path.join(tmp, "b"), args, env=env, fmr_run=fmr_run, **options)
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_bundle(bundle_dir: str, config: dict) -> str:
    """Write CONFIG (a dict from build_config, maybe edited) as
    BUNDLE_DIR/config.json, with rootfs/ as spec makes it."""
    check_bundle_dir(bundle_dir)
    rootfs = os.path.join(bundle_dir, "rootfs")
    os.makedirs(rootfs, mode=0o755, exist_ok=True)
    for name in ("bin", "lib", "lib32", "lib64", "libx32", "sbin"):
        link = os.path.join(rootfs, name)
        if os.path.islink("/" + name) and not os.path.lexists(link):
            os.symlink(os.readlink("/" + name), link)
    path = os.path.join(bundle_dir, "config.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(path + ".tmp", path)
    return path


def run_bundle(
    bundle_dir: str,
    *,
    fmr_run: Optional[str] = None,
    stdin=subprocess.DEVNULL,
    stdout=None,
    stderr=None,
    text: Optional[bool] = None,
    timeout: Optional[float] = None,
) -> subprocess.CompletedProcess:
    """`fmr-run run BUNDLE_DIR` with stdin from /dev/null unless told otherwise.
    TIMEOUT here is only a backstop: the sandbox's own timeout is the
    annotation, and fmr-run's exit status 124 reports it."""
    cmd = [find_fmr_run(fmr_run), "run", bundle_dir]
    return subprocess.run(cmd, stdin=stdin, stdout=stdout, stderr=stderr, text=text, timeout=timeout)


def validate_bundle(bundle_dir: str, fmr_run: Optional[str] = None) -> subprocess.CompletedProcess:
    """`fmr-run validate BUNDLE_DIR`, output captured."""
    return subprocess.run([find_fmr_run(fmr_run), "validate", bundle_dir], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def make_bundle_dir() -> str:
    """A fresh private directory for one bundle (the caller removes it)."""
    return tempfile.mkdtemp(prefix="fmr-bundle-")


def remove_bundle_dir(bundle_dir: str) -> None:
    shutil.rmtree(bundle_dir, ignore_errors=True)
