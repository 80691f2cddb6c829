# SPDX-License-Identifier: Apache-2.0
# Everything but main.c goes into a static library so that unit tests and the
# fuzzer link the same code the binary runs.
noinst_LIBRARIES += src/libfmr.a
src_libfmr_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS) $(LIBCAP_CFLAGS)
src_libfmr_a_SOURCES = \
	src/error.c src/error.h \
	src/diag.c src/diag.h \
	src/util.c src/util.h \
	src/names.c src/names.h \
	src/bundle.h src/config_load.h src/commands.h \
	src/config_json.c src/config_json.h src/json_arena.c src/json_arena.h \
	src/config_get.c src/config_get.h \
	src/config_parse.c src/config_parse.h \
	src/config_process.c \
	src/config_mounts.c \
	src/config_linux.c \
	src/config_seccomp.c \
	src/config_validate.c \
	src/config_load.c \
	src/cmd_run.c \
	src/cmd_spec.c \
	src/spec.h src/spec_config.c src/spec_host.c \
	src/spec_jsongen.c src/spec_jsongen.h \
	src/cmd_validate.c \
	src/cmd_check.c \
	src/hostcheck.c src/hostcheck.h src/hostcheck_host.c \
	src/cmd_features.c src/cmd_options.c \
	src/rootfs.c \
	src/pidlimit.c src/pidlimit.h \
	src/mounts.c src/mounts.h \
	src/mountinfo.c src/mountinfo.h \
	src/devices.c src/devices.h \
	src/paths.c src/paths.h \
	src/sandbox.c src/sandbox.h \
	src/sync.c src/sync.h \
	src/idmap.c src/idmap.h \
	src/net.c src/net.h \
	src/caps.c src/caps.h \
	src/seccomp_filter.c src/seccomp_filter.h \
	src/process.c src/process.h \
	src/init.c src/init.h \
	src/stats.c src/stats.h \
	src/console.c src/console.h \
	src/stdio_relay.c src/stdio_relay.h

FMR_LIBS = src/libfmr.a $(YAJL_LIBS) $(SECCOMP_LIBS) $(LIBCAP_LIBS)

bin_PROGRAMS += fmr-run
fmr_run_SOURCES = src/main.c
fmr_run_CFLAGS = $(AM_CFLAGS)
fmr_run_LDADD = $(FMR_LIBS)

# BUILT_SOURCES covers `make`, `make all` and `make check`; this covers a
# lone `make fmr-run` in a fresh build tree too.
src/libfmr_a-spec_config.$(OBJEXT): src/seccomp-default.inc
