# SPDX-License-Identifier: Apache-2.0
# Debugging a step: run --shell (in a tmux pane), --env/--rw/--ro,
# --seccomp-log, and explain checked against what the probe sees.
TESTS += tests/debug/run-debug
EXTRA_DIST += tests/debug/run-debug tests/debug/test_shell.py tests/debug/test_overrides.py tests/debug/test_explain.py tests/debug/test_seccomp_log.py
# No test keeps the bundles of the failed steps it provokes in the user's
# state directory (fmr_sandbox/keep.py); tests/wheels/wheeltest.py turns
# keeping back on into a scratch directory to test it.
AM_TESTS_ENVIRONMENT += FMR_KEEP_FAILED=0; export FMR_KEEP_FAILED;
