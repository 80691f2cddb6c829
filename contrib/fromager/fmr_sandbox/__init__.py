# SPDX-License-Identifier: Apache-2.0
"""Run wheel build steps inside fmr-run: a bundle emitter over `fmr-run
spec` (bundle), the path and venv checks (guard), fromager's sandboxing
hooks (plugin), a runner for pyproject_hooks / pep517 (runner) and the
fmr-isolate wrapper (isolate).  Python 3.9+, standard library only."""

from .bundle import BundleError, build_config, emit, find_fmr_run, write_bundle
from .guard import VenvChanged, check_path
from .runner import SandboxRunner, quiet_sandbox_runner, sandbox_runner
from .step import run_step

__all__ = [
    "BundleError", "SandboxRunner", "VenvChanged", "build_config", "check_path", "emit", "find_fmr_run",
    "quiet_sandbox_runner", "run_step", "sandbox_runner", "write_bundle",
]
