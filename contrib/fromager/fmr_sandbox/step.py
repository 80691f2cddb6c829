# SPDX-License-Identifier: Apache-2.0
"""Run one command in a fresh bundle: emit (with `fmr-run spec`), run,
check, clean up.  The one path every helper (plugin, fmr-isolate, runner)
takes.

The bundle directory is private and removed afterwards, unless the step
failed: then keep.py keeps it, logs the step's stderr tail and how to rerun
it.  Set FMR_KEEP_BUNDLE=1 to keep every bundle where it is (its path is
logged) and rerun or edit it by hand: `fmr-run run DIR`.
"""

import logging
import os
import shutil
import subprocess
from typing import Iterable, List, Mapping, Optional, Sequence, Tuple

from . import bundle, hookcall, keep as keeper
from .guard import VenvGuard, venv_of

logger = logging.getLogger("fmr_sandbox")

# fmr-run's exit statuses of its own (DESIGN.md).
EXIT_TIMEOUT = 124
EXIT_FMR_FAILED = 125

# The backstop beyond the sandbox's own timeout: fmr-run's default kill-after
# (10 s) plus slack for tearing the sandbox down.
_BACKSTOP_SECONDS = 30


def split_names(value: Optional[str]) -> Tuple[str, ...]:
    """'A, B,,C' -> ('A', 'B', 'C'): the comma-separated form of the settings."""
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def env_lists(environ: Mapping[str, str], keep_env: Sequence[str] = (),
              delete_env: Sequence[str] = ()) -> Tuple[List[str], List[str]]:
    """keep_env / delete_env of a step: the caller's, plus FMR_KEEP_ENV and
    FMR_DELETE_ENV (comma-separated patterns).  The filter itself is
    spec's (`fmr-run spec --pass-env`)."""
    return (list(keep_env) + list(split_names(environ.get("FMR_KEEP_ENV"))),
            list(delete_env) + list(split_names(environ.get("FMR_DELETE_ENV"))))


def python_of(cmd: str, environ: Mapping[str, str]) -> List[str]:
    """Interpreters a command runs: itself when it is a python, the venv
    python it is installed in (venv/bin/wheel), the active VIRTUAL_ENV's."""
    path = cmd if os.sep in cmd else shutil.which(cmd, path=environ.get("PATH")) or cmd
    found = []
    if os.path.basename(path).startswith("python") and os.path.isabs(path):
        found.append(path)
    venv = venv_of(path) if os.path.isabs(path) else None
    if venv:
        found.append(os.path.join(venv, "bin", "python"))
    active = environ.get("VIRTUAL_ENV")
    if active and os.path.isfile(os.path.join(active, "pyvenv.cfg")):
        found.append(os.path.join(active, "bin", "python"))
    return [p for p in dict.fromkeys(found) if os.path.exists(p)]


def run_step(
    args: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
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
    stdin=subprocess.DEVNULL,
    stdout=None,
    stderr=None,
    text: Optional[bool] = None,
    fmr_run: Optional[str] = None,
) -> subprocess.CompletedProcess:
    """Run ARGS in the sandbox; the CompletedProcess carries ARGS and the
    command's exit status as fmr-run reports it (124: timeout, 125: the
    sandbox could not be built).

    Whatever the command, every interpreter it runs (PYTHONS, and the ones
    python_of finds) and every venv in VENVS is read-only, and each venv's
    identity is checked after the step (guard.VenvChanged).  A PEP 517 hook
    call gets its control directory and a per-step output folder writable
    (hookcall.StepOutputs)."""
    args = [os.fsdecode(a) for a in args]
    writable, readonly = list(writable), list(readonly)
    pythons = list(pythons) + python_of(args[0], env)
    call = hookcall.detect(args)
    if call is not None:
        writable += call.writable
        readonly += call.readonly
        pythons.append(call.python)
    keep, delete = env_lists(env, keep_env, delete_env)
    venvs = list(venvs)
    guard = VenvGuard(venvs + [v for v in map(venv_of, pythons) if v])
    outputs = hookcall.StepOutputs(call)
    bundle_dir = bundle.make_bundle_dir()
    keep_bundle = os.environ.get("FMR_KEEP_BUNDLE", "") not in ("", "0")
    tail = keeper.StderrTail(stderr)
    done = None
    try:
        bundle.emit(bundle_dir, args, env=env, fmr_run=fmr_run, cwd=cwd, writable=writable + outputs.writable,
                    readonly=readonly, tmpfs=tmpfs, pythons=list(dict.fromkeys(pythons)), venvs=venvs,
                    network=network,
                    timeout=timeout, keep_env=keep, delete_env=delete, set_env=set_env, home=home,
                    tmpdir=tmpdir)
        if keep_bundle:
            logger.warning("fmr-run bundle kept in %s", bundle_dir)
        backstop = timeout + _BACKSTOP_SECONDS if timeout else None
        done = bundle.run_bundle(bundle_dir, fmr_run=fmr_run, stdin=stdin, stdout=stdout,
                                 stderr=tail.stderr, text=text, timeout=backstop)
    finally:
        stderr_tail = tail.finish(done, stderr, stdout)
        failed = done is None or done.returncode != 0
        if failed and not keep_bundle and os.path.isfile(os.path.join(bundle_dir, "config.json")):
            keeper.keep_failed(bundle_dir, list(args), -1 if done is None else done.returncode,
                               stderr_tail, fmr_run=fmr_run)
        if not keep_bundle:
            bundle.remove_bundle_dir(bundle_dir)
        try:
            guard.check()
        except Exception:
            outputs.finish(False)
            raise
        outputs.finish(done is not None and done.returncode == 0)
    if done.returncode == EXIT_FMR_FAILED:
        logger.error("fmr-run could not build the sandbox for %s (exit status 125)", list(args))
    return subprocess.CompletedProcess(list(args), done.returncode, done.stdout, done.stderr)
