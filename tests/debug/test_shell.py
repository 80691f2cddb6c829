# SPDX-License-Identifier: Apache-2.0
"""`run --shell`: a shell in the bundle's own sandbox, typed into through a
real terminal (a tmux pane) and read back from the screen."""

import json
import os
import shutil
import signal
import subprocess
import time

from harness import MODE, NOBODY, SandboxTest, caller_ids

SECRET = "fmr-shell-secret-3b9e"


class TmuxPane:
    """One tmux server on its own socket, one pane running a command."""

    def __init__(self, socket, command):
        self.base = ["tmux", "-S", socket]
        subprocess.run([*self.base, "new-session", "-d", "-x", "120", "-y", "40", command], check=True)
        r = subprocess.run([*self.base, "display-message", "-p", "#{pid}"], capture_output=True, text=True)
        self.server = int(r.stdout) if r.stdout.strip().isdigit() else None

    def type(self, line):
        subprocess.run([*self.base, "send-keys", "-l", line], check=True)
        subprocess.run([*self.base, "send-keys", "Enter"], check=True)

    def screen(self):
        r = subprocess.run([*self.base, "capture-pane", "-p", "-J", "-S", "-200"], capture_output=True, text=True)
        return r.stdout

    def wait_for(self, text, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.screen()
            if text in s:
                return s
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on the screen:\n{self.screen()}")

    def close(self):
        """The server and what runs in its pane (a shell still waiting for
        input when a test failed half-way) end here, not later."""
        subprocess.run([*self.base, "kill-server"], capture_output=True)
        if self.server is None:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.path.exists(f"/proc/{self.server}"):
            time.sleep(0.05)
        if os.path.exists(f"/proc/{self.server}"):
            os.kill(self.server, signal.SIGKILL)


class ShellTest(SandboxTest):
    def setUp(self):
        super().setUp()
        if shutil.which("tmux") is None:
            self.skipTest("tmux is not installed (contrib/setup.sh installs it)")
        # A host file the sandbox does not bind: the shell must not see it.
        self.secret = os.path.join(self.scratch, "secret.txt")
        with open(self.secret, "w") as f:
            f.write(SECRET + "\n")
        self.work = self.writable_dir("work")
        self.panes = []

    def shell_config(self, shell=None):
        c = self.config("exit=42")  # process.args: never run by --shell
        c["process"]["cwd"] = "/work"
        if shell:
            c["process"]["env"].append(f"SHELL={shell}")
        c["mounts"].append({"destination": "/work", "type": "bind", "source": self.work,
                            "options": ["rbind", "rw", "nosuid", "nodev"]})
        c["annotations"] = {"run.fmr.timeout": "1"}  # a shell is not stopped by the step's timeout
        return c

    def start(self, *args):
        cmd = [self.fmr, "run", *args]
        if MODE != "root":
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
        quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in cmd)
        pane = TmuxPane(os.path.join(self.scratch, "tmux.sock"),
                        f"env TMPDIR={self.run_tmp} {quoted}; echo FMR-EXIT=$?; sleep 60")
        self.panes.append(pane)
        return pane

    def tearDown(self):
        # Before the scratch directory (and the server's socket in it) goes,
        # and before the harness looks for processes left behind.
        for pane in self.panes:
            pane.close()
        super().tearDown()

    def test_typed_commands_run_in_the_sandbox(self):
        config = self.shell_config()
        self.write(config)
        with open(os.path.join(self.bundle, "config.json")) as f:
            before = f.read()
        pane = self.start("--shell", self.bundle)
        # One command at a time, each waited for: typed-ahead text would be
        # echoed in between the output of the one before.
        self.command(pane, "true")  # typed before the first prompt: echoed before it
        screen = self.command(pane, "id -u")
        uid, _ = caller_ids()
        self.assertEqual(self.output(screen, "id -u"), [str(uid)])
        self.assertEqual(self.output(self.command(pane, "pwd"), "pwd"), ["/work"])
        self.assertRegex(self.output(self.command(pane, "tty"), "tty")[0], r"^/dev/pts/\d+$")
        self.assertEqual(self.output(self.command(pane, "echo $0"), "echo $0"), ["/bin/sh"],
                         "no SHELL in process.env: /bin/sh")
        screen = self.command(pane, f"cat {self.secret}")
        self.assertEqual(self.output(screen, f"cat {self.secret}"),
                         [f"cat: {self.secret}: No such file or directory"])
        # Longer than the bundle's run.fmr.timeout of 1 s.
        self.command(pane, "echo made > /work/out; sleep 1.5")
        pane.type("exit 7")
        screen = pane.wait_for("FMR-EXIT=")
        self.assertRegex(screen, r"FMR-EXIT=7\n")
        self.assertNotIn(SECRET, screen)
        with open(os.path.join(self.work, "out")) as f:
            self.assertEqual(f.read(), "made\n")
        with open(os.path.join(self.bundle, "config.json")) as f:
            self.assertEqual(f.read(), before, "--shell changed config.json")

    def command(self, pane, line):
        """Type line, wait until its output is complete; the screen."""
        self.n = getattr(self, "n", 0) + 1
        pane.type(f"{line}; echo DONE-{self.n}-$((6*7))")
        return pane.wait_for(f"DONE-{self.n}-42\n")

    def output(self, screen, line):
        """The lines the last typed `line` printed."""
        after = screen[screen.rindex(f"{line}; echo DONE-{self.n}-"):]
        lines = after.splitlines()[1:]
        return lines[:lines.index(f"DONE-{self.n}-42")]

    def test_shell_from_process_env(self):
        if not os.path.exists("/usr/bin/bash"):
            self.skipTest("no /usr/bin/bash on this host")
        self.write(self.shell_config(shell="/usr/bin/bash"))
        pane = self.start("--shell", self.bundle)
        pane.type("echo SHELL-IS-$0-$BASH_VERSINFO")
        screen = pane.wait_for("SHELL-IS-/usr/bin/bash-")
        self.assertNotIn("SHELL-IS-/usr/bin/bash--", screen)
        pane.type("exit")
        pane.wait_for("FMR-EXIT=0")

    def test_command_after_dashes(self):
        self.write(self.shell_config())
        r = self.run_fmr("run", "--shell", self.bundle, "--", "/bin/sh", "-c", "tty; pwd; echo rc-$((1+1)); exit 5")
        self.assertEqual(r.returncode, 5, r.stderr)
        out = r.stdout.replace("\r", "").splitlines()
        self.assertTrue(out[0].startswith("/dev/pts/"), r.stdout)
        self.assertEqual(out[1:], ["/work", "rc-2"])

    def test_shell_ends_with_the_callers_input(self):
        """A shell whose caller's stdin is not a terminal gets the terminal's
        end-of-file when that input ends, and exits, instead of waiting."""
        self.write(self.shell_config())
        cmd = [self.fmr, "run", "--shell", self.bundle]
        if MODE != "root":
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
        env = dict(os.environ, TMPDIR=self.run_tmp)
        r = subprocess.run(cmd, input="echo typed-$((2+3))\n", capture_output=True, text=True, env=env,
                           timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("typed-5", r.stdout)
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_command_needs_shell(self):
        self.write(self.shell_config())
        r = self.run_fmr("run", self.bundle, "--", "/bin/true")
        self.assertEqual(r.returncode, 125)
        self.assertIn("--shell", r.stderr)
