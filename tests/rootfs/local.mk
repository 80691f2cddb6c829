# SPDX-License-Identifier: Apache-2.0
# rootfs_setup for real: each test forks a process that enters its own user,
# mount, pid (and net, ipc) namespaces, builds a root and checks it from
# inside.  run-as-nobody.sh runs the same tests as an unprivileged user.
if HAVE_CRITERION
check_PROGRAMS += tests/rootfs/test_rootfs tests/rootfs/test_paths
tests_rootfs_test_rootfs_SOURCES = tests/rootfs/test_rootfs.c tests/criterion-skip.c
tests_rootfs_test_rootfs_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_rootfs_test_rootfs_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
tests_rootfs_test_paths_SOURCES = tests/rootfs/test_paths.c tests/criterion-skip.c
tests_rootfs_test_paths_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
tests_rootfs_test_paths_LDADD = $(FMR_LIBS) $(CRITERION_LIBS)
TESTS += tests/rootfs/test_rootfs tests/rootfs/test_paths tests/rootfs/run-as-nobody.sh
endif
EXTRA_DIST += tests/rootfs/run-as-nobody.sh
