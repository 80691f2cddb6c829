#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run as the process of an outer container (or on the host): what a
# builder would do there.  Each step prints "@@ NAME STATUS" and its output
# with "NAME| " in front of each line, for test_containers.py.
#   $1  fmr-run          $2  scratch directory (removed at the end)
#   $3  extra spec options ("" for none)
F=$1
T=$2
SPEC_OPTS=$3
mkdir -p "$T" || exit 1
: > "$T/empty"

mark() { echo "@@ $1 $2"; }
show() { sed "s/^/$1| /" "$2"; }

# A bundle derived from spec's (SRC) in DST: CHANGE, Python statements on
# its config `c` (ARG in `arg`), then the rootfs rebuilt: the usr-merge
# links copied, the mount-point directories made empty.
derive() { # SRC DST CHANGE [ARG]
  python3 - "$1" "$2" "$3" "${4:-}" <<'EOF'
import json, os, sys
src, dst, change, arg = sys.argv[1:5]
c = json.load(open(os.path.join(src, "config.json")))
exec(change)
os.makedirs(os.path.join(dst, "rootfs"))
for n in os.listdir(os.path.join(src, "rootfs")):
    if os.path.islink(os.path.join(src, "rootfs", n)):
        os.symlink(os.readlink(os.path.join(src, "rootfs", n)), os.path.join(dst, "rootfs", n))
    else:
        os.mkdir(os.path.join(dst, "rootfs", n))
json.dump(c, open(os.path.join(dst, "config.json"), "w"))
EOF
}

# user.max_user_namespaces=0 set by the outer container's root, which then
# gives up CAP_SYS_RESOURCE (the env sets FMR_OUTER_USERNS_MAX).
if [ -n "$FMR_OUTER_USERNS_MAX" ]; then
  echo "$FMR_OUTER_USERNS_MAX" > /proc/sys/user/max_user_namespaces || exit 1
  unset FMR_OUTER_USERNS_MAX
  exec setpriv --bounding-set -sys_resource --inh-caps -sys_resource sh "$0" "$@"
fi

"$F" check > "$T/check.out" 2>&1
mark check $?
show check "$T/check.out"

# An outer process the payload must not reach; started after a few
# processes so that its pid is not one the sandbox's own processes have.
for i in 1 2 3 4 5 6 7 8; do true; done
sleep 600 &
SP=$!
cat /proc/self/mountinfo | cut -d' ' -f5 | sort > "$T/mounts.before"

# The payload: reach the outer process through /proc and kill.
cat > "$T/payload.py" <<'EOF'
import errno, os, signal, sys
sp = int(sys.argv[1])
print("PAYLOAD-RAN")
def report(what, fn):
    try:
        fn()
        print(what, "ok")
    except OSError as e:
        print(what, errno.errorcode.get(e.errno, e.errno))
def read(path):
    with open(path, "rb") as f:
        f.read(1)
report("kill", lambda: os.kill(sp, signal.SIGKILL))
report("environ", lambda: read(f"/proc/{sp}/environ"))
report("mem", lambda: read(f"/proc/{sp}/mem"))
report("root", lambda: os.listdir(f"/proc/{sp}/root"))
report("fd-link", lambda: os.readlink(f"/proc/{sp}/fd/0"))
report("fd-open", lambda: read(f"/proc/{sp}/fd/0"))
report("cmdline", lambda: read(f"/proc/{sp}/cmdline"))
report("proc-write", lambda: open("/proc/sys/kernel/hostname", "w").write("x"))
report("kcore", lambda: read("/proc/kcore"))
EOF
# shellcheck disable=SC2086
"$F" spec $SPEC_OPTS --ro "$T/payload.py" "$T/b" -- /usr/bin/python3 "$T/payload.py" "$SP" 2> "$T/spec.err"
mark spec $?
show spec-err "$T/spec.err"
show config "$T/b/config.json"
"$F" run "$T/b" > "$T/run.out" 2> "$T/run.err" < "$T/empty"
mark run $?
show run "$T/run.out"
show run-err "$T/run.err"
kill -0 "$SP" 2>/dev/null
mark outer-alive $?
kill "$SP"
wait "$SP" 2>/dev/null

# The process limit with /proc bound (no pid_max): RLIMIT_NPROC, lowered
# to 32 here, stops a fork bomb whose payload is not host uid 0.  At most
# 200 children, all killed with the sandbox.
cat > "$T/forks.py" <<'EOF'
import errno, os, time
n = 0
try:
    while n < 200:
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
    print("unbounded", n)
except OSError as e:
    print("stopped", n, errno.errorcode.get(e.errno, e.errno))
EOF
derive "$T/b" "$T/n" '
c["process"]["rlimits"] = [r for r in c["process"]["rlimits"] if r["type"] != "RLIMIT_NPROC"]
c["process"]["rlimits"].append({"type": "RLIMIT_NPROC", "hard": 32, "soft": 32})
c["process"]["args"] = ["/usr/bin/python3", arg]
c["mounts"].append({"destination": arg, "type": "bind", "source": arg, "options": ["bind", "ro", "nosuid", "nodev"]})
' "$T/forks.py"
"$F" run --debug "$T/n" > "$T/n.out" 2> "$T/n.err" < "$T/empty"
mark forks $?
show forks "$T/n.out"
grep -h "pid_max" "$T/n.err" | sed 's/^/forks-debug| /'

# A fresh proc forced where the container masks /proc: the kernel's reason.
"$F" spec --proc fresh "$T/f" -- /bin/true 2> /dev/null
"$F" run "$T/f" > /dev/null 2> "$T/f.err" < "$T/empty"
mark fresh-run $?
show fresh-err "$T/f.err"

# The emitter of the fromager plugin writes what spec wrote.
if [ -d /opt/fromager/fmr_sandbox ]; then
  FMR_RUN=$F PYTHONPATH=/opt/fromager python3 - "$T/b/config.json" "$T/e" > "$T/emitter.out" 2>&1 <<'EOF'
import json, sys
from fmr_sandbox import bundle
spec = json.load(open(sys.argv[1]))
for _ in range(2):  # spec's note is passed on once
    with open(bundle.emit(sys.argv[2], ["/bin/true"], env={"PATH": "/usr/bin"}, cwd="/")) as f:
        got = json.load(f)
def pick(c):
    return ([m for m in c["mounts"] if m["destination"] == "/proc"], c.get("hostname"),
            # The build uid's notes depend on the binds, which differ here.
            {k: v for k, v in c.get("annotations", {}).items()
             if k.startswith("run.fmr.note.") and k not in ("run.fmr.note.build-uid", "run.fmr.note.owners")},
            c["linux"]["maskedPaths"], c["linux"]["readonlyPaths"])
print("same" if pick(got) == pick(spec) else "differs: %r != %r" % (pick(got), pick(spec)))
r = bundle.validate_bundle(sys.argv[2])
print("validate", r.returncode, r.stdout.strip())
EOF
  mark emitter $?
  show emitter "$T/emitter.out"
fi

# --hostname asked for: kept, with a warning where it cannot be set.
"$F" spec --hostname build "$T/hn" -- /bin/true 2> "$T/hn.err"
mark spec-hostname $?
show spec-hostname-err "$T/hn.err"
grep -q '"hostname": "build"' "$T/hn/config.json"
mark hostname-kept $?

# A bundle that asks for a hostname anyway.
derive "$T/b" "$T/h" '
c["hostname"] = "sandbox"
c["process"]["args"] = ["/bin/true"]
'
"$F" run "$T/h" > "$T/h.out" 2> "$T/h.err" < "$T/empty"
mark hostname-run $?
show hostname-err "$T/h.err"

# Nothing left: no process but this shell's, no mount changed.
cat /proc/self/mountinfo | cut -d' ' -f5 | sort > "$T/mounts.after"
cmp -s "$T/mounts.before" "$T/mounts.after"
mark mounts-unchanged $?
left=""
for p in /proc/[0-9]*; do
  comm=$(cat "$p/comm" 2>/dev/null) || continue
  case "$comm" in fmr-run|python3|sleep) left="$left $comm" ;; esac
done
echo "left|$left"

# The same payload through bwrap and through fromager's unshare.
bwrap --unshare-all --die-with-parent --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \
  --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin --proc /proc --dev /dev --tmpfs /tmp \
  /bin/sh -c 'echo BWRAP-RAN' > "$T/bwrap.out" 2>&1 < "$T/empty"
mark bwrap $?
show bwrap "$T/bwrap.out"
unshare --net --uts --map-root-user /bin/sh -c 'echo UNSHARE-RAN' > "$T/unshare.out" 2>&1 < "$T/empty"
mark unshare $?
show unshare "$T/unshare.out"
rm -rf "$T"
