# SPDX-License-Identifier: Apache-2.0
"""`run --seccomp-log` (and --debug): the filter logs what it refuses, and
fmr-run lists the refused calls by name after the run when it can read the
audit records (root: CAP_AUDIT_READ); otherwise it says where they are."""

from harness import MODE, SandboxTest


class SeccompLogTest(SandboxTest):
    def run_checks(self, *opts):
        self.write(self.config("syscall=mount", "syscall=unshare", "syscall=getpid"))
        r = self.run_fmr("run", *opts, self.bundle)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_refused_calls_are_listed(self):
        for opts in (["--seccomp-log"], ["--debug"]):
            r = self.run_checks(*opts)
            lines = [l for l in r.stderr.splitlines() if l.startswith("fmr-run: seccomp:")]
            if MODE != "root":
                self.assertTrue(any("cannot read the audit records" in l and "dmesg" in l for l in lines)
                                or any("refused mount" in l for l in lines), r.stderr)
                continue
            self.assertIn("fmr-run: seccomp: refused mount (syscall", r.stderr)
            self.assertIn("fmr-run: seccomp: refused unshare (syscall", r.stderr)
            self.assertIn("errno) to probe, 1 time", r.stderr)
            self.assertNotIn("refused getpid", r.stderr)
            # Only this sandbox's calls: each check ran once.
            self.assertEqual(len([l for l in lines if "refused" in l]), 2, lines)

    def test_nothing_without_the_option(self):
        r = self.run_checks()
        self.assertNotIn("fmr-run: seccomp:", r.stderr)

    def test_no_refusal(self):
        self.write(self.config("syscall=getpid"))
        r = self.run_fmr("run", "--seccomp-log", self.bundle)
        self.assertEqual(r.returncode, 0, r.stderr)
        if MODE == "root":
            self.assertIn("fmr-run: seccomp: the filter refused no call", r.stderr)
        self.assertNotIn("seccomp: refused", r.stderr)
