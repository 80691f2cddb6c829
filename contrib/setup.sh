#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# One command from a fresh Debian 12 machine (as root) to a working fmr-run:
#
#   contrib/setup.sh demo    install packages, build, run a real sandboxed demo
#   contrib/setup.sh check   install packages, build, run the whole test suite
#                            (warnings as errors; then again under ASan+UBSan)
#   contrib/setup.sh build   install packages and build only
#
# Builds go to _build/ (plain) and _build-asan/ (sanitizers) in the tree.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Everything the build, the tests and the benchmarks need, from Debian.
packages=(
  build-essential autoconf automake pkg-config
  libyajl-dev libseccomp-dev libcap-dev libcriterion-dev
  clang libclang-rt-14-dev help2man
  python3 python3-jsonschema python3-pep517 python3-setuptools python3-wheel python3-venv
  uidmap util-linux iproute2 procps crun bubblewrap hyperfine tmux
  cmake cargo  # tests/hostile/test_buildtools.py builds with them inside the sandbox
)

install_packages () {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: missing packages (run as root to install): ${missing[*]}" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build DIR CONFIGURE-ARGS...
build () {
  local dir=$1; shift
  [ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || ./autogen.sh
  mkdir -p "$dir"
  (cd "$dir" && "$top/configure" --quiet "$@" && make -j"$(nproc)" --no-print-directory)
}

# Print the plain summary line from automake's test results.
summarize () {
  local dir=$1 pass=0 fail=0 skip=0
  for trs in $(find "$dir" -name '*.trs'); do
    case "$(sed -n 's/^:test-result: //p' "$trs" | head -n1)" in
      PASS|XFAIL) pass=$((pass + 1)) ;;
      SKIP) skip=$((skip + 1)) ;;
      *) fail=$((fail + 1)) ;;
    esac
  done
  echo "$(basename "$dir"): $pass passed, $fail failed, $skip skipped"
}

run_check () {
  local dir=$1; shift
  build "$dir" "$@"
  local rc=0
  (cd "$dir" && make -j"$(nproc)" --no-print-directory check) || rc=$?
  if [ $rc -ne 0 ]; then
    find "$dir" -name '*.log' -newer "$dir/config.status" ! -name config.log ! -name test-suite.log \
      -exec grep -l -E '^(FAIL|ERROR)' {} + 2>/dev/null | head -n 20 | while read -r log; do
        echo "---- $log"; tail -n 60 "$log"; done
    [ -f "$dir/test-suite.log" ] && tail -n 80 "$dir/test-suite.log"
  fi
  summarize "$dir"
  return $rc
}

demo () {
  build _build --enable-werror
  local fmr="$top/_build/fmr-run"
  demo_dir=$(mktemp -d)
  trap 'rm -rf "$demo_dir"' EXIT
  # A caller with a credential in its home, as a wheel builder has.
  mkdir -p "$demo_dir/home" "$demo_dir/build"
  echo "machine pypi.example login builder password s3cret" > "$demo_dir/home/.netrc"
  echo '$ fmr-run spec --rw BUILD --cwd BUILD BUNDLE -- sh -c ...   # the default wheel-build sandbox'
  HOME="$demo_dir/home" "$fmr" spec --rw "$demo_dir/build" --cwd "$demo_dir/build" "$demo_dir/bundle" -- /bin/sh -c "
    echo \"inside: \$(id -u):\$(id -g), host name \$(cat /proc/sys/kernel/hostname)\"
    echo \"processes visible: \$(ls /proc | grep -c '^[0-9]')\"
    echo \"network interfaces: \$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')\"
    echo \"the caller's ~/.netrc: \$(cat $demo_dir/home/.netrc 2>&1)\"
    touch /usr/evil 2>&1 | sed 's/^/write to \/usr: /'
    echo built > wheel.txt && echo \"wrote \$(pwd)/wheel.txt in the writable build dir\""
  echo '$ fmr-run validate BUNDLE'
  "$fmr" validate "$demo_dir/bundle" && echo "valid"
  echo '$ fmr-run run BUNDLE'
  local rc=0
  HOME="$demo_dir/home" "$fmr" run "$demo_dir/bundle" || rc=$?
  echo "exit status $rc; on the host the build dir holds: $(cat "$demo_dir/build/wheel.txt")"
}

case "${1:-}" in
  demo) install_packages; demo ;;
  check)
    install_packages
    rc=0
    run_check _build --enable-werror || rc=1
    run_check _build-asan --enable-werror --enable-sanitizers || rc=1
    exit $rc ;;
  build) install_packages; build _build --enable-werror ;;
  *) echo "usage: contrib/setup.sh demo|check|build" >&2; exit 2 ;;
esac
