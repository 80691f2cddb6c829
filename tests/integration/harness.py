# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the integration tests: bundles written from Python, the
built fmr-run run for real (as root, or as an unprivileged user through
setpriv), the probe's report parsed, and the host checked for leftovers."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

FMR_RUN = os.environ.get("FMR_RUN", "")
PROBE = os.environ.get("PROBE", "")
# "root" or "nobody": who starts the sandbox.
MODE = os.environ.get("FMR_TEST_MODE", "root")
NOBODY = 65534


def caller_ids():
    return (0, 0) if MODE == "root" else (NOBODY, NOBODY)


def host_mounts():
    with open("/proc/self/mountinfo") as f:
        return sorted(line.split(" ", 4)[4] for line in f)


def descendants(pid):
    """Pids whose parent chain reaches pid."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found = set()
    for p in parents:
        q = p
        while q in parents and q > 1:
            q = parents[q]
            if q == pid:
                found.add(p)
                break
    return found


def base_config(probe_dir, args):
    """The default sandbox of DESIGN.md, with the probe bound at /probe."""
    uid, gid = caller_ids()
    mounts = [
        {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]},
        {"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro", "nosuid", "nodev"]},
        {"destination": "/probe", "type": "bind", "source": probe_dir, "options": ["rbind", "ro", "nosuid", "nodev"]},
    ]
    for name in ("passwd", "group", "hosts"):
        mounts.append({"destination": f"/etc/{name}", "type": "bind", "source": f"/etc/{name}",
                       "options": ["bind", "ro", "nosuid", "nodev"]})
    none = []
    return {
        "ociVersion": "1.0.2",
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "localhost",
        "process": {
            "terminal": False,
            "user": {"uid": uid, "gid": gid, "umask": 18},
            "args": args,
            "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp", "LANG=C.UTF-8"],
            "cwd": "/",
            "capabilities": {s: none for s in ("bounding", "effective", "inheritable", "permitted", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024}],
            "noNewPrivileges": True,
        },
        "mounts": mounts,
        "linux": {
            "namespaces": [{"type": t} for t in ("user", "mount", "pid", "network", "ipc", "uts", "cgroup")],
            "uidMappings": [{"containerID": uid, "hostID": uid, "size": 1}],
            "gidMappings": [{"containerID": gid, "hostID": gid, "size": 1}],
            "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/acpi", "/sys/firmware"],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            "seccomp": {
                "defaultAction": "SCMP_ACT_ALLOW",
                "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"],
                "syscalls": [{"names": ["mount", "umount2", "unshare", "setns", "ptrace", "keyctl", "add_key",
                                        "request_key", "bpf", "chroot", "pivot_root"],
                              "action": "SCMP_ACT_ERRNO", "errnoRet": 1}],
            },
        },
    }


class SandboxTest(unittest.TestCase):
    """Each test gets a scratch directory nobody can use too, the probe in
    it, and a check in tearDown that the host kept nothing."""

    def setUp(self):
        self.mounts_before = host_mounts()
        self.scratch = tempfile.mkdtemp(prefix="fmr-it-")
        # Removed even when setUp itself fails half-way.
        self.addCleanup(shutil.rmtree, self.scratch, True)
        os.chmod(self.scratch, 0o755)
        self.bin_dir = os.path.join(self.scratch, "bin")
        os.mkdir(self.bin_dir)
        self.fmr = os.path.join(self.bin_dir, "fmr-run")
        shutil.copy2(FMR_RUN, self.fmr)
        shutil.copy2(PROBE, os.path.join(self.bin_dir, "probe"))
        os.chmod(self.bin_dir, 0o755)
        self.bundle = os.path.join(self.scratch, "bundle")
        os.makedirs(os.path.join(self.bundle, "rootfs"))
        for link in ("bin", "lib", "lib64", "sbin"):
            if os.path.islink("/" + link):
                os.symlink(os.readlink("/" + link), os.path.join(self.bundle, "rootfs", link))
        for d in (self.scratch, self.bundle, os.path.join(self.bundle, "rootfs")):
            os.chmod(d, 0o755)
            if MODE != "root":
                os.chown(d, NOBODY, NOBODY)

    def tearDown(self):
        leftover = descendants(os.getpid())
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.assertEqual(host_mounts(), self.mounts_before, "mounts left on the host")
        self.assertEqual(leftover, set(), "processes left behind")
        self.assertFalse(os.path.exists(self.scratch))

    def writable_dir(self, name):
        path = os.path.join(self.scratch, name)
        os.mkdir(path)
        if MODE != "root":
            os.chown(path, NOBODY, NOBODY)
        return path

    def config(self, *checks):
        return base_config(self.bin_dir, ["/probe/probe", *checks])

    def write(self, config, raw=None):
        path = os.path.join(self.bundle, "config.json")
        with open(path, "w") as f:
            if raw is not None:
                f.write(raw)
            else:
                json.dump(config, f, indent=2)
        os.chmod(path, 0o644)

    def run_fmr(self, *args, env=None, pass_fds=(), timeout=30):
        cmd = [self.fmr, *args]
        if MODE != "root":
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, pass_fds=pass_fds, timeout=timeout)

    def run_bundle(self, config, expect=0, **kw):
        self.write(config)
        r = self.run_fmr("run", self.bundle, **kw)
        self.assertEqual(r.returncode, expect, f"stdout={r.stdout!r} stderr={r.stderr!r}")
        return r

    def probe(self, *checks, config=None, **kw):
        r = self.run_bundle(config or self.config(*checks), **kw)
        return json.loads(r.stdout)
