# SPDX-License-Identifier: Apache-2.0
"""fromager's pluggable sandboxing API (docs/proposals/sandboxing-api.md,
pull request 1171) implemented with fmr-run.

settings.yaml:

    external_commands:
      setup_sandbox: fmr_sandbox.plugin:setup_sandbox
      teardown_sandbox: fmr_sandbox.plugin:teardown_sandbox
      run_sandboxed: fmr_sandbox.plugin:run_sandboxed
      run_unconfined: fmr_sandbox.plugin:run_unconfined

Per package+version, in work-dir/NAME-VERSION (sdist_root_dir.parent):
setup creates tmp/, home/ and dist/; every sandboxed command, whatever it
is, gets HOME=home/, TMPDIR=tmp/, the source tree, tmp/, home/ and dist/
writable (nodev, nosuid) and nothing else of the work directory; every
build venv there, the base interpreter and the in-process hook script
read-only, the venvs' identity checked after the step; a hook's output in
a per-step folder the host moves; no network; the environment filtered by
`fmr-run spec` (keep_env / delete_env from fromager's settings); teardown
removes tmp/ and home/ and checks that dist/ holds only regular files.
"""

import logging
import os
import pathlib
import shlex
import shutil
import stat
import subprocess
import threading
from typing import Any, Dict, List, Mapping, Optional, Sequence

from . import bundle
from .step import EXIT_TIMEOUT, run_step

logger = logging.getLogger("fmr_sandbox")

SANDBOX_DIRS = ("tmp", "home", "dist")

# What setup made, by work directory: kept here rather than in a file of the
# writable directory, where the build could edit it.
_created: Dict[str, List[str]] = {}
_created_lock = threading.Lock()


class SandboxError(RuntimeError):
    """The sandbox cannot be set up here, or a build left something unsafe."""


# --- host check, once per process ---------------------------------------------

_check_lock = threading.Lock()
_check_result: Optional[subprocess.CompletedProcess] = None


def check_host(fmr_run: Optional[str] = None) -> subprocess.CompletedProcess:
    """Run `fmr-run check` once per process and cache the answer.  A build of
    fmr-run without the check verb only earns a warning."""
    global _check_result
    with _check_lock:
        if _check_result is None:
            done = subprocess.run([bundle.find_fmr_run(fmr_run), "check"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if done.returncode != 0 and "not implemented" in done.stdout:
                logger.warning("fmr-run check is not available in this build; "
                               "the sandbox will be tried at the first command")
                done = subprocess.CompletedProcess(done.args, 0, done.stdout)
            _check_result = done
        result = _check_result
    if result.returncode != 0:
        raise SandboxError("fmr-run check: this host cannot build the default sandbox:\n%s"
                           % result.stdout.strip())
    return result


def _reset_check_cache() -> None:  # for tests
    global _check_result
    with _check_lock:
        _check_result = None


# --- the four hooks ------------------------------------------------------------

def _work_dir(sdist_root_dir: pathlib.Path) -> pathlib.Path:
    return pathlib.Path(sdist_root_dir).absolute().parent


def setup_sandbox(*, ctx: Any, req: Any, sdist_root_dir: pathlib.Path) -> None:
    """Create work-dir/NAME-VERSION/{tmp,home,dist}; check the host once."""
    check_host()
    work = _work_dir(sdist_root_dir)
    created = []
    for name in SANDBOX_DIRS:
        path = work / name
        if not path.exists():
            path.mkdir(mode=0o700)
            created.append(name)
        elif path.is_symlink() or not path.is_dir():
            raise SandboxError("%s exists and is not a directory" % path)
    with _created_lock:
        _created[str(work)] = created
    logger.debug("%s: sandbox set up in %s", getattr(req, "name", req), work)


def _unsafe_entries(directory: pathlib.Path) -> List[pathlib.Path]:
    bad = []
    for entry in sorted(directory.iterdir()):
        mode = entry.lstat().st_mode
        if not stat.S_ISREG(mode):
            bad.append(entry)
    return bad


def _remove(path: pathlib.Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink()
    else:
        shutil.rmtree(path)


def teardown_sandbox(*, ctx: Any, req: Any, sdist_root_dir: pathlib.Path) -> None:
    """Remove tmp/ and home/ (and dist/ when setup made it and it is empty);
    raise SandboxError when dist/ holds anything but regular files (symlinks,
    devices, FIFOs, directories), after removing those entries."""
    work = _work_dir(sdist_root_dir)
    with _created_lock:
        created = set(_created.pop(str(work), ()))
    for name in ("tmp", "home"):
        if name in created and (work / name).exists():
            _remove(work / name)
    dist = work / "dist"
    bad = _unsafe_entries(dist) if dist.is_dir() and not dist.is_symlink() else []
    for entry in bad:
        _remove(entry)
    if "dist" in created and dist.is_dir() and not any(dist.iterdir()):
        dist.rmdir()
    if bad:
        raise SandboxError("%s: the build left entries that are not regular files in %s: %s (removed)"
                           % (getattr(req, "name", req), dist, ", ".join(e.name for e in bad)))


def _settings_lists(ctx: Any) -> Sequence[Sequence[str]]:
    """keep_env / delete_env from fromager's settings (external_commands
    section of the filter-env proposal) when this fromager has them."""
    settings = getattr(ctx, "settings", None)
    section = getattr(settings, "external_commands", None)
    if section is None and isinstance(settings, Mapping):
        section = settings.get("external_commands")
    def get(key: str) -> List[str]:
        value = section.get(key) if isinstance(section, Mapping) else getattr(section, key, None)
        return list(value or [])
    return get("keep_env"), get("delete_env")


def build_venvs(work: pathlib.Path) -> List[str]:
    """The package's build venvs: every directory of work-dir/NAME-VERSION
    holding a pyvenv.cfg (fromager's build-PYVER).  Taken from the host's
    listing before the step, never from anything a step wrote."""
    found = []
    try:
        entries = sorted(work.iterdir())
    except OSError:
        return found
    for entry in entries:
        if not entry.is_symlink() and entry.is_dir() and (entry / "pyvenv.cfg").is_file():
            found.append(str(entry))
    return found


def step_policy(args: Sequence[str], sdist_root_dir: pathlib.Path, cwd: Optional[str] = None) -> dict:
    """What one command of a package's build may touch: the package's own
    source tree, tmp/, home/ and dist/ writable; its build venvs read-only
    and checked after the step whatever the command is; nothing else of
    the work directory."""
    work = _work_dir(sdist_root_dir)
    writable = [str(pathlib.Path(sdist_root_dir).absolute())] + [str(work / d) for d in SANDBOX_DIRS]
    readonly = []
    if cwd is not None and not any(os.path.abspath(cwd) == w or os.path.abspath(cwd).startswith(w + "/")
                                   for w in writable):
        readonly.append(cwd)
    venvs = build_venvs(work)
    return {"writable": writable, "readonly": readonly, "venvs": venvs,
            "pythons": [os.path.join(v, "bin", "python") for v in venvs
                        if os.path.exists(os.path.join(v, "bin", "python"))],
            "home": str(work / "home"), "tmpdir": str(work / "tmp")}


def run_sandboxed(
    args: Sequence[Any],
    *,
    ctx: Any,
    req: Any,
    sdist_root_dir: pathlib.Path,
    stdin: Any = None,
    stdout: Any = None,
    stderr: Any = None,
    cwd: Any = None,
    timeout: Optional[float] = None,
    text: Optional[bool] = None,
    env: Optional[Mapping[str, str]] = None,
) -> subprocess.CompletedProcess:
    """Run ARGS in fmr-run.  cwd defaults to sdist_root_dir, env to
    os.environ (filtered either way), stdin to /dev/null.  As subprocess.run,
    raises subprocess.TimeoutExpired when TIMEOUT ran out."""
    args = [os.fsdecode(a) for a in args]
    environ = dict(os.environ if env is None else env)
    keep_env, delete_env = _settings_lists(ctx)
    cwd = os.fsdecode(cwd) if cwd is not None else str(sdist_root_dir)
    policy = step_policy(args, sdist_root_dir, cwd)
    logger.debug("%s: sandboxed: %s in %s", getattr(req, "name", req), shlex.join(args), cwd)
    done = run_step(
        args, cwd=cwd, env=environ, network=False, timeout=timeout, keep_env=keep_env, delete_env=delete_env,
        stdin=subprocess.DEVNULL if stdin is None else stdin, stdout=stdout, stderr=stderr,
        text=text, **policy)
    if timeout is not None and done.returncode == EXIT_TIMEOUT:
        raise subprocess.TimeoutExpired(args, timeout, done.stdout, done.stderr)
    return done


def run_unconfined(
    args: Sequence[Any],
    *,
    ctx: Any,
    req: Any,
    sdist_root_dir: pathlib.Path,
    stdin: Any = None,
    stdout: Any = None,
    stderr: Any = None,
    cwd: Any = None,
    timeout: Optional[float] = None,
    text: Optional[bool] = None,
    env: Optional[Mapping[str, str]] = None,
) -> subprocess.CompletedProcess:
    """Run ARGS as is, outside any sandbox, and log it (the proposal keeps
    this hook so unconfined calls can be watched)."""
    logger.info("%s: UNCONFINED: %s in %s", getattr(req, "name", req),
                shlex.join(os.fsdecode(a) for a in args), os.fsdecode(cwd) if cwd else os.getcwd())
    return subprocess.run(list(args), stdin=stdin, stdout=stdout, stderr=stderr, cwd=cwd,
                          timeout=timeout, text=text, env=env)
