# SPDX-License-Identifier: Apache-2.0
# The probe runs inside sandboxes whose root holds only a few binds, so it
# is linked statically and without the sanitizers (their runtimes cannot be
# linked statically, and the probe is not what is under test).
check_PROGRAMS += tests/probe/probe
tests_probe_probe_SOURCES = tests/probe/probe.c
tests_probe_probe_CFLAGS = -std=gnu11 -O1 $(WARN_CFLAGS)
tests_probe_probe_LDFLAGS = -static

TESTS += tests/integration/run-integration
AM_TESTS_ENVIRONMENT += FMR_RUN='$(abs_top_builddir)/fmr-run'; PROBE='$(abs_top_builddir)/tests/probe/probe'; \
	FMR_FIXTURES='$(abs_top_srcdir)/tests/fixtures'; export FMR_RUN PROBE FMR_FIXTURES;
EXTRA_DIST += tests/integration/run-integration tests/integration/harness.py tests/integration/test_run.py \
	tests/integration/test_supervise.py tests/integration/test_relay.py \
	tests/fixtures
