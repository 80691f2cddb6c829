# SPDX-License-Identifier: Apache-2.0
# Docs that run: the fenced examples of README.md and
# contrib/fromager/README.md, run against `make install prefix=TMP` of this
# build (test_docs.py says how each block is marked).
TESTS += tests/docs/test_docs.py
AM_TESTS_ENVIRONMENT += FMR_TOP_BUILDDIR='$(abs_top_builddir)'; FMR_TOP_SRCDIR='$(abs_top_srcdir)'; MAKE='$(MAKE)'; \
	export FMR_TOP_BUILDDIR FMR_TOP_SRCDIR MAKE;
EXTRA_DIST += tests/docs/test_docs.py
