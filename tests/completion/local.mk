# SPDX-License-Identifier: Apache-2.0
# Shell completion: the bash completion sourced and driven through
# COMP_WORDS/COMPREPLY, the zsh one with the completion system's helpers
# stubbed, both against the built fmr-run's help texts.
TESTS += tests/completion/test_bash tests/completion/test_zsh
AM_TESTS_ENVIRONMENT += FMR_RUN='$(abs_top_builddir)/fmr-run'; FMR_TOP_SRCDIR='$(abs_top_srcdir)'; \
	export FMR_RUN FMR_TOP_SRCDIR;
EXTRA_DIST += tests/completion/test_bash tests/completion/test_zsh
