# SPDX-License-Identifier: Apache-2.0
"""Supervision: PID 1 reaps and cleans up, signals reach the payload, the
sandbox dies with fmr-run, --stats, an interactive terminal, and the
caller's terminal relayed, never handed in, without one."""

import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import time
import fcntl
import termios

from harness import MODE, NOBODY, SandboxTest, descendants, host_pids_with



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

        def sleeping():
            # The shell's command line holds the token too, and one read
            # in the middle of its exec sees none: only the sleep counts.
            found = []
            for pid in host_pids_with(token):
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        if f.read().startswith(b"/bin/sleep\0"):
                            found.append(pid)
                except OSError:
                    pass
            return found

        deadline = time.time() + 5
        while not sleeping() and time.time() < deadline:
            time.sleep(0.01)  # "ready" comes just before the exec
        self.assertEqual(len(sleeping()), 1)
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


# Started by the test in place of a terminal emulator: a new session whose
# controlling terminal is the pty on fd CTTY (-1: none), the command run in
# the foreground ("fg") or as a background job of its own process group
# ("bg", as `cmd &` in an interactive shell); FD3 (-1: none) becomes fd 3.
# A background job that gets stopped is killed: exit status 100 + signal.
SESSION = ("import os, sys, fcntl, termios\n"
           "ctty, how, fd3, cmd = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4:]\n"
           "if ctty >= 0:\n"
           "    fcntl.ioctl(ctty, termios.TIOCSCTTY, 0)\n"
           "if fd3 >= 0 and fd3 != 3:\n"
           "    os.dup2(fd3, 3)\n"
           "    os.close(fd3)\n"
           "if how == 'fg':\n"
           "    os.execvp(cmd[0], cmd)\n"
           "pid = os.fork()\n"
           "if pid == 0:\n"
           "    os.setpgid(0, 0)\n"
           "    os.execvp(cmd[0], cmd)\n"
           "_, st = os.waitpid(pid, os.WUNTRACED)\n"
           "if os.WIFSTOPPED(st):\n"
           "    os.kill(pid, 9)\n"
           "    os.waitpid(pid, 0)\n"
           "    sys.exit(100 + os.WSTOPSIG(st))\n"
           "sys.exit(os.waitstatus_to_exitcode(st))\n")


class StdioOnATerminal(SandboxTest):
    """process.terminal false with the caller's std fds on a terminal: the
    sandbox gets pipes that fmr-run relays, never the terminal itself."""

    def shell(self, script):
        c = self.config()
        c["process"]["args"] = ["/bin/sh", "-c", script]
        return c

    def setUp(self):
        super().setUp()
        self.slaves = []

    def open_pty(self):
        master, slave = pty.openpty()
        self.addCleanup(os.close, master)
        self.slaves.append(slave)
        return master, slave

    def close_slaves(self):
        for fd in self.slaves:
            os.close(fd)
        self.slaves = []

    def start(self, config, stdin, stdout, stderr, ctty=0, how="fg", fd3=-1, opts=()):
        """fmr-run run with the given std fds, in a session of its own."""
        self.write(config)
        cmd = [self.fmr, "run", *opts, self.bundle]
        if MODE != "root":
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
        p = subprocess.Popen([sys.executable, "-c", SESSION, str(ctty), how, str(fd3), *cmd], stdin=stdin,
                             stdout=stdout, stderr=stderr, start_new_session=True,
                             pass_fds=(fd3,) if fd3 >= 0 else (), env=dict(os.environ, TMPDIR=self.run_tmp))
        self.addCleanup(self.kill_all, p)
        return p

    def kill_all(self, p):
        """After a failure: fmr-run dies, and PID 1 with it (PDEATHSIG)."""
        for pid in descendants(p.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if p.poll() is None:
            p.kill()
        p.wait()
        for f in (p.stdin, p.stdout, p.stderr):
            if f:
                f.close()
        self.close_slaves()

    def read_until(self, master, marker):
        out = b""
        deadline = time.time() + 30
        while marker not in out:
            self.assertLess(time.time(), deadline, f"{marker!r} never came: {out!r}")
            if select.select([master], [], [], 0.1)[0]:
                out += os.read(master, 65536)
        return out

    def read_while_running(self, p, master):
        """What comes while fmr-run runs: a full pty would block it."""
        out = b""
        deadline = time.time() + 60
        while p.poll() is None:
            self.assertLess(time.time(), deadline, f"fmr-run did not end: {out!r}")
            if select.select([master], [], [], 0.1)[0]:
                out += os.read(master, 65536)
        return out

    @staticmethod
    def read_to_the_end(master):
        """Once every copy of the peer is closed, the master reads what is
        still queued, then fails with EIO."""
        out = b""
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return out
            if not data:
                return out
            out += data

    def finish(self, p, master, out=b""):
        """Returns fmr-run's status and all it wrote on the pty, with the
        terminal's \\r\\n as \\n."""
        out += self.read_while_running(p, master)
        self.close_slaves()
        out += self.read_to_the_end(master)
        return p.returncode, out.replace(b"\r\n", b"\n").decode()

    def left_in_the_input_queue(self, slave):
        """What the terminal still holds for its next reader."""
        os.set_blocking(slave, False)
        try:
            return os.read(slave, 4096)
        except BlockingIOError:
            return b""

    def test_std_fds_are_pipes_relayed_to_the_terminal(self):
        master, slave = self.open_pty()
        p = self.start(self.shell("for f in 0 1 2; do if test -t $f; then echo fd$f tty; else echo fd$f no tty; fi; "
                                  "done; echo to-stderr >&2; read line; echo read:$line; cat; echo cat-ended"),
                       slave, slave, slave)
        out = self.read_until(master, b"to-stderr\r\n")
        os.write(master, b"hello\n")
        out += self.read_until(master, b"read:hello\r\n")
        os.write(master, b"\x04")  # ^D: the end of the input, for the payload too
        self.assertEqual(self.finish(p, master, out),
                         (0, "fd0 no tty\nfd1 no tty\nfd2 no tty\nto-stderr\nhello\nread:hello\ncat-ended\n"))

    def test_payload_cannot_change_the_callers_terminal(self):
        master, slave = self.open_pty()
        modes = termios.tcgetattr(slave)
        ldisc = fcntl.ioctl(slave, termios.TIOCGETD, b"\0" * 4)
        c = self.config()
        # A termios of zeros (no echo, no canonical mode) and the line
        # discipline set: each would succeed on any descriptor of a tty.
        c["process"]["args"] = [
            "/usr/bin/python3", "-c",
            "import errno, fcntl, struct, termios\n"
            "for fd in 0, 1, 2:\n"
            "    for name, req, arg in (('TCSETS', termios.TCSETS, bytes(64)),\n"
            "                           ('TIOCSETD', termios.TIOCSETD, struct.pack('i', 0))):\n"
            "        try:\n"
            "            fcntl.ioctl(fd, req, arg)\n"
            "            r = 'ok'\n"
            "        except OSError as e:\n"
            "            r = errno.errorcode[e.errno]\n"
            "        print(fd, name, r, flush=True)\n"]
        p = self.start(c, slave, slave, slave)
        out = self.read_while_running(p, master)
        self.assertEqual((termios.tcgetattr(slave), fcntl.ioctl(slave, termios.TIOCGETD, b"\0" * 4)), (modes, ldisc))
        self.assertEqual(self.finish(p, master, out),
                         (0, "".join(f"{fd} {req} ENOTTY\n" for fd in (0, 1, 2) for req in ("TCSETS", "TIOCSETD"))))

    def test_output_is_neither_lost_nor_reordered(self):
        master, slave = self.open_pty()
        # Far more than a pipe holds, and the last of it still in the pipe
        # when the sandbox ends.
        p = self.start(self.shell("seq 1 50000; echo on-stderr >&2; seq 50001 60000"), slave, slave, slave)
        self.assertEqual(self.finish(p, master),
                         (0, "".join(f"{i}\n" for i in range(1, 50001)) + "on-stderr\n"
                          + "".join(f"{i}\n" for i in range(50001, 60001))))

    def test_stdout_and_stderr_on_two_terminals(self):
        master, slave = self.open_pty()
        master2, slave2 = self.open_pty()
        p = self.start(self.shell("echo out; echo err >&2; test -t 1 || test -t 2 || echo neither"),
                       subprocess.DEVNULL, slave, slave2, ctty=1)
        self.assertEqual(self.finish(p, master), (0, "out\nneither\n"))
        self.assertEqual(self.read_to_the_end(master2), b"err\r\n")

    def test_pipes_are_handed_on_as_they_are_files_relayed(self):
        err_path = os.path.join(self.scratch, "stderr")
        with open(err_path, "wb") as err_file:
            p = self.start(self.shell("readlink /proc/self/fd/0 /proc/self/fd/1; stat -L -c %F /proc/self/fd/2; "
                                      "cat; test -t 2 || echo fd2 no tty >&2"),
                           subprocess.PIPE, subprocess.PIPE, err_file, ctty=-1)
        ino_in, ino_out = os.fstat(p.stdin.fileno()).st_ino, os.fstat(p.stdout.fileno()).st_ino
        out, _ = p.communicate(b"piped-in\n", timeout=30)
        with open(err_path) as f:
            err = f.read()
        # The payload has the caller's very pipes; the file reaches it
        # through a pipe of fmr-run's (test_relay.py has the reasons).
        self.assertEqual((p.returncode, out.decode(), err),
                         (0, f"pipe:[{ino_in}]\npipe:[{ino_out}]\nfifo\npiped-in\n", "fd2 no tty\n"))

    def test_pipes_stay_as_they_are_beside_a_terminal(self):
        master, slave = self.open_pty()
        p = self.start(self.shell("readlink /proc/self/fd/0 /proc/self/fd/1; cat; test -t 2 || echo fd2 no tty >&2"),
                       subprocess.PIPE, subprocess.PIPE, slave, ctty=2)
        ino_in, ino_out = os.fstat(p.stdin.fileno()).st_ino, os.fstat(p.stdout.fileno()).st_ino
        out, _ = p.communicate(b"piped-in\n", timeout=30)
        self.assertEqual(self.finish(p, master), (0, "fd2 no tty\n"))
        self.assertEqual(out.decode(), f"pipe:[{ino_in}]\npipe:[{ino_out}]\npiped-in\n")

    def test_preserved_fds_beside_a_terminal(self):
        master, slave = self.open_pty()
        rfd, wfd = os.pipe()
        self.addCleanup(os.close, rfd)
        p = self.start(self.shell("echo via-fd3 >&3; echo LISTEN_FDS=$LISTEN_FDS; test -t 0 || echo fd0 no tty"),
                       slave, slave, slave, fd3=wfd, opts=("--preserve-fds", "1"))
        os.close(wfd)
        self.assertEqual(self.finish(p, master), (0, "LISTEN_FDS=1\nfd0 no tty\n"))
        with os.fdopen(os.dup(rfd), "rb") as f:
            self.assertEqual(f.read(), b"via-fd3\n")

    def pid1_of(self, p):
        """The sandbox's PID 1: the child of fmr-run (the session helper
        execs into it in the foreground)."""
        deadline = time.time() + 30
        while True:
            for pid in descendants(p.pid):
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == p.pid:
                            return pid
                except OSError:
                    pass
            self.assertLess(time.time(), deadline, "no PID 1")
            time.sleep(0.01)

    def test_terminal_left_alone_once_the_payload_closed_its_stdin(self):
        master, slave = self.open_pty()
        p = self.start(self.shell("exec 0<&-; trap 'echo done; exit 0' USR1; echo closed; "
                                  "while :; do sleep 0.05; done"), slave, slave, slave)
        out = self.read_until(master, b"closed\r\n")
        # PID 1 lets go of its copy of the pipe just after the payload's
        # exec: from then on nobody in the sandbox reads it.
        pid1 = self.pid1_of(p)
        deadline = time.time() + 30
        while os.path.exists(f"/proc/{pid1}/fd/0"):
            self.assertLess(time.time(), deadline, "PID 1 keeps the payload's stdin")
            time.sleep(0.01)
        os.write(master, b"typed-ahead\n")
        select.select([slave], [], [], 30)  # the line is in the terminal's queue
        p.send_signal(signal.SIGUSR1)
        out += self.read_while_running(p, master)
        # Left for whoever reads the terminal next (the caller's shell).
        self.assertEqual(self.left_in_the_input_queue(slave), b"typed-ahead\n")
        self.assertEqual(self.finish(p, master, out), (0, "closed\ntyped-ahead\ndone\n"))

    def test_background_job_is_not_stopped_and_reads_end_of_file(self):
        master, slave = self.open_pty()
        attrs = termios.tcgetattr(slave)
        attrs[3] |= termios.TOSTOP  # a background write raises SIGTTOU too
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        p = self.start(self.shell("echo started; cat; echo cat-ended"), slave, slave, slave, how="bg")
        out = self.read_until(master, b"started\r\n")
        # A background read fails (EIO): the payload's input has ended,
        # and the line stays for the foreground.
        os.write(master, b"for-the-shell\n")
        out += self.read_while_running(p, master)
        self.assertEqual(self.left_in_the_input_queue(slave), b"for-the-shell\n")
        self.assertEqual(self.finish(p, master, out), (0, "started\nfor-the-shell\ncat-ended\n"))
