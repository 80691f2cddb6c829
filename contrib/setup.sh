#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# One command from a fresh Debian 12 machine (as root) to a working fmr-run:
#
#   contrib/setup.sh demo    install packages, build, run a real sandboxed demo
#   contrib/setup.sh check   install packages, build, run the whole test suite
#                            (warnings as errors; then again under ASan+UBSan)
#   contrib/setup.sh build   install packages and build only
#   contrib/setup.sh packages  build the release tarball, the wheel (with a
#                            static fmr-run), the .deb and the .rpm into _dist/
#
# Builds go to _build/ (plain) and _build-asan/ (sanitizers) in the tree;
# check also builds the packages, installs each into a scratch location (a
# directory for the .deb and the .rpm, a fresh venv for the wheel) and runs
# the demo with each installed copy.  Nothing is installed on the host.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# Everything the build, the tests and the benchmarks need, from Debian.
packages=(
  build-essential autoconf automake pkg-config
  libyajl-dev libseccomp-dev libcap-dev libcriterion-dev
  clang libclang-rt-14-dev clang-format help2man
  python3 python3-jsonschema python3-pep517 python3-setuptools python3-wheel python3-venv
  python3-build dpkg-dev debhelper dh-python lintian rpm zsh  # contrib/setup.sh packages; completion tests
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

# Scratch directories, removed when the script exits.
scratch_dirs=()
trap 'rm -rf "${scratch_dirs[@]}"' EXIT
# scratch VAR: a new scratch directory in VAR (not through $(...): a
# subshell's scratch_dirs would be lost, and the directory left behind).
scratch () {
  local -n scratch_out=$1
  scratch_out=$(mktemp -d)
  scratch_dirs+=("$scratch_out")
}

# run_demo FMR-RUN: a real sandboxed build step with that fmr-run binary;
# fails unless the step ran and wrote its output.
run_demo () {
  local fmr=$1 demo_dir
  demo_dir=$(mktemp -d); scratch_dirs+=("$demo_dir")
  # A caller with a credential in its home, as a wheel builder has.
  mkdir -p "$demo_dir/home" "$demo_dir/build"
  echo "machine pypi.example login builder password s3cret" > "$demo_dir/home/.netrc"
  echo "# fmr-run is $fmr"
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
  echo "exit status $rc; on the host the build dir holds: $(cat "$demo_dir/build/wheel.txt" 2>&1)"
  [ $rc -eq 0 ] && [ "$(cat "$demo_dir/build/wheel.txt" 2>/dev/null)" = built ]
}

demo () {
  build _build --enable-werror
  run_demo "$top/_build/fmr-run"
}

version=$(sed -n 's/^AC_INIT(\[fmr-run\], \[\([^]]*\)\].*/\1/p' configure.ac)
# What distcheck runs from the read-only copy of the tarball: the install,
# completion, docs and version tests, which need none of the check programs
# (check_PROGRAMS= spares building them; the whole suite runs in check's own
# builds, and a plain `make distcheck` runs all of it).
distcheck_tests="tests/install/test_install tests/completion/test_bash tests/completion/test_zsh tests/docs/test_docs.py tests/packaging/test_versions"

# packages: everything is built from the release tarball in scratch
# directories, so what ships is what `make dist` holds and the tree's own
# builds stay as they are.
packages () {
  local t0=$SECONDS
  build _build --enable-werror
  rm -rf _dist && mkdir _dist
  local s tarball=$top/_dist/fmr-run-$version.tar.xz
  scratch s
  echo "setup.sh: make distcheck (TESTS=$distcheck_tests)"
  (cd _build && make --no-print-directory -s distcheck TESTS="$distcheck_tests" check_PROGRAMS= >"$s/distcheck.log" 2>&1) ||
    { tail -n 60 "$s/distcheck.log"; return 1; }
  cp "_build/fmr-run-$version.tar.xz" "$tarball"

  # The wheel: fmr_sandbox and a static fmr-run (contrib/fromager/setup.py).
  echo "setup.sh: wheel (at $((SECONDS - t0))s)"
  mkdir "$s/wheel" && tar -C "$s/wheel" -xf "$tarball"
  local src=$s/wheel/fmr-run-$version
  (cd "$src" && ./configure --quiet --enable-static-binary && make -j"$(nproc)" V=1 fmr-run) >"$s/wheel.log" 2>&1 ||
    { tail -n 40 "$s/wheel.log"; return 1; }
  # A static glibc program that calls NSS, iconv or locale functions loads
  # shared modules at run time after all; the linker warns, and so do we.
  if grep -i 'statically linked applications requires' "$s/wheel.log"; then
    echo "setup.sh: the static fmr-run uses a function that needs glibc's shared modules" >&2
    return 1
  fi
  cp -r "$src/contrib/fromager" "$s/wheel/project"
  cp "$src/COPYING" "$s/wheel/project/"
  strip -o "$s/wheel/project/fmr-run" "$src/fmr-run"
  (cd "$s/wheel/project" && FMR_WHEEL_BINARY=fmr-run /usr/bin/python3 -m build --no-isolation --wheel \
    --outdir "$top/_dist" .) >"$s/wheel.log" 2>&1 || { tail -n 40 "$s/wheel.log"; return 1; }

  # The .deb: contrib/debian becomes debian/ in the unpacked tarball.
  echo "setup.sh: .deb (at $((SECONDS - t0))s)"
  mkdir "$s/deb" && tar -C "$s/deb" -xf "$tarball"
  cp -r "$s/deb/fmr-run-$version/contrib/debian" "$s/deb/fmr-run-$version/debian"
  (cd "$s/deb/fmr-run-$version" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$s/deb.log" 2>&1 ||
    { tail -n 40 "$s/deb.log"; return 1; }
  cp "$s"/deb/fmr-run_*.deb _dist/   # not the -dbgsym package
  echo "setup.sh: lintian (contrib/debian/fmr-run.lintian-overrides explains what it still says)"
  # lintian leaves a database file in /tmp whatever TMPDIR says: remove the
  # ones this run made.
  local before; before=$(ls /tmp/mldbm-elf-* 2>/dev/null || true)
  local lint=0
  lintian --fail-on error,warning --display-info _dist/*.deb || lint=$?
  for f in /tmp/mldbm-elf-*; do
    [ -e "$f" ] && ! grep -qxF "$f" <<<"$before" && rm -f "$f"
  done
  [ $lint -eq 0 ] || return 1

  # The .rpm, with Debian's rpm: --nodeps, as Debian's packages are not in
  # an rpm database (contrib/rpm/fmr-run.spec).
  echo "setup.sh: .rpm (at $((SECONDS - t0))s)"
  rpmbuild --define "_topdir $s/rpm" --nodeps -tb "$tarball" >"$s/rpm.log" 2>&1 ||
    { tail -n 40 "$s/rpm.log"; return 1; }
  cp "$s"/rpm/RPMS/*/*.rpm _dist/
  ls -l _dist
  echo "setup.sh: packages built in $((SECONDS - t0))s"
}

# check_installed NAME PREFIX-BIN [PYTHON [PYTHONPATH]]: the demo and
# fmr-isolate with an installed copy; its fmr_sandbox finds its own fmr-run.
check_installed () {
  local name=$1 bin=$2 python=${3:-/usr/bin/python3} pypath=${4:-} out
  echo "== $name: $bin"
  run_demo "$bin/fmr-run" || { echo "setup.sh: the demo failed with $name" >&2; return 1; }
  # Its warnings (a working directory it will not make writable) on stderr.
  # HOME is not a parent of the installation: fmr-isolate binds nothing in a home.
  local home; scratch home
  out=$(cd "$(dirname "$bin")" && env -i PATH=/usr/bin:/bin HOME="$home" "$bin/fmr-isolate" /bin/sh -c 'echo isolated') &&
    [ "$out" = isolated ] || { echo "setup.sh: fmr-isolate from $name printed: $out" >&2; return 1; }
  # In a scratch root the system's site-packages is not where the package
  # is, so only the venv shows the package finding its own fmr-run; the
  # others get it from PATH, as /usr/bin is on it when really installed.
  out=$(env -i PATH="$bin:/usr/bin:/bin" ${pypath:+PYTHONPATH=$pypath} FMR_RUN=/nonexistent "$python" -c \
        'import fmr_sandbox; print(fmr_sandbox.find_fmr_run())' 2>&1)
  echo "fmr_sandbox.find_fmr_run() from $name: $out"
  case $name in
    wheel) [ "$out" = "$bin/fmr-run" ] ;;
    *) [ "$out" = /nonexistent ] ;;
  esac || { echo "setup.sh: $name's fmr_sandbox finds $out" >&2; return 1; }
}

# Install each package into a scratch location and run the demo with it.
packages_check () {
  packages || return 1
  local s; scratch s
  dpkg -x _dist/fmr-run_"$version"-*.deb "$s/deb"
  check_installed .deb "$s/deb/usr/bin" /usr/bin/python3 "$s/deb/usr/lib/python3/dist-packages" || return 1
  mkdir "$s/rpm" && rpm2archive - < "$(ls _dist/fmr-run-"$version"-*.rpm)" | tar -xz -C "$s/rpm"
  check_installed .rpm "$s/rpm/usr/bin" /usr/bin/python3 "$(ls -d "$s"/rpm/usr/lib/python3*/site-packages)" || return 1
  /usr/bin/python3 -m venv "$s/venv"
  "$s/venv/bin/pip" install -q --no-cache-dir --no-index _dist/fmr_sandbox-*.whl
  check_installed wheel "$s/venv/bin" "$s/venv/bin/python" || return 1
  # pip from the source tree: the package and fmr-isolate (fmr-run from PATH).
  cp -r contrib/fromager "$s/project"
  /usr/bin/python3 -m venv --system-site-packages "$s/venv-src"
  "$s/venv-src/bin/pip" install -q --no-cache-dir --no-index --no-build-isolation "$s/project"
  "$s/venv-src/bin/python" -c 'import fmr_sandbox' && [ -x "$s/venv-src/bin/fmr-isolate" ] ||
    { echo "setup.sh: pip install from the source tree failed" >&2; return 1; }
  echo "packages: each installed copy ran the demo"
}

case "${1:-}" in
  demo) install_packages; demo ;;
  check)
    install_packages
    rc=0
    run_check _build --enable-werror || rc=1
    run_check _build-asan --enable-werror --enable-sanitizers || rc=1
    packages_check || rc=1
    exit $rc ;;
  build) install_packages; build _build --enable-werror ;;
  packages) install_packages; packages ;;
  *) echo "usage: contrib/setup.sh demo|check|build|packages" >&2; exit 2 ;;
esac
