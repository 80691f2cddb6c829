# SPDX-License-Identifier: Apache-2.0
# The hostile build (tests/hostile/hostile.h): one static program holding
# every attack, run inside the default sandbox by run-hostile's tests, as
# root and as nobody.  Static and without the sanitizers, like the probe.
check_PROGRAMS += tests/hostile/hostile
tests_hostile_hostile_SOURCES = tests/hostile/hostile.c tests/hostile/hostile.h \
	tests/hostile/secrets.c tests/hostile/network.c tests/hostile/ipc.c \
	tests/hostile/processes.c tests/hostile/filesystem.c tests/hostile/privileges.c \
	tests/hostile/terminal.c tests/hostile/resources.c tests/hostile/ownership.c
tests_hostile_hostile_CFLAGS = -std=gnu11 -O1 $(WARN_CFLAGS)
tests_hostile_hostile_LDFLAGS = -static

TESTS += tests/hostile/run-hostile
AM_TESTS_ENVIRONMENT += HOSTILE='$(abs_top_builddir)/tests/hostile/hostile'; export HOSTILE;
EXTRA_DIST += tests/hostile/run-hostile tests/hostile/hostile.py tests/hostile/test_secrets.py \
	tests/hostile/test_network.py tests/hostile/test_processes.py tests/hostile/test_filesystem.py \
	tests/hostile/test_privileges.py tests/hostile/test_terminal.py tests/hostile/test_resources.py \
	tests/hostile/test_buildtools.py tests/hostile/test_ownership.py
