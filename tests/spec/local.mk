# SPDX-License-Identifier: Apache-2.0
# `fmr-run spec` and `fmr-run features`: the real binary writes bundles in
# temporary directories; the script checks their JSON, the rootfs links, the
# error cases, and that `fmr-run validate` accepts every bundle spec writes.
TESTS += tests/spec/test_spec.py tests/spec/test_spec_env.py
AM_TESTS_ENVIRONMENT += FMR_RUN='$(abs_top_builddir)/fmr-run'; FMR_TOP_SRCDIR='$(abs_top_srcdir)'; \
	export FMR_RUN FMR_TOP_SRCDIR;
EXTRA_DIST += tests/spec/test_spec.py tests/spec/test_spec_env.py
