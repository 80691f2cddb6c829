# SPDX-License-Identifier: Apache-2.0
"""Attacks 7-9, 21, 22, 27: the host's processes and the outer fmr-run,
the sandbox's PID 1 and its binary, a descriptor the caller left open, a
daemon outliving the step, and the host's /dev/shm and SysV IPC objects."""

import hashlib
import os
import shutil
import signal
import subprocess
import time

from harness import FMR_RUN, host_pids_with
from hostile import HOSTILE, MODE, HostileTest, as_caller, caller_ids, parse

TOKEN = "fmr-hostile-secret-7a3d91"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def sysvipc(kind, key):
    """The line of /proc/sysvipc/KIND for KEY (None: no such object)."""
    with open(f"/proc/sysvipc/{kind}") as f:
        for line in f.readlines()[1:]:
            if int(line.split()[0]) == key:
                return line
    return None


def status_field(pid, name):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    return None


class Processes(HostileTest):
    maxDiff = None

    def unique(self, what):
        return f"fmr-hostile-{what}-{os.getpid()}-{MODE}-{os.urandom(4).hex()}"

    def setUp(self):
        super().setUp()
        self.host_processes = []

    def tearDown(self):
        # Before the harness looks for processes left behind.
        for p in self.host_processes:
            if p.poll() is None:
                p.kill()
                p.wait()
        super().tearDown()

    def host_process(self, *cmd):
        """CMD running on the host as the user who starts the sandbox, so
        that only the sandbox stands between it and the attack; killed at
        the end of the test."""
        p = subprocess.Popen(as_caller(cmd), stdin=subprocess.DEVNULL)
        self.host_processes.append(p)
        # Started by nobody, it is setpriv until it execs CMD, and between
        # setpriv's change of ids and that exec it is not dumpable: a
        # control attack in that window is refused for the wrong reason.
        target = os.path.realpath(cmd[0])
        deadline = time.monotonic() + 30
        while os.readlink(f"/proc/{p.pid}/exe") != target:
            if p.poll() is not None or time.monotonic() > deadline:
                self.fail(f"{cmd} did not start on the host")
            time.sleep(0.01)
        return p

    def start(self, config):
        """fmr-run started on CONFIG in the background, as run_bundle would."""
        self.write(config)
        p = subprocess.Popen(as_caller([self.fmr, "run", self.bundle]), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ, TMPDIR=self.run_tmp))
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
        return p

    def test_07_see_and_signal_host_processes_and_the_outer_fmr_run(self):
        sleeper = self.host_process("/bin/sleep", "60")
        pid_file = os.path.join(self.work, "outer-pid")
        # The outer fmr-run's pid is known only once it runs: the attack
        # waits for it in a file of its work directory.
        p = self.start(self.spec("signal-host", str(int(signal.SIGKILL)), f"sleeper={sleeper.pid}",
                                 f"test={os.getpid()}", f"outer=@{pid_file}"))
        with open(pid_file + ".new", "w") as f:
            f.write(f"{p.pid}\n")
        os.rename(pid_file + ".new", pid_file)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 0, err)
        # PID 1 (the sandbox's init, its parent) and itself: nothing else.
        self.assertEqual(parse(out), {"kill:sleeper": "ESRCH", "kill:test": "ESRCH", "kill:outer": "ESRCH",
                                      "proc-pids": "2", "pids-answering": "1", "getppid": "1",
                                      "kill0:getppid": "ok", "kill0:-1": "ESRCH"})
        self.assertIsNone(sleeper.poll(), "the host process was killed")
        # Signal 0 only: the same numbers on the host reach real processes.
        control = self.unconfined("signal-host", "0", f"sleeper={sleeper.pid}", f"test={os.getpid()}")
        self.assertEqual(control["kill:sleeper"], "ok")
        # The test runs as root: nobody may not signal it on the host either.
        self.assertEqual(control["kill:test"], "ok" if MODE == "root" else "EPERM")
        self.assertEqual(control["kill0:-1"], "ok")
        self.assertGreater(int(control["proc-pids"]), 2)
        self.assertGreater(int(control["pids-answering"]), 1)

    def test_08_ptrace_and_read_the_memory_of_the_sandbox_pid_1(self):
        self.assertEqual(self.attack("ptrace-pid", "1"),
                         {"maps": "EACCES", "PTRACE_ATTACH": "EPERM", "PTRACE_SEIZE": "EPERM",
                          "process_vm_readv": "EPERM", "open:mem": "EACCES", "environ": "EACCES",
                          "pidfd_open": "ok", "pidfd_getfd": "EPERM"})
        # On the host, the same calls against a process of the same user.
        sleeper = self.host_process("/bin/sleep", "60")
        self.assertEqual(self.unconfined("ptrace-pid", str(sleeper.pid)),
                         {"maps": "ok", "PTRACE_ATTACH": "ok", "PTRACE_SEIZE": "ok", "process_vm_readv": "ok",
                          "open:mem": "ok", "read:mem": "ok", "environ": "ok", "pidfd_open": "ok",
                          "pidfd_getfd": "ok"})
        self.assertIsNone(sleeper.poll())
        self.assertEqual(status_field(sleeper.pid, "TracerPid"), "0")

    def test_09_open_the_fmr_run_binary_for_writing_through_proc_exe(self):
        binaries = {path: sha256(path) for path in (self.fmr, FMR_RUN)}
        # The attack's own binary: nobody lacks write permission on root's
        # file; root is refused because it is running.
        self_exe = "ETXTBSY" if MODE == "root" else "EACCES"
        # PID 1 is not dumpable: its /proc entries belong to the root of the
        # sandbox's user namespace, which is the caller where root started
        # it and unmapped (so the host's root) where nobody did or where
        # the payload is a build uid.  Listing map_files is then allowed to
        # a payload that is the host's root; opening its entries never is.
        self.spec("proc-exe", "1", "every")
        map_files = "ok" if self.payload_is_host_root() else "EACCES"
        self.assertEqual(self.attack("proc-exe", "1", "every"),
                         {"readlink:exe": "EACCES", "write:exe": "EACCES", "O_PATH:exe": "EACCES",
                          "opendir:map_files": map_files, "write:self-exe": self_exe,
                          "every-exe-tried": "2", "every-exe-writable": "0", "every-map-file-writable": "0"})
        self.assertEqual({path: sha256(path) for path in binaries}, binaries)
        # On the host: a running copy of a binary the caller may write.
        copy = os.path.join(self.work, "sleep")
        shutil.copy2("/bin/sleep", copy)
        os.chown(copy, *caller_ids())
        sleeper = self.host_process(copy, "60")
        self.assertEqual(self.unconfined("proc-exe", str(sleeper.pid)),
                         {"readlink:exe": "ok", "write:exe": "ETXTBSY", "O_PATH:exe": "ok",
                          "reopen-write:exe": "ETXTBSY", "opendir:map_files": "ok", "write:self-exe": self_exe})

    def test_21_use_a_descriptor_the_caller_left_open(self):
        path = os.path.join(self.scratch, "secret")
        with open(path, "w") as f:
            f.write(f"token {TOKEN}\n")
        os.chmod(path, 0o600)
        fd = os.open(path, os.O_RDONLY)  # inherited through pass_fds, as if without O_CLOEXEC
        self.addCleanup(os.close, fd)
        self.assertEqual(self.attack("inherited-fds", TOKEN, str(fd), pass_fds=(fd,)),
                         {"fds-above-2": "0", "fds-holding-secret": "0", "F_GETFD:passed": "EBADF",
                          "read:passed": "EBADF", "proc-self-fd": "0,1,2"})
        self.assertEqual(self.unconfined("inherited-fds", TOKEN, str(fd), pass_fds=(fd,)),
                         {"fds-above-2": "1", "fds-holding-secret": "1", "F_GETFD:passed": "ok",
                          "read:passed": "ok", "proc-self-fd": f"0,1,2,{fd}"})

    def kill_token(self, token):
        for pid in host_pids_with(token):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while host_pids_with(token) and time.monotonic() < deadline:
            time.sleep(0.01)

    def test_22_leave_a_daemon_running_after_the_step(self):
        token = self.unique("daemon")
        self.addCleanup(self.kill_token, token)
        started = {"pipe": "ok", "fork": "ok", "setsid": "ok", "daemon-ready": "ok"}
        self.assertEqual(self.attack("daemon", token), started)
        self.assertEqual(host_pids_with(token), [])
        # On the host the daemon outlives the attack (until the cleanup).
        token = self.unique("daemon-control")
        self.addCleanup(self.kill_token, token)
        self.assertEqual(self.unconfined("daemon", token), started)
        self.assertEqual(len(host_pids_with(token)), 1)

    def ipc_objects(self):
        """A SysV segment, message queue and semaphore set with a new key,
        a POSIX message queue and a /dev/shm file, all the caller's (mode
        0600), removed at the end of the test: (key, [ids], mq, shm_name)."""
        for _ in range(5):
            key = int.from_bytes(os.urandom(4), "little") & 0x7FFFFFFF or 1
            mq = "/" + self.unique("mq")
            r = subprocess.run(as_caller([self.hostile, "ipc-create", hex(key), mq]), capture_output=True, text=True)
            made = parse(r.stdout)
            ids = [made.get(kind, "-") if made.get(kind, "-").isdigit() else "-" for kind in ("shm", "msg", "sem")]
            self.addCleanup(self.remove_ipc, key, ids, mq, made.get("mq") == "ok")
            if r.returncode == 0:
                break
            self.assertIn("EEXIST", made.values(), r.stdout + r.stderr)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        name = self.unique("shm")
        path = os.path.join("/dev/shm", name)
        with open(path, "w") as f:
            f.write(f"token {TOKEN}\n")
        self.addCleanup(os.unlink, path)
        os.chmod(path, 0o600)
        os.chown(path, *caller_ids())
        return key, ids, mq, name

    def remove_ipc(self, key, ids, mq, mq_made):
        # As root, who may remove anyone's; HOSTILE: self.hostile is gone
        # with the scratch directory by now.
        r = subprocess.run([HOSTILE, "ipc-remove", *ids, mq], capture_output=True, text=True)
        removed = parse(r.stdout)
        for kind, id_ in zip(("shm", "msg", "sem"), ids):
            if id_ != "-":
                self.assertEqual(removed[kind], "ok", r.stdout + r.stderr)
            self.assertIsNone(sysvipc(kind, key), f"{kind} {key:#x} left on the host")
        self.assertEqual(removed["mq"], "ok" if mq_made else "ENOENT")

    def ipc_state(self, key, shm_name):
        """What an attack that reached the objects could have changed: their
        /proc/sysvipc lines (times, attaches, messages, pids) and the file."""
        with open(os.path.join("/dev/shm", shm_name), "rb") as f:
            state = {"file": (f.read(), os.fstat(f.fileno()).st_mtime_ns)}
        for kind in ("shm", "msg", "sem"):
            state[kind] = sysvipc(kind, key)
            self.assertIsNotNone(state[kind])
        return state

    def test_27_reach_the_host_dev_shm_and_sysv_ipc_objects(self):
        key, ids, mq, shm_name = self.ipc_objects()
        before = self.ipc_state(key, shm_name)
        args = (hex(key), *ids, shm_name, mq)
        # The host's ids mean nothing in the sandbox's IPC namespace (EINVAL),
        # which holds no object at all.
        self.assertEqual(self.attack("host-ipc", *args),
                         {"shmget": "ENOENT", "msgget": "ENOENT", "semget": "ENOENT", "shmat": "EINVAL",
                          "msgctl-stat": "EINVAL", "semctl-getval": "EINVAL", "dev-shm-file": "ENOENT",
                          "mq_open": "ENOENT", "sysvipc-shm": "0", "sysvipc-msg": "0", "sysvipc-sem": "0",
                          "dev-shm-entries": "0"})
        self.assertEqual(self.ipc_state(key, shm_name), before)
        control = self.unconfined("host-ipc", *args)
        counts = {k: control.pop(k) for k in ("sysvipc-shm", "sysvipc-msg", "sysvipc-sem", "dev-shm-entries")}
        self.assertEqual(set(control.values()), {"ok"}, control)
        for what, n in counts.items():
            self.assertGreaterEqual(int(n), 1, what)
