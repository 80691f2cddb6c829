# SPDX-License-Identifier: Apache-2.0
# Focused tests of `run`'s parts that need no root filesystem: the seccomp
# translation (filters loaded for real in forked children), the default
# profile's program precompiled at build time and when it must not be used, PID 1's exit
# status, the error channel between the sandbox and the parent, args[0],
# id maps written into a real user namespace, PID 1 in a real pid namespace.
if HAVE_CRITERION
check_PROGRAMS += tests/run-unit/test_seccomp_filter tests/run-unit/test_seccomp_default tests/run-unit/test_run_steps tests/run-unit/test_idmap tests/run-unit/test_init
tests_run_unit_test_seccomp_filter_SOURCES = tests/run-unit/test_seccomp_filter.c tests/criterion-skip.c
tests_run_unit_test_seccomp_filter_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) $(SECCOMP_CFLAGS)
tests_run_unit_test_seccomp_filter_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
tests_run_unit_test_seccomp_default_SOURCES = tests/run-unit/test_seccomp_default.c tests/criterion-skip.c
tests_run_unit_test_seccomp_default_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS) $(SECCOMP_CFLAGS)
tests_run_unit_test_seccomp_default_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
tests_run_unit_test_run_steps_SOURCES = tests/run-unit/test_run_steps.c tests/criterion-skip.c
tests_run_unit_test_run_steps_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_run_unit_test_run_steps_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
tests_run_unit_test_idmap_SOURCES = tests/run-unit/test_idmap.c tests/criterion-skip.c
tests_run_unit_test_idmap_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_run_unit_test_idmap_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
tests_run_unit_test_init_SOURCES = tests/run-unit/test_init.c tests/criterion-skip.c
tests_run_unit_test_init_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_run_unit_test_init_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
TESTS += tests/run-unit/test_seccomp_filter tests/run-unit/test_seccomp_default tests/run-unit/test_run_steps tests/run-unit/test_idmap \
	tests/run-unit/test_init
endif
