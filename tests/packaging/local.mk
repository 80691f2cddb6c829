# SPDX-License-Identifier: Apache-2.0
# Packaging metadata that must follow configure.ac.
TESTS += tests/packaging/test_versions
AM_TESTS_ENVIRONMENT += FMR_VERSION='$(PACKAGE_VERSION)'; FMR_TOP_SRCDIR='$(abs_top_srcdir)'; export FMR_VERSION FMR_TOP_SRCDIR;
EXTRA_DIST += tests/packaging/test_versions
