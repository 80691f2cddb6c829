# SPDX-License-Identifier: Apache-2.0
"""What pyproject.toml cannot say: the wheel that carries fmr-run.

With FMR_WHEEL_BINARY=PATH (a statically linked fmr-run, built with
`configure --enable-static-binary`, copied into this directory:
setuptools takes no data file from outside it; contrib/setup.sh packages
does this in a scratch copy) the
wheel installs that file as bin/fmr-run next to the interpreter of the venv
that receives it, and is tagged for the platform the binary runs on rather
than as pure Python: FMR_WHEEL_PLATFORM, by default
manylinux_2_17_ARCH.manylinux2014_ARCH (contrib/packaging/README.md says
why).  Without it the wheel is pure Python (py3-none-any) and the helpers
find fmr-run through FMR_RUN or PATH."""

import os
import platform

from setuptools import setup
from wheel.bdist_wheel import bdist_wheel

BINARY = os.environ.get("FMR_WHEEL_BINARY")
ARCH = platform.machine()
PLATFORM = os.environ.get("FMR_WHEEL_PLATFORM") or "manylinux_2_17_%s.manylinux2014_%s" % (ARCH, ARCH)


class binary_wheel(bdist_wheel):
    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        return "py3", "none", PLATFORM


if BINARY:
    # setuptools takes data files only by a path inside this directory.
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.relpath(os.path.join(here, BINARY), here)
    if path.startswith("..") or os.path.basename(path) != "fmr-run" or not os.access(path, os.X_OK):
        raise SystemExit("FMR_WHEEL_BINARY=%s: not an executable fmr-run inside %s" % (BINARY, here))
    setup(data_files=[("bin", [path])], cmdclass={"bdist_wheel": binary_wheel})
else:
    setup()
