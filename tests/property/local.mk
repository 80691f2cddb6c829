# SPDX-License-Identifier: Apache-2.0
# validate == run: a few hundred random bundles from a fixed seed, each
# validated and run (/bin/true), as root and as nobody.  By hand:
#   FMR_PROPERTY_COUNT=5000 FMR_PROPERTY_SEED=N FMR_RUN=./fmr-run tests/property/validate-equals-run
TESTS += tests/property/validate-equals-run
EXTRA_DIST += tests/property/validate-equals-run
