# SPDX-License-Identifier: Apache-2.0
# The Python side for wheel builders: the fmr_sandbox package (emitter,
# environment filter, fromager plugin, pyproject_hooks runner) installed in
# $(fmrpythondir) (configure --with-pythondir; by default
# $(pkgdatadir)/fromager, the packages use the system's site-packages), and
# bin/fmr-isolate, a small shell wrapper that runs the package's fmr-isolate
# with the interpreter chosen at install time.  contrib/fromager/pyproject.toml
# makes the same directory a Python distribution (the wheel: setup.py).
fmrfromagerdir = $(pkgdatadir)/fromager
dist_fmrfromager_DATA = contrib/fromager/README.md
fmrsandboxdir = $(fmrpythondir)/fmr_sandbox
dist_fmrsandbox_DATA = contrib/fromager/fmr_sandbox/__init__.py contrib/fromager/fmr_sandbox/bundle.py \
	contrib/fromager/fmr_sandbox/guard.py contrib/fromager/fmr_sandbox/hookcall.py \
	contrib/fromager/fmr_sandbox/isolate.py contrib/fromager/fmr_sandbox/keep.py \
	contrib/fromager/fmr_sandbox/plugin.py \
	contrib/fromager/fmr_sandbox/runner.py contrib/fromager/fmr_sandbox/step.py \
	contrib/fromager/fmr_sandbox/shipped.py
EXTRA_DIST += contrib/fromager/fmr-isolate contrib/fromager/fmr-isolate.in \
	contrib/fromager/pyproject.toml contrib/fromager/setup.py

# bin/fmr-isolate is written at install time, not at configure time, from the
# directories `make install` is given (`make install prefix=/x` works): the
# interpreter is $(PYTHON3), and the package is found relative to the
# script's own directory, so DESTDIR staging and packages need no rewrite.
install-exec-local:
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	rel=`$(PYTHON3) -c 'import os, sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' \
	  '$(fmrpythondir)' '$(bindir)'` && \
	sed -e "s|@bindir_to_pythondir[@]|$$rel|g" -e 's|@PYTHON3[@]|$(PYTHON3)|g' \
	  $(top_srcdir)/contrib/fromager/fmr-isolate.in > '$(DESTDIR)$(bindir)/fmr-isolate.tmp' && \
	chmod 755 '$(DESTDIR)$(bindir)/fmr-isolate.tmp' && \
	mv -f '$(DESTDIR)$(bindir)/fmr-isolate.tmp' '$(DESTDIR)$(bindir)/fmr-isolate'
# Running the installed package leaves byte code beside it.
uninstall-local:
	rm -f '$(DESTDIR)$(bindir)/fmr-isolate'
	rm -rf '$(DESTDIR)$(fmrsandboxdir)/__pycache__'
