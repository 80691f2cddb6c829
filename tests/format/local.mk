# SPDX-License-Identifier: Apache-2.0
# The C sources in the style of .clang-format (skipped without
# clang-format); `make format-check` runs the same check alone.
TESTS += tests/format/format-check
EXTRA_DIST += tests/format/format-check .clang-format
format-check:
	srcdir='$(srcdir)' $(SHELL) $(srcdir)/tests/format/format-check '$(abs_top_srcdir)'
.PHONY: format-check
