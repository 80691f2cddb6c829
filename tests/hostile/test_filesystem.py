# SPDX-License-Identifier: Apache-2.0
"""Attacks 10, 11, 19, 24-26, 28, 29: the host's file system outside the
writable binds, the mount table, device nodes, /tmp, the mount destinations
of a bundle, set-id files, and the output of another step."""

import os
import shutil
import stat
import subprocess

from hostile import MODE, NOBODY, HostileTest, as_caller, caller_ids, parse, read_bytes

MIB = 1 << 20


def tree(top):
    """Every path under TOP, relative to it (symlinks not followed)."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(top):
        rel = os.path.relpath(dirpath, top)
        for name in dirnames + filenames:
            found.add(os.path.normpath(os.path.join(rel, name)))
    return found


def ancestors(path):
    """"a", "a/b", "a/b/c" for "/a/b/c"."""
    parts = path.strip("/").split("/")
    return {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}


def fingerprint(path):
    st = os.lstat(path)
    return (st.st_ino, st.st_mode, st.st_size, st.st_mtime_ns)


class FileSystem(HostileTest):
    maxDiff = None

    def unique(self, what="x"):
        return f"fmr-hostile-{what}-{os.getpid()}-{MODE}"

    def new_rootfs(self, bundle):
        """BUNDLE/rootfs as the harness makes self.bundle's: empty but for
        the host's /bin, /lib... links, usable by the caller."""
        rootfs = os.path.join(bundle, "rootfs")
        shutil.rmtree(rootfs, ignore_errors=True)
        os.makedirs(rootfs, exist_ok=True)
        for link in ("bin", "lib", "lib64", "sbin"):
            if os.path.islink("/" + link):
                os.symlink(os.readlink("/" + link), os.path.join(rootfs, link))
        for d in (bundle, rootfs):
            os.chmod(d, 0o755)
            if MODE != "root":
                os.chown(d, NOBODY, NOBODY)
        return rootfs

    def assertRootfsHoldsOnlyMountPoints(self, config):
        """The bundle's rootfs gained nothing but the mount points of CONFIG
        (and the links the harness put there)."""
        allowed = {"bin", "lib", "lib32", "lib64", "sbin"}
        for m in config["mounts"]:
            allowed |= ancestors(m["destination"])
        rootfs = os.path.join(self.bundle, "rootfs")
        self.assertEqual(tree(rootfs) - allowed, set(), "new files in the bundle's rootfs")

    def test_10_write_under_usr_etc_root_and_outside_the_writable_binds(self):
        name = self.unique()
        planted = f"/usr/{self.unique('victim')}"
        with open(planted, "wb") as f:
            f.write(b"host\n")
        self.addCleanup(lambda: os.path.lexists(planted) and os.unlink(planted))
        probe = os.path.join(self.bin_dir, "probe")
        # A file of the caller's, its own to change but bound read-only.
        owned = os.path.join(self.bin_dir, "owned")
        with open(owned, "w") as f:
            f.write("caller\n")
        os.chown(owned, *caller_ids())
        files = ["/etc/passwd", planted, probe, owned]
        before = {f: (read_bytes(f), fingerprint(f)) for f in files}
        dirs = ["/", "/usr", "/etc", "/bin", "/usr/lib", self.bin_dir]

        config = self.spec("write-outside", name, *dirs)
        got = self.attack(config=config)
        self.assertEqual(got, {f"{verb}:{d}": "EROFS" for d in dirs for verb in ("create", "mkdir", "symlink")})
        got = self.attack("modify-outside", *files)
        expect = {f"{verb}:{f}": "EROFS" for f in files for verb in ("append", "chmod", "truncate", "rename", "unlink")}
        if not self.payload_is_host_root():
            # Writing a file the host does not let the payload (nobody,
            # or a root caller's build uid) write fails on
            # the permission check, which the kernel makes before the
            # read-only one; chmod, rename and unlink check the mount first.
            # A build uid owns the caller's binds (idmapped): the probe, in
            # one of them, is refused by the read-only mount.
            others = files[:3] if MODE != "root" else files[:2]
            expect.update({f"{verb}:{f}": "EACCES" for f in others for verb in ("append", "truncate")})
        self.assertEqual(got, expect)

        for d in dirs:
            for n in (name, f"{name}.d", f"{name}.l"):
                self.assertFalse(os.path.lexists(os.path.join(d, n)), f"{n} appeared in the host's {d}")
        for f in files:
            self.assertFalse(os.path.lexists(f + ".fmr-hostile-x"))
            self.assertEqual((read_bytes(f), fingerprint(f)), before[f], f"{f} changed on the host")
        self.assertRootfsHoldsOnlyMountPoints(config)
        self.assertEqual(os.listdir(self.work), [])

        # The same calls on the host, in a directory of the caller's.
        control_dir = self.writable_dir("control")
        control_file = os.path.join(control_dir, "file")
        shutil.copy(probe, control_file)
        os.chown(control_file, *caller_ids())
        control = self.unconfined("write-outside", name, control_dir)
        self.assertEqual(set(control.values()), {"ok"})
        control = self.unconfined("modify-outside", control_file)
        self.assertEqual(set(control.values()), {"ok"}, control)

    def test_11_mount_umount_pivot_root_and_the_chroot_escape(self):
        # A file only the host has: the sandbox binds bin/ and work/ of the
        # scratch directory, not host-only/.
        host_only = os.path.join(self.writable_dir("host-only"), "marker")
        with open(host_only, "w") as f:
            f.write("host\n")
        got = self.attack("mount-escape", host_only)
        expect = {what: "EPERM" for what in (
            "mount-tmpfs", "mount-bind-root", "remount-root-rw", "umount2-usr", "umount2-root", "pivot_root",
            "fsopen", "open_tree", "move_mount", "mount_setattr", "chroot-jail", "chroot-dot")}
        # ".." from the work directory climbs to the sandbox's "/", which is
        # still the same directory once chroot was refused: the host's file
        # is not there.
        expect.update({"stat-root": "ok", "mkdir-jail": "ok", "chdir-dotdot-ok": "64", "stat-root-after": "ok",
                       "root-same": "yes", "stat-host-path": "ENOENT", "stat-host-path-relative": "ENOENT"})
        self.assertEqual(got, expect)
        self.assertEqual(read_bytes(host_only), b"host\n")
        self.assertEqual(os.listdir(self.work), ["fmr-hostile-jail"])
        # No control run on the host: there, as root, these calls would
        # really mount over /tmp and detach /usr.  The host's mount table is
        # compared in tearDown.

    def test_19_mknod_a_device_and_open_a_host_block_device(self):
        got = self.attack("devices", "/tmp", self.work)
        expect = {}
        for d in ("/tmp", self.work):
            expect.update({f"fmr-hostile-chr:{d}": "EPERM", f"fmr-hostile-blk:{d}": "EPERM",
                           # mkfifo and plain files stay allowed: builds use them.
                           f"fmr-hostile-fifo:{d}": "ok", f"fmr-hostile-reg:{d}": "ok"})
        expect.update({dev: "ENOENT" for dev in ("/dev/sda", "/dev/vda", "/dev/nvme0n1", "/dev/loop0",
                                                 "/dev/mem", "/dev/kmsg")})
        # Only the OCI default devices, /dev/pts, /dev/shm and /dev/mqueue.
        expect["dev"] = "fd,full,mqueue,null,ptmx,pts,random,shm,stderr,stdin,stdout,tty,urandom,zero"
        self.assertEqual(got, expect)
        kinds = {n: stat.S_IFMT(os.lstat(os.path.join(self.work, n)).st_mode) for n in os.listdir(self.work)}
        self.assertEqual(kinds, {"fmr-hostile-fifo": stat.S_IFIFO, "fmr-hostile-reg": stat.S_IFREG})
        # The sandbox's /tmp is its own tmpfs: nothing reached the host's.
        for n in ("fmr-hostile-chr", "fmr-hostile-blk"):
            self.assertFalse(os.path.lexists(os.path.join("/tmp", n)))
        # On the host root may make a device node; nobody may not.
        control = self.unconfined("devices", self.writable_dir("control"))
        self.assertEqual(control[f"fmr-hostile-chr:{self.scratch}/control"], "ok" if MODE == "root" else "EPERM")

    def test_24_fill_tmp_bounded_by_the_tmpfs_size(self):
        name = self.unique("fill")
        config = self.spec("fill-tmp", f"/tmp/{name}")
        # The issue targets the bundle's limit: a smaller /tmp keeps the
        # test fast (the default is size=4g).
        tmp = next(m for m in config["mounts"] if m["destination"] == "/tmp")
        tmp["options"] = [o for o in tmp["options"] if not o.startswith("size=")] + ["size=64m"]
        host_before = os.statvfs("/tmp")
        got = self.attack(config=config)
        self.assertEqual(got, {"statvfs": "ok", "size": str(64 * MIB), "create": "ok", "write": "ENOSPC",
                               "written": str(64 * MIB)})
        self.assertFalse(os.path.lexists(f"/tmp/{name}"))
        # Other suites write to the host's /tmp at the same time, so free
        # space is not compared exactly: the 64 MiB written are not held.
        host_after = os.statvfs("/tmp")
        lost = (host_before.f_bavail - host_after.f_bavail) * host_after.f_frsize
        self.assertLess(lost, 32 * MIB, "the host's /tmp lost the space the sandbox filled")

    def test_25_plant_a_symlink_that_a_later_mount_destination_follows(self):
        name = self.unique()
        self.assertEqual(self.attack("plant-symlinks"), {"sub": "ok", "sub-up": "ok"})
        self.assertEqual(os.readlink(os.path.join(self.work, "sub")), "/")
        self.assertEqual(os.readlink(os.path.join(self.work, "sub-up")), "../" * 6 + "..")
        # The next step of the same bundle mounts below the planted links.
        config = self.spec("find-mounts", name)
        config["mounts"] += [
            {"destination": f"{self.work}/sub/{name}", "type": "tmpfs", "source": "tmpfs",
             "options": ["nosuid", "nodev", "size=1m"]},
            {"destination": f"{self.work}/sub-up/{name}-bind", "type": "bind", "source": self.bin_dir,
             "options": ["rbind", "ro", "nosuid", "nodev"]},
        ]
        # Both links are followed inside the sandbox's root: the mounts land
        # on its own "/", their mount points in the bundle's rootfs.
        got = self.attack(config=config)
        self.assertEqual(sorted(got["mounts"].split(",")), [f"/{name}", f"/{name}-bind"])
        rootfs = os.path.join(self.bundle, "rootfs")
        self.assertTrue(os.path.isdir(os.path.join(rootfs, name)))
        self.assertTrue(os.path.isdir(os.path.join(rootfs, f"{name}-bind")))
        for where in ("/", "/tmp", self.scratch, self.work):
            for n in (name, f"{name}-bind"):
                self.assertFalse(os.path.lexists(os.path.join(where, n)), f"{n} appeared in the host's {where}")

    def test_26_rootfs_links_usr_or_etc_out_of_the_rootfs(self):
        usr, etc = sorted(os.listdir("/usr")), sorted(os.listdir("/etc"))
        config = self.spec("find-mounts", "ld.so")
        # The names the default sandbox binds below /etc, and where
        # rootfs/etc -> ../../.. leads when followed on the host.
        etc_binds = {m["destination"].split("/")[2] for m in config["mounts"]
                     if m["destination"].startswith("/etc/")}
        etc_before = {n: fingerprint(f"/etc/{n}") for n in etc_binds}
        parent = os.path.dirname(self.scratch)
        absent = {n for n in etc_binds if not os.path.lexists(os.path.join(parent, n))}
        for name, target in (("usr", "/"), ("usr", "../../.."), ("etc", "/"), ("etc", "../../..")):
            with self.subTest(link=f"{name} -> {target}"):
                rootfs = self.new_rootfs(self.bundle)
                os.symlink(target, os.path.join(rootfs, name))
                config = self.spec("find-mounts", "ld.so")
                r = self.run_bundle(config, expect=125 if name == "usr" else 0)
                if name == "usr":
                    # A mount on the root itself would cover it: refused.
                    index = next(i for i, m in enumerate(config["mounts"]) if m["destination"] == "/usr")
                    self.assertEqual(r.stderr, f"fmr-run: mounts[{index}].destination: /usr: resolves to the root "
                                               "of the container\n")
                    self.assertEqual(r.stdout, "")
                else:
                    # /etc/... resolves to the root's own /ld.so.cache...
                    self.assertEqual(parse(r.stdout), {"mounts": "/ld.so.cache,/ld.so.conf,/ld.so.conf.d"})
                    for n in etc_binds:
                        self.assertTrue(os.path.lexists(os.path.join(rootfs, n)), n)
        self.assertEqual(sorted(os.listdir("/usr")), usr)
        self.assertEqual(sorted(os.listdir("/etc")), etc)
        self.assertEqual({n: fingerprint(f"/etc/{n}") for n in etc_before}, etc_before)
        self.assertEqual({n for n in absent if os.path.lexists(os.path.join(parent, n))}, set())

    def assertNoSetIdFiles(self, top):
        for rel in tree(top):
            mode = os.lstat(os.path.join(top, rel)).st_mode
            # (A set-gid directory would be no risk: it only passes its
            # group to new files.  The kernel's mkdir drops the bit anyway.)
            self.assertEqual(mode & (stat.S_ISUID | stat.S_ISGID), 0, f"{rel} has mode {oct(mode)}")

    def test_28_chmod_or_create_a_setuid_or_setgid_file(self):
        control = self.unconfined("setid-files", cwd=self.writable_dir("control"))
        got = self.attack("setid-files")
        expect = {"target": "ok", "mkdir+g": "ok", "mkdir+g-mode": "755", "chmod-dir+g": "EPERM",
                  # openat2's mode is out of seccomp's reach: ENOSYS, so
                  # that callers fall back to openat.
                  "openat2+s": "ENOSYS", "openat2": "ENOSYS",
                  # File capabilities: the sandbox holds no CAP_SETFCAP.
                  "setxattr-capability": "EPERM"}
        calls = ("chmod", "fchmod", "fchmodat", "fchmodat2", "open", "openat", "creat", "open-tmpfile", "mknod-reg",
                 "mknod-0", "mknodat-reg")
        for call in calls:
            expect.update({f"{call}+s": "EPERM", f"{call}+g": "EPERM", call: "ok"})
        # x32 calls reach the filter whether or not the kernel runs x32
        # (the x32 bit is in the number of an x86_64 call): set-id bits are
        # refused either way; the plain call is whatever the host says.
        plain = control["x32-chmod"]
        self.assertIn(plain, ("ok", "ENOSYS"))
        expect.update({"x32-chmod": plain, "x32-chmod+s": "EPERM", "x32-chmod+g": "EPERM"})
        # The i386 calls have a test of their own (below).
        for key in [k for k in got if k.startswith("i386-")]:
            del got[key]
        self.assertEqual(got, expect)
        self.assertNoSetIdFiles(self.work)
        with self.assertRaises(OSError):
            os.getxattr(os.path.join(self.work, "target"), "security.capability")
        # On the host the same calls set the bits.
        self.assertEqual(control["chmod+s"], "ok")
        self.assertEqual(control["mknod-reg+s"], "ok")
        # A hard link to one of the host's set-uid binaries: another mount.
        suid = next((p for p in ("/usr/bin/su", "/usr/bin/passwd", "/usr/bin/mount")
                     if os.path.exists(p) and os.stat(p).st_mode & stat.S_ISUID), None)
        if suid:
            self.assertEqual(self.attack("link-setid", suid), {"link": "EXDEV"})
            self.assertFalse(os.path.lexists(os.path.join(self.work, "linked")))

    def test_28_setid_bits_refused_to_i386_calls(self):
        # int 0x80 reaches the filter only where the kernel runs i386 code
        # (IA32 emulation); elsewhere it dies of SIGSEGV before any filter,
        # on the host as in the sandbox, and there is nothing to check.
        control = self.unconfined("setid-files", cwd=self.writable_dir("control"))
        if control["i386-chmod"] != "ok":
            self.skipTest(f"this kernel runs no i386 calls (int 0x80 on the host: {control['i386-chmod']})")
        got = self.attack("setid-files")
        for call in ("i386-chmod", "i386-creat"):
            self.assertEqual(got[call], "ok", call)
            self.assertEqual(got[f"{call}+s"], "EPERM", call)
            self.assertEqual(got[f"{call}+g"], "EPERM", call)
        self.assertNoSetIdFiles(self.work)

    def start_victim(self, out):
        """Another step in its own sandbox, writing OUT; it runs until its
        standard input is closed."""
        bundle = os.path.join(self.scratch, "victim-bundle")
        os.mkdir(bundle)
        self.new_rootfs(bundle)
        r = self.run_fmr("spec", "--force", "--ro", self.bin_dir, "--rw", out, "--cwd", out, bundle, "--",
                         self.hostile, "victim")
        self.assertEqual(r.returncode, 0, r.stderr)
        victim = subprocess.Popen(as_caller([self.fmr, "run", bundle]), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=dict(os.environ, TMPDIR=self.run_tmp))
        self.addCleanup(lambda: victim.poll() is None and (victim.kill(), victim.wait()))
        return victim

    def test_29_write_into_the_output_of_another_step_beside_it(self):
        out = self.writable_dir("victim-out")
        victim = self.start_victim(out)
        lines = [victim.stdout.readline(), victim.stdout.readline()]
        self.assertEqual(lines, ["out.txt ok\n", "ready ok\n"], victim.stderr.read() if victim.poll() else "")
        before = {n: read_bytes(os.path.join(out, n)) for n in os.listdir(out)}
        got = self.attack("other-step", out)
        self.assertEqual(got, {"dir": "ENOENT", "create": "ENOENT", "write": "ENOENT", "unlink": "ENOENT",
                               "rename": "ENOENT"})
        self.assertEqual({n: read_bytes(os.path.join(out, n)) for n in os.listdir(out)}, before)
        self.assertEqual(before, {"out.txt": b"victim\n"})
        victim.stdin.close()
        rest, err = victim.stdout.read(), victim.stderr.read()
        self.assertEqual(victim.wait(timeout=60), 0, err)
        self.assertEqual(parse(rest), {"out.txt-after": "same"})
