# SPDX-License-Identifier: Apache-2.0
# The default seccomp profile: `fmr-run spec` writes it into every bundle.
# It is compiled into the binary as a byte array (src/spec/seccomp-default.inc,
# made with od and sed, so no extra tool is needed) and installed for
# people and builders who want to read or reuse it.  OCI syscall entries
# have no comment field, so the JSON is generated from
# schemas/seccomp-default.rules, where each rule has its reason beside it,
# by schemas/seccomp-gen; both files are committed, and both are installed
# (with the .md that explains them), so that the reasons travel with it.
dist_pkgdata_DATA += schemas/seccomp-default.json schemas/seccomp-default.rules schemas/seccomp-default.md
EXTRA_DIST += schemas/seccomp-gen
BUILT_SOURCES += src/spec/seccomp-default.inc
CLEANFILES += src/spec/seccomp-default.inc

src/spec/seccomp-default.inc: $(top_srcdir)/schemas/seccomp-default.json
	$(AM_V_GEN)$(MKDIR_P) src/spec && \
	{ echo '/* Generated from schemas/seccomp-default.json by schemas/local.mk. */'; \
	  od -A n -v -t x1 $(top_srcdir)/schemas/seccomp-default.json | \
	    sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1, /g' -e 's/, $$/,/'; \
	  echo '0x00'; } > $@.tmp && mv $@.tmp $@

# After editing the rules: rewrite schemas/seccomp-default.json in the
# source tree (tests/schema/profile-up-to-date fails while they disagree).
# Not a dependency of the build: the JSON in the tree is the one shipped.
seccomp-profile:
	$(AM_V_GEN)$(PYTHON3) $(top_srcdir)/schemas/seccomp-gen \
	  $(top_srcdir)/schemas/seccomp-default.rules $(top_srcdir)/schemas/seccomp-default.json
.PHONY: seccomp-profile

# The JSON Schema of the config.json fmr-run accepts (checked against
# `fmr-run validate` by tests/schema/schema-agreement).
dist_pkgdata_DATA += schemas/config.schema.json
