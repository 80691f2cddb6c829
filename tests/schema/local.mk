# SPDX-License-Identifier: Apache-2.0
# schemas/config.schema.json and `fmr-run validate` agree on the corpus,
# the example bundles and what `fmr-run spec` writes.
TESTS += tests/schema/schema-agreement
EXTRA_DIST += tests/schema/schema-agreement tests/corpus/schema-blind.txt
AM_TESTS_ENVIRONMENT += FMR_RUN='$(abs_top_builddir)/fmr-run'; export FMR_RUN;
# schemas/seccomp-default.json is what schemas/seccomp-gen makes of
# schemas/seccomp-default.rules; seccomp-gen refuses a rule without a reason.
TESTS += tests/schema/profile-up-to-date
EXTRA_DIST += tests/schema/profile-up-to-date
