# SPDX-License-Identifier: Apache-2.0
# The multi-step suite (tests/multistep/multistep.py): a step plants, a
# later step or the host must see nothing of it; as root and as nobody.
TESTS += tests/multistep/run-multistep
EXTRA_DIST += tests/multistep/run-multistep tests/multistep/multistep.py tests/multistep/test_rerun.py \
	tests/multistep/test_helpers.py
