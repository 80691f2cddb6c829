# SPDX-License-Identifier: Apache-2.0
# The source tree follows the path data takes through `run`, each folder
# using only the folders below it:
#   cli      main and the verbs (run, spec, validate, check, features)
#   spec     the default wheel-build bundle that `spec` writes
#   check    the host probe behind `check`
#   sandbox  clone, id maps, PID 1, the payload's process, capabilities,
#            seccomp, the stdio and terminal relays, --stats
#   rootfs   the sandbox's root: mounts, paths resolved inside it, /dev,
#            mountinfo, the pid limit
#   bundle   config.json: JSON, parse, validate, name tables, diagnostics
#   common   errors, small utilities, the JSON writer, the --debug trace
# Everything but main.c goes into a static library so that unit tests and
# the fuzzer link the same code the binary runs.
noinst_LIBRARIES += src/libfmr.a
src_libfmr_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS) $(SECCOMP_CFLAGS) $(LIBCAP_CFLAGS)
src_libfmr_a_SOURCES = \
	src/common/error.c src/common/error.h src/common/exit_codes.h \
	src/common/diag.c src/common/diag.h \
	src/common/xalloc.c src/common/xalloc.h \
	src/common/util.c src/common/util.h src/common/syscalls.h \
	src/common/trace.c src/common/trace.h \
	src/common/jsongen.c src/common/jsongen.h \
	src/common/linediff.c src/common/linediff.h \
	src/bundle/bundle.h src/bundle/bundle.c \
	src/bundle/names.c src/bundle/names.h \
	src/bundle/config_json.c src/bundle/config_json.h src/bundle/json_arena.c src/bundle/json_arena.h \
	src/bundle/config_get.c src/bundle/config_get.h \
	src/bundle/config_parse.c src/bundle/config_parse.h \
	src/bundle/config_process.c \
	src/bundle/config_mounts.c \
	src/bundle/config_linux.c \
	src/bundle/config_seccomp.c \
	src/bundle/config_validate.c \
	src/bundle/config_kernel.c \
	src/bundle/config_sysctl.c \
	src/bundle/config_load.c src/bundle/config_load.h \
	src/bundle/overrides.c src/bundle/overrides.h \
	src/bundle/explain.c src/bundle/explain.h \
	src/rootfs/rootfs.c src/rootfs/rootfs.h \
	src/rootfs/pidlimit.c src/rootfs/pidlimit.h \
	src/rootfs/sysctl.c src/rootfs/sysctl.h \
	src/rootfs/mounts.c src/rootfs/mounts.h \
	src/rootfs/mountinfo.c src/rootfs/mountinfo.h \
	src/rootfs/devices.c src/rootfs/devices.h \
	src/rootfs/paths.c src/rootfs/paths.h \
	src/rootfs/sources.c src/rootfs/sources.h \
	src/sandbox/sandbox.c src/sandbox/sandbox.h \
	src/sandbox/sync.c src/sandbox/sync.h \
	src/sandbox/cpu_pin.c src/sandbox/cpu_pin.h \
	src/sandbox/idmap.c src/sandbox/idmap.h \
	src/sandbox/net.c src/sandbox/net.h \
	src/sandbox/caps.c src/sandbox/caps.h \
	src/sandbox/seccomp_filter.c src/sandbox/seccomp_filter.h \
	src/sandbox/seccomp_log.c src/sandbox/seccomp_log.h \
	src/sandbox/process.c src/sandbox/process.h \
	src/sandbox/init.c src/sandbox/init.h \
	src/sandbox/stats.c src/sandbox/stats.h \
	src/sandbox/console.c src/sandbox/console.h \
	src/sandbox/stdio_relay.c src/sandbox/stdio_relay.h \
	src/sandbox/escape_filter.c src/sandbox/escape_filter.h \
	src/sandbox/relay_stream.c src/sandbox/relay_stream.h \
	src/check/hostcheck.c src/check/hostcheck.h src/check/hostcheck_host.c \
	src/spec/spec.h src/spec/spec_config.c src/spec/spec_host.c src/spec/spec_proc.c src/spec/spec_safety.c src/spec/spec_env.c \
	src/spec/spec_ids.c src/spec/spec_owners.c \
	src/cli/commands.h \
	src/cli/cmd_run.c \
	src/cli/cmd_spec.c \
	src/cli/cmd_validate.c \
	src/cli/cmd_explain.c \
	src/cli/cmd_check.c \
	src/cli/cmd_features.c src/cli/cmd_options.c

# The default seccomp profile compiled at build time (seccomp_filter.h):
# gen_seccomp_default links libfmr.a without it and writes it; everything
# else links it from libfmr_bpf.a.  A cross build cannot run the generator
# and gets an empty program: there every filter is compiled at run time.
noinst_LIBRARIES += src/libfmr_bpf.a
nodist_src_libfmr_bpf_a_SOURCES = src/sandbox/seccomp-default-bpf.c
src_libfmr_bpf_a_CFLAGS = $(AM_CFLAGS)
BUILT_SOURCES += src/sandbox/seccomp-default-bpf.c
CLEANFILES += src/sandbox/seccomp-default-bpf.c
EXTRA_PROGRAMS = src/sandbox/gen_seccomp_default
CLEANFILES += src/sandbox/gen_seccomp_default$(EXEEXT)
src_sandbox_gen_seccomp_default_SOURCES = src/sandbox/gen_seccomp_default.c
src_sandbox_gen_seccomp_default_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
src_sandbox_gen_seccomp_default_LDADD = src/libfmr.a $(YAJL_LIBS) $(SECCOMP_LIBS) $(LIBCAP_LIBS)
if CROSS_COMPILING
src/sandbox/seccomp-default-bpf.c:
	$(AM_V_GEN)$(MKDIR_P) src/sandbox && \
	{ echo '/* Cross build: no precompiled default seccomp program. */'; \
	  echo '#include "config.h"'; echo '#include "sandbox/seccomp_filter.h"'; \
	  echo 'const struct fmr_precompiled_bpf fmr_seccomp_default_bpf = { 0 };'; } > $@
else
src/sandbox/seccomp-default-bpf.c: src/sandbox/gen_seccomp_default$(EXEEXT) $(top_srcdir)/schemas/seccomp-default.json
	$(AM_V_GEN)$(MKDIR_P) src/sandbox && \
	ASAN_OPTIONS=detect_leaks=0 src/sandbox/gen_seccomp_default$(EXEEXT) \
	  $(top_srcdir)/schemas/seccomp-default.json $@.tmp && mv $@.tmp $@
endif

FMR_LIBS = src/libfmr.a src/libfmr_bpf.a $(YAJL_LIBS) $(SECCOMP_LIBS) $(LIBCAP_LIBS)

bin_PROGRAMS += fmr-run
fmr_run_SOURCES = src/cli/main.c
fmr_run_CFLAGS = $(AM_CFLAGS)
fmr_run_LDADD = $(FMR_LIBS)
fmr_run_LDFLAGS = $(AM_LDFLAGS) $(STATIC_BINARY_LDFLAGS)

# BUILT_SOURCES covers `make`, `make all` and `make check`; this covers a
# lone `make fmr-run` in a fresh build tree too.
src/spec/libfmr_a-spec_config.$(OBJEXT): src/spec/seccomp-default.inc
