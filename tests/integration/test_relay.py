# SPDX-License-Identifier: Apache-2.0
"""The relays between the caller's fds 0-2 and the sandbox: --timeout
holds whatever they carry, escape sequences that reach past the screen
are dropped on the way to a terminal, and only pipes and /dev/null reach
the payload as they are."""

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import test_supervise
from harness import MODE, NOBODY, SandboxTest, descendants, host_pids_with


class RelayTest(SandboxTest):
    def setUp(self):
        super().setUp()
        self.fds = []

    def keep(self, *fds):
        self.fds.extend(fds)
        return fds if len(fds) > 1 else fds[0]

    def close_fds(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []

    def pty(self):
        return self.keep(*pty.openpty())

    def start(self, args, stdin, stdout, stderr, ctty=-1, opts=(), terminal=False):
        """fmr-run run in a session of its own, its controlling terminal
        the pty on fd CTTY of the new process (-1: none)."""
        c = self.config()
        c["process"]["args"] = args
        c["process"]["terminal"] = terminal
        self.write(c)
        cmd = [self.fmr, "run", *opts, self.bundle]
        if MODE != "root":
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
        p = subprocess.Popen([sys.executable, "-c", test_supervise.SESSION, str(ctty), "fg", "-1", *cmd],
                             stdin=stdin, stdout=stdout, stderr=stderr, start_new_session=True,
                             env=dict(os.environ, TMPDIR=self.run_tmp))
        self.addCleanup(self.kill_all, p)
        return p

    def kill_all(self, p):
        for pid in descendants(p.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if p.poll() is None:
            p.kill()
        p.wait()
        self.close_fds()

    def owned_file(self, name, content):
        """A file of the caller's (nobody's, in that mode), mode 0644."""
        path = os.path.join(self.scratch, name)
        with open(path, "wb") as f:
            f.write(content)
        os.chmod(path, 0o644)
        if MODE != "root":
            os.chown(path, NOBODY, NOBODY)
        return path


# Two loops that ignore SIGTERM and write as fast as they can.
def flood(token):
    return ["/bin/sh", "-c", f"trap '' TERM; yes {token} & yes {token}"]


class TimeoutWhateverTheRelayDoes(RelayTest):
    TIMEOUT, KILL_AFTER = 1, 1
    SLACK = 5  # start-up, a loaded machine, and the final message's wait

    def expect_timeout(self, p, token):
        start = time.monotonic()
        try:
            p.wait(timeout=self.TIMEOUT + self.KILL_AFTER + self.SLACK + 20)
        except subprocess.TimeoutExpired:
            self.fail("fmr-run did not end")
        elapsed = time.monotonic() - start
        self.assertEqual(p.returncode, 124)
        self.assertLess(elapsed, self.TIMEOUT + self.KILL_AFTER + self.SLACK)
        self.assertEqual(host_pids_with(token), [], "a flooding process survived")

    def opts(self):
        return ("--timeout", str(self.TIMEOUT), "--kill-after", str(self.KILL_AFTER))

    def run_on_a_pty(self, drain, terminal=False):
        master, slave = self.pty()
        token = uuid.uuid4().hex
        p = self.start(flood(token), slave, slave, slave, ctty=0, opts=self.opts(), terminal=terminal)
        stop = threading.Event()

        def slow_reader():
            while not stop.is_set():
                if select.select([master], [], [], 0.05)[0]:
                    try:
                        os.read(master, 512)
                    except OSError:
                        return
                time.sleep(0.05)

        t = threading.Thread(target=slow_reader) if drain else None
        if t:
            t.start()
        try:
            self.expect_timeout(p, token)
        finally:
            stop.set()
            if t:
                t.join()

    def test_terminal_never_drained(self):
        self.run_on_a_pty(drain=False)

    def test_terminal_drained_slowly(self):
        self.run_on_a_pty(drain=True)

    def test_process_terminal_never_drained(self):
        self.run_on_a_pty(drain=False, terminal=True)

    def test_process_terminal_drained_slowly(self):
        self.run_on_a_pty(drain=True, terminal=True)

    def test_pipe_never_drained(self):
        r, w = self.keep(*os.pipe())
        err = self.owned_file("err", b"")
        token = uuid.uuid4().hex
        with open(err, "wb") as err_file:
            p = self.start(flood(token), subprocess.DEVNULL, w, err_file, opts=self.opts())
        os.close(w)
        self.fds.remove(w)
        self.expect_timeout(p, token)
        with open(err) as f:
            self.assertIn("timeout", f.read())

    def test_socket_never_drained(self):
        a, b = socket.socketpair()
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        token = uuid.uuid4().hex
        p = self.start(flood(token), subprocess.DEVNULL, b.fileno(), b.fileno(), opts=self.opts())
        b.close()
        self.expect_timeout(p, token)


class EscapeSequences(RelayTest):
    # OSC 52 (clipboard), DSR, DA, DECRQSS among colours and text.
    PRINTF = r"printf 'A\033]52;c;SGVsbG8=\007B\033[6nC\033[31mred\033[0mD\033[cE\033P$qm\033\\F\n'"
    RAW = "A\x1b]52;c;SGVsbG8=\aB\x1b[6nC\x1b[31mred\x1b[0mD\x1b[cE\x1bP$qm\x1b\\F\n"
    CLEAN = "ABC\x1b[31mred\x1b[0mDEF\n"

    def output(self, terminal, opts=()):
        master, slave = self.pty()
        p = self.start(["/bin/sh", "-c", self.PRINTF], slave, slave, slave, ctty=0, opts=opts, terminal=terminal)
        out = b""
        deadline = time.time() + 30
        while p.poll() is None:
            self.assertLess(time.time(), deadline, f"fmr-run did not end: {out!r}")
            if select.select([master], [], [], 0.1)[0]:
                out += os.read(master, 65536)
        self.close_fds()  # the slave too: the master then reads to its end
        try:
            while True:
                data = os.read(master, 65536)
                if not data:
                    break
                out += data
        except OSError:
            pass
        self.assertEqual(p.returncode, 0, out)
        return out.replace(b"\r", b"").decode()

    def test_stdio_relay_drops_them(self):
        self.assertEqual(self.output(False), self.CLEAN)

    def test_stdio_relay_raw_output(self):
        self.assertEqual(self.output(False, opts=("--raw-output",)), self.RAW)

    def test_process_terminal_drops_them(self):
        self.assertEqual(self.output(True), self.CLEAN)

    def test_process_terminal_raw_output(self):
        self.assertEqual(self.output(True, opts=("--raw-output",)), self.RAW)

    def test_not_filtered_into_a_file(self):
        out = self.owned_file("out", b"")
        with open(out, "wb") as f:
            p = self.start(["/bin/sh", "-c", self.PRINTF], subprocess.DEVNULL, f, f)
        self.assertEqual(p.wait(timeout=30), 0)
        with open(out) as f:
            self.assertEqual(f.read(), self.RAW)


# Run with fd 0 a file of the caller's and fds 1, 2 one log file of the
# caller's that already holds a line: what the payload can do to them
# through /proc/self/fd.
ATTACK = r"""
import errno, os, sys, time
def attempt(name, fn):
    try:
        print(name, fn(), flush=True)
    except OSError as e:
        print(name, errno.errorcode[e.errno], flush=True)
data = sys.stdin.buffer.read()
print("stdin", len(data), data.count(b"\n"), flush=True)
# What the payload reads of its own pipe is its own output lost: let the
# relay take it first.
time.sleep(0.5)
def read_log():
    fd = os.open("/proc/self/fd/1", os.O_RDONLY | os.O_NONBLOCK)
    try:
        return b"earlier" in os.read(fd, 1 << 20)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
attempt("earlier-lines-read", read_log)
attempt("truncate-log", lambda: os.truncate("/proc/self/fd/1", 0))
def reopen_trunc():
    os.close(os.open("/proc/self/fd/2", os.O_WRONLY | os.O_TRUNC | os.O_NONBLOCK))
    return "opened"
attempt("reopen-trunc-log", reopen_trunc)
def rewrite_stdin():
    fd = os.open("/proc/self/fd/0", os.O_WRONLY | os.O_NONBLOCK)
    try:
        return os.pwrite(fd, b"PLANTED", 0)
    finally:
        os.close(fd)
attempt("rewrite-stdin", rewrite_stdin)
for i in range(3000):
    print("line", i, flush=True)
    if i % 1000 == 0:
        print("err", i, file=sys.stderr, flush=True)
print("end", flush=True)
"""


class FilesAndSocketsAreRelayed(RelayTest):
    STDIN = b"".join(b"input %d\n" % i for i in range(100000))

    def attack(self, run):
        """The attack, its log and stdin file afterwards."""
        log = self.owned_file("log", b"earlier line\n")
        stdin = self.owned_file("stdin", self.STDIN)
        with open(stdin, "rb") as fin, open(log, "ab") as fout:
            code = run(fin, fout)
        with open(log, "rb") as f, open(stdin, "rb") as g:
            return code, f.read().decode(), g.read()

    def test_files_cannot_be_reopened(self):
        code, log, stdin = self.attack(
            lambda fin, fout: self.start(["/usr/bin/python3", "-c", ATTACK], fin, fout, fout).wait(timeout=60))
        self.assertEqual(code, 0, log)
        self.assertEqual(stdin, self.STDIN)
        lines = log.splitlines()
        self.assertEqual(lines[:2], ["earlier line", f"stdin {len(self.STDIN)} 100000"])
        results = dict(line.rsplit(" ", 1) for line in lines[2:6])
        self.assertEqual(results["earlier-lines-read"], "False")
        # A pipe: truncate(2) refuses it; an open with O_TRUNC is a FIFO
        # open that truncates nothing; pwrite(2) has no offset to write at.
        self.assertEqual((results["truncate-log"], results["reopen-trunc-log"], results["rewrite-stdin"]),
                         ("EINVAL", "opened", "ESPIPE"))
        body = []
        for i in range(3000):
            body.append(f"line {i}")
            if i % 1000 == 0:
                body.append(f"err {i}")
        self.assertEqual(lines[6:], body + ["end"])

    def test_the_attack_works_unsandboxed(self):
        """The control: the same script with the files themselves."""
        code, log, stdin = self.attack(
            lambda fin, fout: subprocess.run([sys.executable, "-c", ATTACK], stdin=fin, stdout=fout,
                                             stderr=fout).returncode)
        self.assertEqual(code, 0)
        self.assertTrue(stdin.startswith(b"PLANTED"))
        self.assertNotIn("earlier line", log)  # truncated
        self.assertIn("rewrite-stdin 7", log)

    def test_socket_becomes_a_pipe(self):
        a, b = socket.socketpair()
        self.addCleanup(a.close)
        p = self.start(["/bin/sh", "-c", "readlink /proc/self/fd/0 /proc/self/fd/1; seq 1 20000"], b.fileno(),
                       b.fileno(), subprocess.DEVNULL)
        b.close()
        out = b""
        while True:
            data = a.recv(65536)
            if not data:
                break
            out += data
        self.assertEqual(p.wait(timeout=30), 0)
        lines = out.decode().splitlines()
        self.assertTrue(lines[0].startswith("pipe:") and lines[1].startswith("pipe:"), lines[:2])
        self.assertEqual(lines[2:], [str(i) for i in range(1, 20001)])

    def test_dev_null_and_pipes_as_they_are(self):
        r, w = os.pipe()
        self.keep(r)
        p = self.start(["/bin/sh", "-c", "stat -L -c %t:%T /proc/self/fd/0; readlink /proc/self/fd/1"],
                       subprocess.DEVNULL, w, subprocess.DEVNULL)
        os.close(w)
        self.assertEqual(p.wait(timeout=30), 0)
        with os.fdopen(os.dup(r), "rb") as f:
            out = f.read().decode().splitlines()
        self.assertEqual(out, ["1:3", f"pipe:[{os.fstat(r).st_ino}]"])
