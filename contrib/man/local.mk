# SPDX-License-Identifier: Apache-2.0
# fmr-isolate.1 is written by hand (a short page; its settings are those
# of contrib/fromager/README.md).  fmr-run's man page is generated from the
# binary's own help texts (one source):
# help2man makes the synopsis, description and options from `fmr-run --help`
# and `--version`; commands-h2m adds every verb's --help as [COMMANDS] and
# their "Exit status" paragraphs as [EXIT STATUS]; fmr-run.h2m holds only
# what no --help says.  The page is shipped in the tarball, and it depends on
# the sources of those texts (not on the binary), so a build from the tarball
# finds it up to date and needs no help2man.
man1_MANS += contrib/man/fmr-run.1 contrib/man/fmr-isolate.1
EXTRA_DIST += contrib/man/fmr-run.1 contrib/man/fmr-isolate.1 contrib/man/fmr-run.h2m contrib/man/commands-h2m
MAINTAINERCLEANFILES = contrib/man/fmr-run.1
CLEANFILES += contrib/man/fmr-run.h2m.tmp contrib/man/fmr-run.1.tmp
man_help_sources = $(top_srcdir)/src/cli/main.c $(top_srcdir)/src/cli/cmd_run.c $(top_srcdir)/src/cli/cmd_spec.c \
	$(top_srcdir)/src/cli/cmd_validate.c $(top_srcdir)/src/cli/cmd_explain.c $(top_srcdir)/src/cli/cmd_check.c $(top_srcdir)/src/cli/cmd_features.c \
	$(top_srcdir)/configure.ac
contrib/man/fmr-run.1: $(man_help_sources) $(top_srcdir)/contrib/man/fmr-run.h2m \
		$(top_srcdir)/contrib/man/commands-h2m | fmr-run$(EXEEXT)
	@test -n "$(HELP2MAN)" || { echo "$@ is out of date and help2man is missing (Debian: help2man)" >&2; exit 1; }
	$(AM_V_GEN)$(MKDIR_P) contrib/man && \
	{ sed -e 's|@pkgdatadir[@]|$(pkgdatadir)|g' $(top_srcdir)/contrib/man/fmr-run.h2m && \
	  $(SHELL) $(top_srcdir)/contrib/man/commands-h2m ./fmr-run$(EXEEXT); } > contrib/man/fmr-run.h2m.tmp && \
	$(HELP2MAN) --no-info --include=contrib/man/fmr-run.h2m.tmp --output=$@.tmp ./fmr-run$(EXEEXT) && \
	rm -f contrib/man/fmr-run.h2m.tmp && mv $@.tmp $@
