# SPDX-License-Identifier: Apache-2.0
"""A runner for pyproject_hooks.BuildBackendHookCaller and
pep517.wrappers.Pep517HookCaller that runs every hook inside fmr-run.

    from fmr_sandbox.runner import SandboxRunner
    hooks = BuildBackendHookCaller(src, backend, runner=SandboxRunner())
    hooks.build_wheel(wheel_dir)

Both classes call runner(cmd, cwd=None, extra_environ=None) with
cmd = [python, .../_in_process.py, HOOK, CONTROL_DIR].  The runner makes cwd
(the source tree) and the control directory writable, the hook's output
goes to a per-step folder moved into the real one afterwards, the script,
the build venv and the base interpreter are read-only (the venv checked
after each hook), and nothing else of the caller's files is visible.  A failing hook raises
subprocess.CalledProcessError, as the default runners do.
"""

import os
import subprocess
from typing import Iterable, Mapping, Optional, Sequence

from .step import run_step


class SandboxRunner:
    """Callable with pyproject_hooks' runner signature."""

    def __init__(
        self,
        *,
        writable: Iterable[str] = (),
        readonly: Iterable[str] = (),
        network: bool = False,
        timeout: Optional[float] = None,
        keep_env: Sequence[str] = (),
        delete_env: Sequence[str] = (),
        home: Optional[str] = None,
        tmpdir: Optional[str] = None,
        quiet: bool = False,
        fmr_run: Optional[str] = None,
    ):
        self.writable = list(writable)
        self.readonly = list(readonly)
        self.network = network
        self.timeout = timeout
        self.keep_env = list(keep_env)
        self.delete_env = list(delete_env)
        self.home = home
        self.tmpdir = tmpdir
        self.quiet = quiet
        self.fmr_run = fmr_run
        self.last: Optional[subprocess.CompletedProcess] = None

    def __call__(self, cmd: Sequence[str], cwd: Optional[str] = None,
                 extra_environ: Optional[Mapping[str, str]] = None) -> None:
        env = dict(os.environ)
        env.update(extra_environ or {})
        cwd = os.path.abspath(cwd or os.getcwd())
        writable = [cwd] + self.writable + [p for p in (self.home, self.tmpdir) if p]
        output = subprocess.PIPE if self.quiet else None
        done = run_step(
            cmd, cwd=cwd, env=env, writable=writable, readonly=self.readonly, network=self.network,
            timeout=self.timeout, keep_env=self.keep_env, delete_env=self.delete_env, home=self.home,
            tmpdir=self.tmpdir, stdout=output, stderr=subprocess.STDOUT if self.quiet else None,
            fmr_run=self.fmr_run)
        self.last = done
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, list(cmd), done.stdout)


def sandbox_runner(cmd: Sequence[str], cwd: Optional[str] = None,
                   extra_environ: Optional[Mapping[str, str]] = None) -> None:
    """The default policy as a plain function (no network, no extra paths)."""
    SandboxRunner()(cmd, cwd=cwd, extra_environ=extra_environ)


def quiet_sandbox_runner(cmd: Sequence[str], cwd: Optional[str] = None,
                         extra_environ: Optional[Mapping[str, str]] = None) -> None:
    """Like sandbox_runner, output captured (as pyproject_hooks' quiet runner)."""
    SandboxRunner(quiet=True)(cmd, cwd=cwd, extra_environ=extra_environ)
