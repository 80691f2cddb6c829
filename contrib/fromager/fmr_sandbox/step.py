# SPDX-License-Identifier: Apache-2.0
"""Run one command in a fresh bundle: emit, run, clean up.

The bundle directory is private and removed afterwards; set FMR_KEEP_BUNDLE=1
to keep it (its path is logged) and rerun or edit it by hand:
`fmr-run run DIR`.
"""

import logging
import os
import subprocess
from typing import Iterable, Mapping, Optional, Sequence

from . import bundle
from .envfilter import EnvFilter, split_names

logger = logging.getLogger("fmr_sandbox")

# fmr-run's exit statuses of its own (DESIGN.md).
EXIT_TIMEOUT = 124
EXIT_FMR_FAILED = 125

# Configuration of this package itself: never passed into the sandbox.
OWN_VARIABLES = ("FMR_RUN", "FMR_KEEP_BUNDLE", "FMR_SECCOMP_PROFILE", "FMR_ISOLATE_*",
                 "FMR_KEEP_ENV", "FMR_DELETE_ENV")

# The backstop beyond the sandbox's own timeout: fmr-run's default kill-after
# (10 s) plus slack for tearing the sandbox down.
_BACKSTOP_SECONDS = 30


def settings_filter(environ: Mapping[str, str], keep_env: Sequence[str] = (),
                    delete_env: Sequence[str] = ()) -> EnvFilter:
    """The filter of a step: the defaults, FROMAGER_SCRUB_ENV_VARS, the
    caller's KEEP_ENV/DELETE_ENV plus FMR_KEEP_ENV / FMR_DELETE_ENV
    (comma-separated patterns), and this package's own variables removed."""
    keep = list(keep_env) + list(split_names(environ.get("FMR_KEEP_ENV")))
    delete = list(delete_env) + list(split_names(environ.get("FMR_DELETE_ENV"))) + list(OWN_VARIABLES)
    return EnvFilter.from_environ(environ, keep, delete)


def run_step(
    args: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    writable: Iterable[str] = (),
    readonly: Iterable[str] = (),
    tmpfs: Iterable[str] = (),
    network: bool = False,
    timeout: Optional[float] = None,
    env_filter: Optional[EnvFilter] = None,
    set_env: Optional[Mapping[str, str]] = None,
    stdin=subprocess.DEVNULL,
    stdout=None,
    stderr=None,
    text: Optional[bool] = None,
    fmr_run: Optional[str] = None,
) -> subprocess.CompletedProcess:
    """Run ARGS in the sandbox; the CompletedProcess carries ARGS and the
    command's exit status as fmr-run reports it (124: timeout, 125: the
    sandbox could not be built)."""
    if env_filter is None:
        env_filter = settings_filter(env)
    config = bundle.build_config(
        args, cwd=cwd, env=env, writable=writable, readonly=readonly, tmpfs=tmpfs,
        network=network, timeout=timeout, env_filter=env_filter, set_env=set_env)
    bundle_dir = bundle.make_bundle_dir()
    keep = os.environ.get("FMR_KEEP_BUNDLE", "") not in ("", "0")
    try:
        bundle.write_bundle(bundle_dir, config)
        if keep:
            logger.warning("fmr-run bundle kept in %s", bundle_dir)
        backstop = timeout + _BACKSTOP_SECONDS if timeout else None
        done = bundle.run_bundle(bundle_dir, fmr_run=fmr_run, stdin=stdin, stdout=stdout,
                                 stderr=stderr, text=text, timeout=backstop)
    finally:
        if not keep:
            bundle.remove_bundle_dir(bundle_dir)
    if done.returncode == EXIT_FMR_FAILED:
        logger.error("fmr-run could not build the sandbox for %s (exit status 125)", list(args))
    return subprocess.CompletedProcess(list(args), done.returncode, done.stdout, done.stderr)
