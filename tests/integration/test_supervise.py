# SPDX-License-Identifier: Apache-2.0
"""Supervision: PID 1 reaps and cleans up, signals reach the payload, the
sandbox dies with fmr-run, --stats, and an interactive terminal."""

import json
import os
import pty
import select
import signal
import struct
import subprocess
import time
import fcntl
import termios

from harness import MODE, SandboxTest


def host_pids_with(token):
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    if token.encode() in f.read():
                        found.append(int(p))
            except OSError:
                pass
    return found


class Supervision(SandboxTest):
    def payload(self, *args):
        c = self.config()
        c["process"]["args"] = list(args)
        return c

    def test_thousand_orphans_leave_no_zombie(self):
        script = ("import os, time\n"
                  "for i in range(1000):\n"
                  "    if os.fork() == 0:\n"
                  "        if os.fork() == 0:\n"
                  "            time.sleep(0.02); os._exit(0)\n"
                  "        os._exit(0)\n"
                  "    os.wait()\n"
                  "time.sleep(1)\n"
                  "z = 0\n"
                  "for p in os.listdir('/proc'):\n"
                  "    if p.isdigit():\n"
                  "        with open(f'/proc/{p}/stat') as f:\n"
                  "            z += f.read().rsplit(')', 1)[1].split()[0] == 'Z'\n"
                  "print('zombies', z, 'procs', sum(p.isdigit() for p in os.listdir('/proc')))\n")
        r = self.run_bundle(self.payload("/usr/bin/python3", "-c", script), timeout=60)
        self.assertEqual(r.stdout.split(), ["zombies", "0", "procs", "2"])

    def test_daemon_does_not_outlive_the_step(self):
        token = f"987.{os.getpid()}"
        script = ("import os\n"
                  "if os.fork() == 0:\n"
                  "    os.setsid()\n"
                  "    if os.fork() == 0:\n"
                  f"        os.execv('/bin/sleep', ['sleep', '{token}'])\n"
                  "    os._exit(0)\n"
                  "os.wait()\n"
                  "print('daemon started')\n")
        r = self.run_bundle(self.payload("/usr/bin/python3", "-c", script))
        self.assertEqual(r.stdout.strip(), "daemon started")
        self.assertEqual(host_pids_with(token), [])

    def start(self, config):
        self.write(config)
        cmd = [self.fmr, "run", self.bundle]
        if MODE != "root":
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # A failing assertion must not leave the sandbox running for the
        # tests after this one.
        self.addCleanup(lambda: p.poll() is None and (p.kill(), p.wait()))
        self.assertEqual(p.stdout.readline().strip(), "ready")
        return p

    def test_sigint_reaches_a_payload_that_traps_it(self):
        p = self.start(self.payload("/bin/sh", "-c", "trap 'echo got-int; exit 7' INT; echo ready; "
                                                     "while :; do sleep 0.05; done"))
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=10)
        self.assertEqual((p.returncode, out.strip()), (7, "got-int"), err)

    def test_sigterm_forwarded(self):
        p = self.start(self.payload("/bin/sh", "-c", "trap 'echo got-term; exit 3' TERM; echo ready; "
                                                     "while :; do sleep 0.05; done"))
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=10)
        self.assertEqual((p.returncode, out.strip()), (3, "got-term"), err)

    def test_every_forwarded_signal_reaches_the_payload(self):
        for sig in (signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH):
            name = sig.name[3:]
            p = self.start(self.payload("/bin/sh", "-c", f"trap 'echo got-{name}; exit 9' {name}; echo ready; "
                                                         "while :; do sleep 0.05; done"))
            p.send_signal(sig)
            out, err = p.communicate(timeout=10)
            self.assertEqual((p.returncode, out.strip()), (9, f"got-{name}"), err)

    def test_sigkill_of_fmr_run_kills_the_sandbox(self):
        token = f"876.{os.getpid()}"
        p = self.start(self.payload("/bin/sh", "-c", f"echo ready; exec /bin/sleep {token}"))
        deadline = time.time() + 5
        while not host_pids_with(token) and time.time() < deadline:
            time.sleep(0.01)  # "ready" comes just before the exec
        self.assertEqual(len(host_pids_with(token)), 1)
        p.kill()
        p.wait(timeout=10)
        p.stdout.close()
        p.stderr.close()
        deadline = time.time() + 5
        while host_pids_with(token) and time.time() < deadline:
            time.sleep(0.02)
        self.assertEqual(host_pids_with(token), [])

    def test_pid1_cannot_be_read_through_proc(self):
        r = self.probe("path=/proc/1/environ", "path=/proc/1/mem", "path=/proc/self/environ")
        self.assertEqual(r["path=/proc/1/environ"]["read"], "EACCES")
        self.assertNotEqual(r["path=/proc/1/mem"]["read"], "ok")
        self.assertEqual(r["path=/proc/self/environ"]["read"], "ok")

    def test_pid1_cannot_be_ptraced(self):
        c = self.payload("/usr/bin/python3", "-c",
                         "import ctypes, os\n"
                         "libc = ctypes.CDLL(None, use_errno=True)\n"
                         "r = libc.ptrace(16, 1, 0, 0)\n"  # PTRACE_ATTACH
                         "print(r, os.strerror(ctypes.get_errno()))\n")
        # Without the profile's ptrace rule: the kernel itself must refuse.
        for rule in c["linux"]["seccomp"]["syscalls"]:
            rule["names"] = [n for n in rule["names"] if n != "ptrace"]
        r = self.run_bundle(c)
        self.assertEqual(r.stdout.strip(), "-1 Operation not permitted")

    def test_stats_file(self):
        stats = os.path.join(self.writable_dir("out"), "stats.json")
        self.write(self.payload("/bin/sh", "-c", "exit 4"))
        r = self.run_fmr("run", "--stats", stats, self.bundle)
        self.assertEqual(r.returncode, 4, r.stderr)
        with open(stats) as f:
            s = json.load(f)
        self.assertEqual((s["exit_code"], s["process_exit_status"], s["process_signal"], s["timed_out"]),
                         (4, 4, None, False))
        self.assertGreater(s["wall_seconds"], 0)
        self.assertGreater(s["max_rss_kib"], 0)
        for k in ("user_seconds", "system_seconds"):
            self.assertGreaterEqual(s[k], 0)

    def test_stats_records_a_signal_and_a_timeout(self):
        stats = os.path.join(self.writable_dir("out"), "stats.json")
        self.write(self.payload("/bin/sleep", "30"))
        r = self.run_fmr("run", "--timeout", "0.2", "--stats", stats, self.bundle)
        self.assertEqual(r.returncode, 124, r.stderr)
        with open(stats) as f:
            s = json.load(f)
        self.assertEqual((s["process_signal"], s["timed_out"]), (signal.SIGTERM, True))


class Terminal(SandboxTest):
    def test_interactive_shell_through_a_pty(self):
        c = self.config()
        c["process"]["terminal"] = True
        c["process"]["args"] = ["/bin/sh", "-c", "tty; stty size; exec /bin/sh -i"]
        self.write(c)
        cmd = [self.fmr, "run", self.bundle]
        if MODE != "root":
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        pid, fd = pty.fork()
        if pid == 0:
            os.execvp(cmd[0], cmd)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
        out, sent = b"", False
        deadline = time.time() + 10
        while time.time() < deadline:
            if not sent and b"33 101" in out:
                os.write(fd, b"echo typed-$((6*7))\nexit 5\n")
                sent = True
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                out += data
        _, status = os.waitpid(pid, 0)
        # The caller's terminal is back in cooked mode: fmr-run restored it.
        lflag = termios.tcgetattr(fd)[3]
        os.close(fd)
        self.assertTrue(lflag & termios.ICANON and lflag & termios.ECHO, "terminal left in raw mode")
        self.assertEqual(os.waitstatus_to_exitcode(status), 5, out)
        self.assertIn(b"/dev/pts/0", out)
        self.assertIn(b"33 101", out)
        self.assertIn(b"typed-42", out)

    def test_terminal_needs_a_devpts(self):
        c = self.config()
        c["process"]["terminal"] = True
        c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev/pts"]
        self.write(c)
        r = self.run_fmr("run", self.bundle)
        self.assertEqual(r.returncode, 125)
        self.assertIn("process.terminal", r.stderr)
