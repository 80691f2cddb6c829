# SPDX-License-Identifier: Apache-2.0
# The Python side for wheel builders: the fmr_sandbox package (emitter,
# environment filter, fromager plugin, pyproject_hooks runner) and the
# fmr-isolate wrapper, installed under $(pkgdatadir)/fromager; bin/fmr-isolate
# is a small shell wrapper that runs it with the installed fmr-run.
fmrfromagerdir = $(pkgdatadir)/fromager
dist_fmrfromager_DATA = contrib/fromager/README.md
dist_fmrfromager_SCRIPTS = contrib/fromager/fmr-isolate
fmrsandboxdir = $(pkgdatadir)/fromager/fmr_sandbox
dist_fmrsandbox_DATA = contrib/fromager/fmr_sandbox/__init__.py contrib/fromager/fmr_sandbox/bundle.py \
	contrib/fromager/fmr_sandbox/envfilter.py contrib/fromager/fmr_sandbox/hookcall.py \
	contrib/fromager/fmr_sandbox/isolate.py contrib/fromager/fmr_sandbox/plugin.py \
	contrib/fromager/fmr_sandbox/runner.py contrib/fromager/fmr_sandbox/step.py

bin_SCRIPTS += fmr-isolate
CLEANFILES += fmr-isolate
EXTRA_DIST += contrib/fromager/fmr-isolate.in
fmr-isolate: $(top_srcdir)/contrib/fromager/fmr-isolate.in Makefile
	$(AM_V_GEN)sed -e 's|@pkgdatadir[@]|$(pkgdatadir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	  $(top_srcdir)/contrib/fromager/fmr-isolate.in > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
