# SPDX-License-Identifier: Apache-2.0
# The man page is generated from the binary's own --help texts (one source):
# help2man for the synopsis and options, every verb's --help as COMMANDS,
# and fmr-run.h2m for what --help does not say.
man1_MANS += contrib/man/fmr-run.1
CLEANFILES += contrib/man/fmr-run.1 contrib/man/commands.h2m
EXTRA_DIST += contrib/man/fmr-run.h2m
contrib/man/fmr-run.1: fmr-run$(EXEEXT) $(top_srcdir)/contrib/man/fmr-run.h2m
	$(AM_V_GEN)$(MKDIR_P) contrib/man && \
	{ cat $(top_srcdir)/contrib/man/fmr-run.h2m; echo '[COMMANDS]'; \
	  for v in run spec validate check features; do \
	    echo ".SS \"fmr-run $$v\""; echo '.nf'; \
	    ./fmr-run$(EXEEXT) $$v --help 2>&1 | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e 's/^'"'"'/\\\&'"'"'/'; \
	    echo '.fi'; \
	  done; } > contrib/man/commands.h2m && \
	$(HELP2MAN) --no-info --name='run a wheel build step in a sandbox described by an OCI bundle' \
	  --include=contrib/man/commands.h2m --output=$@ ./fmr-run$(EXEEXT)
