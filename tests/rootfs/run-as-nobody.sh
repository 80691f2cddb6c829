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
# Each program exits 77 when some of its tests were skipped (and none
# failed): run them all, then fail on a failure, else say SKIP.
status=0
for t in $tests; do
  rc=0
  $nobody "$t" || rc=$?
  if [ "$rc" = 77 ] && [ "$status" = 0 ]; then
    status=77
  elif [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
    status=1
  fi
done
exit $status
