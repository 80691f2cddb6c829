# SPDX-License-Identifier: Apache-2.0

# The corpus: good configs accepted, bad ones refused with their messages.
TESTS += tests/corpus/run-corpus
EXTRA_DIST += tests/corpus/run-corpus tests/corpus/make-corpus.py tests/corpus/good tests/corpus/bad
