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
	src/cmd_run.c \
	src/cmd_spec.c \
	src/cmd_validate.c \
	src/cmd_check.c \
	src/cmd_features.c \
	src/rootfs.c \
	src/mounts.c src/mounts.h \
	src/mountinfo.c src/mountinfo.h \
	src/devices.c src/devices.h \
	src/paths.c src/paths.h

FMR_LIBS = src/libfmr.a $(YAJL_LIBS) $(SECCOMP_LIBS) $(LIBCAP_LIBS)

bin_PROGRAMS += fmr-run
fmr_run_SOURCES = src/main.c
fmr_run_CFLAGS = $(AM_CFLAGS)
fmr_run_LDADD = $(FMR_LIBS)
