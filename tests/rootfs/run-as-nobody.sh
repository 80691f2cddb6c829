#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The rootfs tests again as an unprivileged user (65534): user namespaces
# must be enough, nothing may rely on the caller being root.
set -eu
tests="./tests/rootfs/test_rootfs ./tests/rootfs/test_paths"
if [ "$(id -u)" != 0 ]; then
  nobody=""
elif command -v setpriv >/dev/null 2>&1; then
  nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
  echo "setpriv not found: skipped"; exit 77
fi
for t in $tests; do
  if ! $nobody test -x "$t"; then
    echo "$t is not reachable by uid 65534 (build directory permissions): skipped"; exit 77
  fi
done
for t in $tests; do
  $nobody "$t"
done
