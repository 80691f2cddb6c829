# SPDX-License-Identifier: Apache-2.0
# Example bundles (written by `fmr-run spec`), installed for reference.
nobase_dist_pkgdata_DATA += contrib/bundles/README.md contrib/bundles/build-wheel/config.json \
	contrib/bundles/install-deps/config.json \
	contrib/bundles/minimal/config.json contrib/bundles/custom-seccomp/config.json
include contrib/man/local.mk

# The benchmarks, for running against an installed fmr-run.
nobase_dist_pkgdata_SCRIPTS = contrib/bench/startup contrib/bench/parse contrib/bench/wheel-overhead contrib/bench/stdio
nobase_dist_pkgdata_DATA += contrib/bench/floor.c contrib/bench/interleave.c
EXTRA_DIST += contrib/setup.sh
include contrib/fromager/local.mk
include contrib/completion/local.mk

# Packaging: contrib/setup.sh packages builds each from the tarball.
EXTRA_DIST += contrib/debian/changelog contrib/debian/control contrib/debian/copyright \
	contrib/debian/docs contrib/debian/rules contrib/debian/source/format contrib/debian/fmr-run.lintian-overrides \
	contrib/rpm/fmr-run.spec
