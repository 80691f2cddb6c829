# SPDX-License-Identifier: Apache-2.0
# `fmr-run check`: test_check.py runs the real binary as root and as uid
# 65534, checks that it leaves nothing behind, and breaks parts for real
# (a seccomp filter from deny-userns, a masked /proc, namespace limits of
# 0 in a user namespace of the test's own); test_hostcheck_explain feeds
# the diagnosis the knobs of hosts this one is not.
check_PROGRAMS += tests/check/deny-userns
tests_check_deny_userns_SOURCES = tests/check/deny-userns.c
tests_check_deny_userns_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
tests_check_deny_userns_LDADD = $(SECCOMP_LIBS)

TESTS += tests/check/test_check.py
AM_TESTS_ENVIRONMENT += FMR_RUN='$(abs_top_builddir)/fmr-run'; DENY_USERNS='$(abs_top_builddir)/tests/check/deny-userns'; \
	export FMR_RUN DENY_USERNS;
EXTRA_DIST += tests/check/test_check.py

if HAVE_CRITERION
check_PROGRAMS += tests/check/test_hostcheck_explain
tests_check_test_hostcheck_explain_SOURCES = tests/check/test_hostcheck_explain.c tests/criterion-skip.c
tests_check_test_hostcheck_explain_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_check_test_hostcheck_explain_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
TESTS += tests/check/test_hostcheck_explain
endif
