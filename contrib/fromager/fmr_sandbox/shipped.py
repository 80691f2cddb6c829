# SPDX-License-Identifier: Apache-2.0
"""The fmr-run installed together with this package, if there is one.

A wheel that carries fmr-run installs it into the scripts directory of the
installation that receives the package (a venv's bin/, ~/.local/bin for
--user); the .deb and the .rpm put the package in the system's
site-packages and fmr-run in /usr/bin.  Both are the scripts directory of
the sysconfig scheme whose site-packages holds this package.  A package used
from the source tree or from $(pkgdatadir)/fromager matches no scheme (there,
FMR_RUN, which bin/fmr-isolate sets, or PATH finds the binary)."""

import os
import sysconfig
from typing import List, Optional

_cache: List[Optional[str]] = []


def _candidates(site: str) -> List[str]:
    found = []
    for scheme in sysconfig.get_scheme_names():
        try:
            paths = sysconfig.get_paths(scheme)
        except KeyError:
            continue
        libs = {os.path.realpath(paths[k]) for k in ("purelib", "platlib") if k in paths}
        if site in libs and "scripts" in paths:
            found.append(os.path.join(paths["scripts"], "fmr-run"))
    return found


def shipped_fmr_run() -> Optional[str]:
    """fmr-run from the installation this package belongs to, else None."""
    if not _cache:
        here = os.path.dirname(os.path.realpath(__file__))
        site = os.path.dirname(here)
        found = [os.path.join(here, "bin", "fmr-run")] + _candidates(site)
        _cache.append(next((p for p in found if os.path.isfile(p) and os.access(p, os.X_OK)), None))
    return _cache[0]
