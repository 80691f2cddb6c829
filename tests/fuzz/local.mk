# SPDX-License-Identifier: Apache-2.0
# The fuzz harness is replayed over the seed corpora in every `make check`
# (fuzz-replay), and fuzzed for real by `make fuzz` with clang's libFuzzer:
#   make fuzz FUZZ_SECONDS=600
check_PROGRAMS += tests/fuzz/fuzz_replay
tests_fuzz_fuzz_replay_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_replay_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_fuzz_fuzz_replay_LDADD = $(FMR_LIBS)
TESTS += tests/fuzz/fuzz-replay
AM_TESTS_ENVIRONMENT += srcdir='$(srcdir)'; export srcdir;
EXTRA_DIST += tests/fuzz/fuzz-replay tests/fuzz/config.dict tests/fuzz/corpus

FUZZ_SECONDS = 60
FUZZ_CC = clang
fuzz_parser_files = $(top_srcdir)/src/error.c $(top_srcdir)/src/diag.c $(top_srcdir)/src/util.c \
	$(top_srcdir)/src/names.c $(top_srcdir)/src/config_json.c $(top_srcdir)/src/config_get.c \
	$(top_srcdir)/src/config_parse.c $(top_srcdir)/src/config_process.c $(top_srcdir)/src/config_mounts.c \
	$(top_srcdir)/src/config_linux.c $(top_srcdir)/src/config_seccomp.c $(top_srcdir)/src/config_validate.c \
	$(top_srcdir)/src/config_load.c
fuzz:
	$(FUZZ_CC) -g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -I$(top_builddir) -I$(top_srcdir)/src $(YAJL_CFLAGS) $(SECCOMP_CFLAGS) $(LIBCAP_CFLAGS) \
	  $(top_srcdir)/tests/fuzz/fuzz_config.c $(fuzz_parser_files) \
	  $(YAJL_LIBS) $(SECCOMP_LIBS) $(LIBCAP_LIBS) -o tests/fuzz/fuzz_config
	mkdir -p tests/fuzz/found
	tests/fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	  -dict=$(top_srcdir)/tests/fuzz/config.dict tests/fuzz/found \
	  $(top_srcdir)/tests/fuzz/corpus $(top_srcdir)/tests/corpus/good $(top_srcdir)/tests/corpus/bad
.PHONY: fuzz
CLEANFILES += tests/fuzz/fuzz_config
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/found
.PHONY: clean-fuzz
