# SPDX-License-Identifier: Apache-2.0
"""Attacks 15 and 30: the caller's terminal.  The sandbox runs with its
standard descriptors on a pty the test owns, as a build started from an
interactive shell would: a session leader (standing in for the shell) has
the pty as its controlling terminal and runs fmr-run in its foreground
process group.  Afterwards the test looks at the pty itself: what it
echoed, what waits in its input queue, its settings, its foreground
process group and session."""

import array
import fcntl
import os
import pty
import select
import subprocess
import sys
import termios

from hostile import MODE, HostileTest, as_caller, parse

MARKER = "fmr-hostile-injected-7c41"
END = "fmr-pty-end"
# Python's termios lacks it; the value of asm-generic/ioctls.h.
TIOCGSID = getattr(termios, "TIOCGSID", 0x5429)

# The stand-in for the caller's shell: session leader of the pty (made its
# controlling terminal before exec), runs the command in its own process
# group, prints the command's status on the pty as the last line, then
# stays alive, holding the terminal, until the test has looked at it.
LEADER = f"""
import os, subprocess, sys
rc = subprocess.call(sys.argv[2:])
print("{END}", rc, flush=True)
os.read(int(sys.argv[1]), 1)
"""


def ioctl_int(fd, request):
    buf = array.array("i", [0])
    fcntl.ioctl(fd, request, buf, True)
    return buf[0]


class PtyRun:
    """What a command run under the stand-in shell left on the pty."""

    def __init__(self, test, cmd, env=None):
        master, slave = pty.openpty()
        test.addCleanup(os.close, master)
        test.addCleanup(os.close, slave)
        self.termios_before = termios.tcgetattr(slave)
        self.ldisc_before = ioctl_int(slave, termios.TIOCGETD)
        hold_r, hold_w = os.pipe()
        leader = subprocess.Popen([sys.executable, "-c", LEADER, str(hold_r), *cmd], stdin=slave, stdout=slave,
                                  stderr=slave, pass_fds=(hold_r,), env=env, start_new_session=True,
                                  preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(hold_r)
        try:
            out = self.read_until_end(master)
            # Looked at while the stand-in shell still holds the terminal.
            self.termios_after = termios.tcgetattr(slave)
            self.ldisc_after = ioctl_int(slave, termios.TIOCGETD)
            self.foreground = os.tcgetpgrp(master)
            self.session = ioctl_int(master, TIOCGSID)
            self.queued = ioctl_int(slave, termios.FIONREAD)
            self.leader = leader.pid
        finally:
            os.close(hold_w)
            leader.wait(timeout=30)
        text = out.decode(errors="replace").replace("\r", "")
        lines = text.splitlines()
        self.echoed = text
        self.status = int(lines[-1].split()[1])
        # Lines the terminal echoed from injected input are not the attack's.
        self.report = parse("\n".join(line for line in lines[:-1] if line and MARKER not in line))

    @staticmethod
    def read_until_end(master, limit=200):
        """Everything the pty printed up to and including the END line
        (at most LIMIT waits of a few seconds for more)."""
        out = b""
        for _ in range(limit):
            if f"{END} ".encode() in out and out.endswith(b"\n"):
                return out
            ready, _, _ = select.select([master], [], [], 5)
            if not ready:
                break
            out += os.read(master, 4096)
        raise AssertionError(f"no end line from the stand-in shell: {out!r}")


class Terminal(HostileTest):
    maxDiff = None

    def on_pty(self, *args):
        """The attack in the default sandbox on a pty; its PtyRun."""
        self.spec(*args)
        env = dict(os.environ, TMPDIR=self.run_tmp)
        return PtyRun(self, as_caller([self.fmr, "run", self.bundle]), env=env)

    def assertTerminalUntouched(self, run):
        self.assertEqual(run.termios_after, run.termios_before, "terminal settings changed")
        self.assertEqual(run.ldisc_after, run.ldisc_before, "line discipline changed")
        self.assertEqual((run.foreground, run.session), (run.leader, run.leader),
                         "foreground process group or session of the terminal changed")

    def test_15_tiocsti_and_tioclinux_into_the_callers_terminal(self):
        run = self.on_pty("tiocsti", f"echo {MARKER}\n")
        # The profile denies both ioctls; the payload has no controlling
        # terminal, so /dev/tty does not open.
        expect = {f"{call}:{fd}": "EPERM" for call in ("tiocsti", "tioclinux") for fd in (0, 1, 2)}
        expect["open:/dev/tty"] = "ENXIO"
        self.assertEqual((run.status, run.report), (0, expect), run.echoed)
        self.assertNotIn(MARKER, run.echoed)
        self.assertEqual(run.queued, 0, "characters wait in the terminal's input")
        self.assertTerminalUntouched(run)
        # Control: the same attack on the host, in the terminal's session,
        # types the line (allowed to the terminal's own session while
        # dev.tty.legacy_tiocsti is 1, and to root always).
        with open("/proc/sys/dev/tty/legacy_tiocsti") as f:
            legacy = f.read().strip() == "1"
        control = PtyRun(self, as_caller([self.hostile, "tiocsti", f"echo {MARKER}\n"]))
        self.assertEqual(control.report["tiocsti:0"], "ok" if legacy or MODE == "root" else "EIO")
        if control.report["tiocsti:0"] == "ok":
            self.assertIn(MARKER, control.echoed)
            self.assertGreater(control.queued, 0)

    def test_30_change_the_callers_terminal_settings_or_foreground_group(self):
        run = self.on_pty("tty-settings")
        # Standard descriptors that are the caller's terminal reach the
        # payload as pipes (fmr-run relays them), so every terminal ioctl
        # finds no terminal; there is no controlling terminal either.
        expect = {f"{call}:{fd}": "ENOTTY" for call in ("tcsetattr", "tiocsetd", "tiocsctty", "tcsetpgrp",
                                                         "tiocnotty") for fd in (0, 1, 2)}
        expect["open:/dev/tty"] = "ENXIO"
        self.assertEqual((run.status, run.report), (0, expect), run.echoed)
        self.assertTerminalUntouched(run)
        # Control: on the host the same attempts turn echo off.
        control = PtyRun(self, as_caller([self.hostile, "tty-settings"]))
        self.assertEqual(control.report["tcsetattr:0"], "ok")
        self.assertNotEqual(control.termios_after, control.termios_before)
