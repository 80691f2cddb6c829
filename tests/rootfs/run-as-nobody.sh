#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The rootfs tests again as an unprivileged user (65534): user namespaces
# must be enough, nothing may rely on the caller being root.
set -eu
if [ "$(id -u)" != 0 ]; then
  exec ./tests/rootfs/test_rootfs
fi
if ! command -v setpriv >/dev/null 2>&1; then
  echo "setpriv not found: skipped"; exit 77
fi
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
if ! $nobody test -x ./tests/rootfs/test_rootfs; then
  echo "the build directory is not reachable by uid 65534: skipped"; exit 77
fi
exec $nobody ./tests/rootfs/test_rootfs
