# SPDX-License-Identifier: Apache-2.0
"""A package with a C extension: the wheel tests compile it in fmr-run."""
from setuptools import Extension, setup

setup(
    name="fmr-cext",
    version="1.0",
    packages=["fmr_cext"],
    ext_modules=[Extension("fmr_cext._speedup", ["src/speedup.c"])],
)
