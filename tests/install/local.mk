# SPDX-License-Identifier: Apache-2.0
# Installing: `make install prefix=DIR` and `make install DESTDIR=DIR` from
# this build tree, then fmr-run and fmr-isolate run from the installed copy
# (tests/install/test_install says what is checked).
TESTS += tests/install/test_install
AM_TESTS_ENVIRONMENT += FMR_TOP_BUILDDIR='$(abs_top_builddir)'; MAKE='$(MAKE)'; export FMR_TOP_BUILDDIR MAKE;
EXTRA_DIST += tests/install/test_install
