# SPDX-License-Identifier: Apache-2.0
# Each kind of test lists itself in its own fragment.
include tests/unit/local.mk
include tests/schema/local.mk
include tests/integration/local.mk
include tests/fuzz/local.mk
include tests/rootfs/local.mk
include tests/spec/local.mk
include tests/run-unit/local.mk
include tests/wheels/local.mk
include tests/check/local.mk
include tests/hostile/local.mk
include tests/debug/local.mk
include tests/containers/local.mk
include tests/completion/local.mk
include tests/install/local.mk
include tests/packaging/local.mk
include tests/multistep/local.mk
include tests/property/local.mk
include tests/docs/local.mk
include tests/format/local.mk
