# SPDX-License-Identifier: Apache-2.0
"""Run wheel build steps inside fmr-run: a bundle emitter (bundle), an
environment filter (envfilter), fromager's sandboxing hooks (plugin), a
runner for pyproject_hooks / pep517 (runner) and the fmr-isolate wrapper
(isolate).  Python 3.9+, standard library only."""

from .bundle import BundleError, build_config, find_fmr_run, interpreter_paths, write_bundle
from .envfilter import EnvFilter, filter_env
from .runner import SandboxRunner, quiet_sandbox_runner, sandbox_runner
from .step import run_step

__all__ = [
    "BundleError", "EnvFilter", "SandboxRunner", "build_config", "filter_env", "find_fmr_run",
    "interpreter_paths", "quiet_sandbox_runner", "run_step", "sandbox_runner", "write_bundle",
]
