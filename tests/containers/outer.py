# SPDX-License-Identifier: Apache-2.0
"""Outer containers that imitate docker, podman and Kubernetes, started with
crun, with the built fmr-run (and bwrap and unshare, for comparison) run
inside them.  Each environment is one config.json made from the settings
below; README.md in this directory names the source of each setting and
profile.

crun runs with its state under a temporary root (--root), without cgroups
(--cgroup-manager=disabled: the host's hybrid layout is refused otherwise,
so crun runs in a private mount namespace where /sys/fs/cgroup/unified is
unmounted), with pipes as its stdio (crun hands its stdio to the
container's root: never the host's /dev/null)."""

import json
import os
import platform
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FMR_RUN = os.environ.get("FMR_RUN", "")

# moby daemon/oci/caps/defaults.go: docker's 14 default capabilities.
DOCKER_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
               "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
               "CAP_KILL", "CAP_AUDIT_WRITE"]
# moby oci/defaults.go.
DOCKER_MASKED = ["/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
                 "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                 "/sys/firmware", "/sys/devices/virtual/powercap"]
DOCKER_READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
# containers/common pkg/config/default.go: podman's defaults.
PODMAN_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
               "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"]
PODMAN_MASKED = ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/sched_debug",
                 "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/devices/virtual/powercap",
                 "/sys/firmware", "/sys/fs/selinux", "/proc/interrupts"]
PODMAN_READONLY = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
# Rootless podman maps the container's 0-65535 onto the user's subordinate
# range from /etc/subuid; any range the host does not use does here.
SUBORDINATE = 200000


def _arch_names():
    m = platform.machine()
    return {"x86_64": ("SCMP_ARCH_X86_64", {"amd64", "x86", "x32"}),
            "aarch64": ("SCMP_ARCH_AARCH64", {"arm64", "arm"})}.get(m, (None, set()))


def _kernel():
    parts = platform.release().split(".")
    return int(parts[0]), int(parts[1].split("-")[0])


def seccomp_for(profile_name, caps):
    """An engine's profile (docker's format: rules with includes/excludes by
    capability, architecture and kernel) turned into the OCI seccomp the
    engine hands its runtime for a container with CAPS, as the engines do
    when they create a container."""
    with open(os.path.join(HERE, profile_name)) as f:
        p = json.load(f)
    native, arches = _arch_names()
    archs = []
    for a in p.get("archMap") or []:
        if a["architecture"] == native:
            archs = [a["architecture"]] + a.get("subArchitectures", [])
    kernel = _kernel()
    rules = []
    for r in p["syscalls"]:
        inc, exc = r.get("includes") or {}, r.get("excludes") or {}
        if inc.get("caps") and not set(inc["caps"]) <= set(caps):
            continue
        if inc.get("arches") and not set(inc["arches"]) & arches:
            continue
        if inc.get("minKernel") and tuple(map(int, inc["minKernel"].split(".")[:2])) > kernel:
            continue
        if exc.get("caps") and set(exc["caps"]) & set(caps):
            continue
        if exc.get("arches") and set(exc["arches"]) & arches:
            continue
        rule = {"names": r["names"], "action": r["action"]}
        if r.get("args"):
            rule["args"] = [{k: a[k] for k in ("index", "value", "valueTwo", "op") if k in a} for a in r["args"]]
        if "errnoRet" in r:
            rule["errnoRet"] = r["errnoRet"]
        rules.append(rule)
    out = {"defaultAction": p["defaultAction"], "architectures": archs, "syscalls": rules}
    if "defaultErrnoRet" in p:
        out["defaultErrnoRet"] = p["defaultErrnoRet"]
    return out


class Env:
    """One outer container: who runs in it and what the engine imposes."""

    def __init__(self, name, caps, masked, readonly, uid=0, userns=False, seccomp=None, no_new_privs=False,
                 env_vars=(), expect_userns=True, engine=None):
        self.name, self.caps, self.masked, self.readonly = name, caps, masked, readonly
        self.uid, self.userns, self.seccomp, self.no_new_privs = uid, userns, seccomp, no_new_privs
        self.env_vars = list(env_vars)
        self.expect_userns = expect_userns  # can a user namespace be made inside?
        self.engine = engine
        # Without a user namespace of its own, the container's root is host
        # uid 0, and so is a payload spec maps to the caller's uid.
        self.payload_is_host_root = uid == 0 and not userns


ENVS = [
    Env("docker", DOCKER_CAPS, DOCKER_MASKED, DOCKER_READONLY, engine="docker"),
    Env("docker-seccomp", DOCKER_CAPS, DOCKER_MASKED, DOCKER_READONLY, seccomp="seccomp-docker.json",
        expect_userns=False, engine="docker"),
    Env("podman-rootless", PODMAN_CAPS, PODMAN_MASKED, PODMAN_READONLY, userns=True, engine="podman"),
    Env("podman-rootless-seccomp", PODMAN_CAPS, PODMAN_MASKED, PODMAN_READONLY, userns=True,
        seccomp="seccomp-podman.json", engine="podman"),
    # A pod as kubelet and containerd make it: docker's masks, the pod's
    # securityContext (runAsUser: 1000, capabilities drop ALL,
    # allowPrivilegeEscalation: false), seccomp Unconfined (the default
    # unless the pod asks for RuntimeDefault).
    Env("kubernetes", [], DOCKER_MASKED, DOCKER_READONLY, uid=1000, no_new_privs=True, engine="kubernetes"),
    # The container's root sets user.max_user_namespaces of the container's
    # user namespace to 0 (it needs CAP_SYS_RESOURCE there and a writable
    # /proc/sys), then gives the capability up before anything else runs
    # (inside.sh): the crun of Debian refuses user.* in linux.sysctl.
    Env("podman-no-userns", PODMAN_CAPS + ["CAP_SYS_RESOURCE"], PODMAN_MASKED,
        [p for p in PODMAN_READONLY if p != "/proc/sys"], userns=True, env_vars=["FMR_OUTER_USERNS_MAX=0"],
        expect_userns=False, engine="podman"),
]


def _rootfs(root, env):
    """The outer container's root: mount points and the host's usr-merge
    links; /usr and /etc are bound from the host read-only."""
    for d in ("proc", "sys", "dev", "tmp", "usr", "etc", "opt", "run"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for d in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = os.path.join("/", d)
        if os.path.islink(host):
            os.symlink(os.readlink(host), os.path.join(root, d))
        elif os.path.isdir(host):
            os.makedirs(os.path.join(root, d), exist_ok=True)
    open(os.path.join(root, "opt", "fmr-run"), "w").close()
    open(os.path.join(root, "opt", "inside.sh"), "w").close()
    os.mkdir(os.path.join(root, "opt", "fromager"))
    if env.engine == "docker":
        open(os.path.join(root, ".dockerenv"), "w").close()


def _mount(dest, typ, src, opts):
    return {"destination": dest, "type": typ, "source": src, "options": opts}


def config(env, args, env_vars=()):
    caps = list(env.caps)
    mounts = [
        _mount("/proc", "proc", "proc", ["nosuid", "noexec", "nodev"]),
        _mount("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        _mount("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]),
        _mount("/dev/shm", "tmpfs", "shm", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        _mount("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
        _mount("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
        _mount("/tmp", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=1777", "size=256m"]),
        _mount("/run", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=755", "size=1m"]),
        _mount("/usr", "bind", "/usr", ["rbind", "ro", "nosuid", "nodev"]),
        _mount("/etc", "bind", "/etc", ["rbind", "ro", "nosuid", "nodev"]),
        _mount("/opt/fmr-run", "bind", os.path.realpath(FMR_RUN), ["bind", "ro", "nosuid", "nodev"]),
        _mount("/opt/inside.sh", "bind", os.path.join(HERE, "inside.sh"), ["bind", "ro", "nosuid", "nodev"]),
        _mount("/opt/fromager", "bind", os.path.realpath(os.path.join(HERE, os.pardir, os.pardir, "contrib",
                                                                       "fromager")),
               ["rbind", "ro", "nosuid", "nodev"]),
    ]
    # What each engine leaves in its containers, and fmr-run check looks for.
    if env.engine == "podman":
        mounts.append(_mount("/run/.containerenv", "bind", os.path.join(HERE, "README.md"),
                             ["bind", "ro", "nosuid", "nodev"]))
    for d in ("/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin"):
        if os.path.isdir(d) and not os.path.islink(d):
            mounts.append(_mount(d, "bind", d, ["rbind", "ro", "nosuid", "nodev"]))
    namespaces = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount", "cgroup")]
    linux = {"namespaces": namespaces, "maskedPaths": env.masked, "readonlyPaths": env.readonly}
    if env.userns:
        namespaces.append({"type": "user"})
        linux["uidMappings"] = [{"containerID": 0, "hostID": SUBORDINATE, "size": 65536}]
        linux["gidMappings"] = [{"containerID": 0, "hostID": SUBORDINATE, "size": 65536}]
    if env.seccomp:
        linux["seccomp"] = seccomp_for(env.seccomp, caps)
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": env.uid, "gid": env.uid},
            "args": args,
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp",
                    "LANG=C.UTF-8"] + env.env_vars + list(env_vars)
                   + (["KUBERNETES_SERVICE_HOST=10.96.0.1"] if env.engine == "kubernetes" else []),
            "cwd": "/tmp",
            "capabilities": {k: caps for k in ("bounding", "effective", "permitted")},
            "noNewPrivileges": env.no_new_privs,
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "outer",
        "mounts": mounts,
        "linux": linux,
    }


def crun_available():
    return shutil.which("crun") is not None and shutil.which("unshare") is not None


def run(env, args, env_vars=(), timeout=60):
    """Start ENV with ARGS as its process; returns (exit status, stdout,
    stderr).  Everything it made (bundle, crun state) is removed before it
    returns."""
    tmp = tempfile.mkdtemp(prefix="fmr-outer-")
    try:
        os.chmod(tmp, 0o755)  # the container's root may be a subordinate uid
        bundle = os.path.join(tmp, "bundle")
        state = os.path.join(tmp, "state")
        os.makedirs(state)
        _rootfs(os.path.join(bundle, "rootfs"), env)
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(config(env, args, env_vars), f, indent=1)
        cid = "fmr-outer-%d-%s" % (os.getpid(), env.name)
        inner = ("umount /sys/fs/cgroup/unified 2>/dev/null; "
                 "exec crun --root \"$1\" --cgroup-manager=disabled run -b \"$2\" \"$3\"")
        cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c", inner, "sh", state, bundle, cid]
        try:
            p = subprocess.run(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout, text=True)
        finally:
            # A container that outlived crun (timeout) is killed and its
            # state removed.
            subprocess.run(["crun", "--root", state, "delete", "--force", cid], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return p.returncode, p.stdout, p.stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
