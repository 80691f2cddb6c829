# SPDX-License-Identifier: Apache-2.0
# Wheel builders: the environment filter and the bundle emitter (unit), then
# real PEP 517 builds of the test projects through the runner, fmr-isolate
# and the fromager plugin, and a hostile setup.py whose every attack must fail.
# Debian's /usr/bin/python3 with python3-setuptools, -wheel and -pep517.
TESTS += tests/wheels/test_emitter.py tests/wheels/test_builds.py \
	tests/wheels/test_hostile.py tests/wheels/test_keep.py tests/wheels/test_foreign_owners.py
AM_TESTS_ENVIRONMENT += FMR_RUN='$(abs_top_builddir)/fmr-run'; FMR_TOP_SRCDIR='$(abs_top_srcdir)'; \
	export FMR_RUN FMR_TOP_SRCDIR;
EXTRA_DIST += tests/wheels/wheeltest.py tests/wheels/test_emitter.py \
	tests/wheels/test_builds.py tests/wheels/test_hostile.py tests/wheels/test_keep.py tests/wheels/test_foreign_owners.py \
	tests/wheels/projects
