# SPDX-License-Identifier: Apache-2.0

# The corpus: good configs accepted, bad ones refused with their messages.
TESTS += tests/corpus/run-corpus
EXTRA_DIST += tests/corpus/run-corpus tests/corpus/make-corpus.py tests/corpus/good tests/corpus/bad

if HAVE_CRITERION
check_PROGRAMS += tests/unit/test_config tests/unit/test_run_helpers
check_PROGRAMS += tests/unit/test_config_validate tests/unit/test_names
tests_unit_test_config_validate_SOURCES = tests/unit/test_config_validate.c tests/unit/config_fixture.h tests/criterion-skip.c
tests_unit_test_config_validate_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_config_validate_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
tests_unit_test_names_SOURCES = tests/unit/test_names.c tests/criterion-skip.c
tests_unit_test_names_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_names_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
TESTS += tests/unit/test_config_validate tests/unit/test_names
tests_unit_test_config_SOURCES = tests/unit/test_config.c tests/unit/config_fixture.h tests/criterion-skip.c
tests_unit_test_config_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_config_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
tests_unit_test_run_helpers_SOURCES = tests/unit/test_run_helpers.c tests/criterion-skip.c
tests_unit_test_run_helpers_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_run_helpers_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
TESTS += tests/unit/test_config tests/unit/test_run_helpers
check_PROGRAMS += tests/unit/test_escape_filter
tests_unit_test_escape_filter_SOURCES = tests/unit/test_escape_filter.c tests/criterion-skip.c
tests_unit_test_escape_filter_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_escape_filter_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
TESTS += tests/unit/test_escape_filter
check_PROGRAMS += tests/unit/test_relay_stream
tests_unit_test_relay_stream_SOURCES = tests/unit/test_relay_stream.c tests/criterion-skip.c
tests_unit_test_relay_stream_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_unit_test_relay_stream_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
TESTS += tests/unit/test_relay_stream
endif
