# SPDX-License-Identifier: Apache-2.0
# The fuzz harness (fuzz_config.c: bytes through config_parse and
# config_validate) runs three ways:
# - fuzz-replay, in every `make check`: the seed corpora through the harness,
#   built with the project's compiler and flags (sanitizers in the ASan build);
# - fuzz-smoke, in every `make check` where clang can link libFuzzer (skipped,
#   exit 77, where it cannot): 2000 inputs with a fixed seed, so the libFuzzer
#   build cannot rot;
# - `make fuzz FUZZ_SECONDS=600`: fuzzing for real.  New inputs go to
#   tests/fuzz/found and crashes to tests/fuzz/artifacts in the build tree,
#   never into the source tree.
check_PROGRAMS += tests/fuzz/fuzz_replay
tests_fuzz_fuzz_replay_SOURCES = tests/fuzz/fuzz_config.c tests/fuzz/replay_main.c
tests_fuzz_fuzz_replay_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
tests_fuzz_fuzz_replay_LDADD = $(FMR_LIBS)
TESTS += tests/fuzz/fuzz-replay tests/fuzz/fuzz-smoke
AM_TESTS_ENVIRONMENT += srcdir='$(srcdir)'; export srcdir;
EXTRA_DIST += tests/fuzz/fuzz-replay tests/fuzz/fuzz-smoke tests/fuzz/config.dict tests/fuzz/corpus

# The libFuzzer build compiles the parser's sources itself with clang instead
# of linking src/libfmr.a: that one is gcc's, possibly with other sanitizer
# flags, and libFuzzer needs clang's coverage instrumentation in the code it
# explores.
FUZZ_SECONDS = 60
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -std=gnu11 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
fuzz_sources = $(top_srcdir)/tests/fuzz/fuzz_config.c \
	$(top_srcdir)/src/common/error.c $(top_srcdir)/src/common/diag.c $(top_srcdir)/src/common/util.c $(top_srcdir)/src/common/xalloc.c \
	$(top_srcdir)/src/bundle/bundle.c $(top_srcdir)/src/bundle/names.c $(top_srcdir)/src/bundle/config_json.c \
	$(top_srcdir)/src/bundle/json_arena.c $(top_srcdir)/src/bundle/config_get.c \
	$(top_srcdir)/src/bundle/config_parse.c $(top_srcdir)/src/bundle/config_process.c \
	$(top_srcdir)/src/bundle/config_mounts.c $(top_srcdir)/src/bundle/config_linux.c \
	$(top_srcdir)/src/bundle/config_seccomp.c $(top_srcdir)/src/bundle/config_validate.c \
	$(top_srcdir)/src/bundle/config_kernel.c $(top_srcdir)/src/bundle/config_sysctl.c \
	$(top_srcdir)/src/bundle/config_load.c
fuzz_headers = $(top_builddir)/config.h $(top_srcdir)/src/bundle/bundle.h \
	$(top_srcdir)/src/bundle/config_get.h $(top_srcdir)/src/bundle/config_json.h \
	$(top_srcdir)/src/bundle/config_load.h $(top_srcdir)/src/bundle/config_parse.h \
	$(top_srcdir)/src/bundle/json_arena.h $(top_srcdir)/src/bundle/names.h \
	$(top_srcdir)/src/common/diag.h $(top_srcdir)/src/common/error.h $(top_srcdir)/src/common/util.h $(top_srcdir)/src/common/xalloc.h
fuzz_build = $(FUZZ_CC) $(FUZZ_CFLAGS) -I$(top_builddir) -I$(top_srcdir)/src \
	$(YAJL_CFLAGS) $(SECCOMP_CFLAGS) $(LIBCAP_CFLAGS) $(fuzz_sources) \
	$(YAJL_LIBS) $(SECCOMP_LIBS) $(LIBCAP_LIBS) -o tests/fuzz/fuzz_config
fuzz_corpora = $(top_srcdir)/tests/fuzz/corpus $(top_srcdir)/tests/corpus/good $(top_srcdir)/tests/corpus/bad

tests/fuzz/fuzz_config: $(fuzz_sources) $(fuzz_headers)
	$(AM_V_GEN)$(MKDIR_P) tests/fuzz && $(fuzz_build)

# For `make check`: build the fuzzer when clang links a libFuzzer program,
# else leave it out so that fuzz-smoke skips.
tests/fuzz/fuzzer.stamp: $(fuzz_sources) $(fuzz_headers)
	$(AM_V_GEN)$(MKDIR_P) tests/fuzz && rm -f tests/fuzz/fuzz_config && \
	if printf 'int LLVMFuzzerTestOneInput (const char *d, unsigned long n) { return 0; }\n' | \
	     $(FUZZ_CC) $(FUZZ_CFLAGS) -x c - -o tests/fuzz/probe.tmp >/dev/null 2>&1; then \
	  rm -f tests/fuzz/probe.tmp && $(fuzz_build); \
	else \
	  rm -f tests/fuzz/probe.tmp; \
	  echo "fuzz: $(FUZZ_CC) cannot link a libFuzzer program (Debian: clang libclang-rt-14-dev); fuzz-smoke will skip"; \
	fi && touch $@
# (Makefile.am declares no check_DATA; if it ever does, make this +=.)
check_DATA = tests/fuzz/fuzzer.stamp

fuzz: tests/fuzz/fuzz_config
	$(MKDIR_P) tests/fuzz/found tests/fuzz/artifacts
	tests/fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	  -artifact_prefix=tests/fuzz/artifacts/ -dict=$(top_srcdir)/tests/fuzz/config.dict \
	  tests/fuzz/found $(fuzz_corpora)
.PHONY: fuzz
CLEANFILES += tests/fuzz/fuzz_config tests/fuzz/fuzzer.stamp
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/found tests/fuzz/artifacts tests/fuzz/smoke.*
.PHONY: clean-fuzz
