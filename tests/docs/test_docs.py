#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Docs that run: every fenced block of README.md and
contrib/fromager/README.md says, in an HTML comment just above it, how it is
tested, and the runnable ones are run here against a copy of this build
installed with `make install prefix=TMP`:

    <!-- doc-test: run -->                 run the block (sh: bash -e; python)
    <!-- doc-test: run                     ... with, one per line:
    before: SHELL LINE                       run first (sh blocks)
    stdin: TEXT                              its standard input (a line)
    subst: TEXT => REPLACEMENT               a path of the reader's, made ours
    then: LINE                               appended: checks what it did
    -->
    <!-- doc-test: skip: REASON -->        not run (sample output, a tree
                                             listing, what CI itself runs)
    <!-- doc-test: hooks -->               YAML naming module:function
                                             values, each must import

A block without a comment fails the test, so a new example cannot escape.
The blocks of one file run in order in one working directory (a later block
uses the bundle an earlier one wrote), with PATH starting at the installed
bin/, PYTHONPATH holding the installed package and a stand-in `fromager`
package (its external_commands and __main__.invoke_main, which runs the
network-isolation probe as fromager does), HOME in the scratch directory,
EDITOR=true, stdin empty unless the comment gives it.  Python blocks get `src` (a copy of
tests/wheels/projects/purepy), `wheel_dir` and `venv_python` (this
interpreter, which has Debian's setuptools and pep517) and `os`.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

TOP_SRCDIR = os.environ["FMR_TOP_SRCDIR"]
TOP_BUILDDIR = os.environ["FMR_TOP_BUILDDIR"]
FILES = ("README.md", "contrib/fromager/README.md")
RUNNABLE = ("sh", "bash", "python", "")
TIMEOUT = 120

FENCE = re.compile(r"^\s*```(\w*)\s*$")  # also fences indented in a list item
MARKER = re.compile(r"<!--\s*doc-test:\s*(.*?)-->", re.S)

FROMAGER_STUB = {
    "__init__.py": "",
    "external_commands.py": 'NETWORK_ISOLATION = ["run_network_isolation.sh"]\n',
    "__main__.py": '''import subprocess, sys
from . import external_commands

def invoke_main():
    # fromager probes its network-isolation wrapper with `WRAPPER true`.
    probe = subprocess.run(external_commands.NETWORK_ISOLATION + ["true"])
    print("fromager stand-in: probe %r exited %d; arguments %r"
          % (external_commands.NETWORK_ISOLATION, probe.returncode, sys.argv[1:]))
    sys.exit(probe.returncode)
''',
}


def blocks(path):
    """(line, lang, text, marker text or None) for each fenced block."""
    lines = open(path, encoding="utf-8").read().split("\n")
    found, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].lstrip().startswith("```"):
            j += 1
        before = "\n".join(line.strip() for line in lines[:start]).rstrip()
        marker = None
        if before.endswith("-->"):
            k = before.rfind("<!--")
            mm = MARKER.fullmatch(before[k:])
            marker = mm.group(1).strip() if mm else None
        found.append((start + 1, lang, "\n".join(lines[start + 1:j]) + "\n", marker))
        i = j + 1
    return found


def parse_marker(marker):
    head, _, rest = marker.partition("\n")
    kind, _, reason = head.strip().partition(":")
    options = []
    for line in rest.split("\n"):
        if line.strip():
            key, _, value = line.strip().partition(":")
            options.append((key.strip(), value.strip()))
    return kind.strip(), reason.strip(), options


class Session:
    def __init__(self, tmp):
        self.tmp = tmp
        self.prefix = os.path.join(tmp, "prefix")
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        done = subprocess.run([os.environ.get("MAKE", "make"), "-s", "-C", TOP_BUILDDIR, "install",
                               "prefix=" + self.prefix], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True)
        if done.returncode:
            print(done.stdout)
            raise SystemExit("make install prefix=%s failed" % self.prefix)
        stubs = os.path.join(tmp, "stubs", "fromager")
        os.makedirs(stubs)
        for name, text in FROMAGER_STUB.items():
            with open(os.path.join(stubs, name), "w") as f:
                f.write(text)
        os.makedirs(os.path.join(tmp, "home"))
        self.env = {
            "PATH": os.path.join(self.prefix, "bin") + ":/usr/bin:/bin",
            "PYTHONPATH": os.path.join(self.prefix, "share", "fmr-run", "fromager") + ":"
                          + os.path.join(tmp, "stubs"),
            "HOME": os.path.join(tmp, "home"),
            "EDITOR": "true",
            "LANG": "C.UTF-8",
            "DOC_TMP": tmp,
        }

    def run(self, workdir, lang, text, options):
        for key, value in options:
            if key == "subst":
                old, _, new = value.partition("=>")
                if old.strip() not in text:
                    return "subst: %r is not in the block" % old.strip()
                text = text.replace(old.strip(), new.strip().replace("$DOC_TMP", self.tmp))
            elif key not in ("before", "then", "stdin"):
                return "unknown option %r" % key
        before = [v for k, v in options if k == "before"]
        then = [v for k, v in options if k == "then"]
        if lang == "python":
            src = os.path.join(self.tmp, "purepy")
            if not os.path.exists(src):
                shutil.copytree(os.path.join(TOP_SRCDIR, "tests", "wheels", "projects", "purepy"), src)
                for root, dirs, files in os.walk(src):  # distcheck's source tree is read-only
                    for name in [root] + [os.path.join(root, f) for f in files]:
                        os.chmod(name, os.stat(name).st_mode | 0o200)
            preamble = ("import os\nsrc = %r\nwheel_dir = %r\nvenv_python = %r\nos.makedirs(wheel_dir, exist_ok=True)\n"
                        % (src, os.path.join(self.tmp, "wheels"), sys.executable))
            cmd = [sys.executable, "-c", preamble + text + "\n".join(then) + "\n"]
        else:
            script = "\n".join(before) + "\n" + text + "\n".join(then) + "\n"
            cmd = ["/bin/bash", "-e", "-o", "pipefail", "-c", script]
        stdin = "".join(v + "\n" for k, v in options if k == "stdin")
        # A session of its own, so that a block that hangs is killed whole
        # (SIGKILL to fmr-run takes its sandbox with it).
        proc = subprocess.Popen(cmd, cwd=workdir, env=self.env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, start_new_session=True)
        try:
            out, _ = proc.communicate(stdin, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            print(out)
            return "still running after %d s" % TIMEOUT
        print("\n".join("    | " + line for line in out.rstrip("\n").split("\n")))
        return None if proc.returncode == 0 else "exit status %d" % proc.returncode


def check_hooks(text, env):
    refs = re.findall(r"^\s*\w+:\s*([\w.]+):(\w+)\s*$", text, re.M)
    if not refs:
        return "no module:function in the block"
    code = "import importlib\n" + "".join(
        "assert callable(getattr(importlib.import_module(%r), %r))\n" % (m, f) for m, f in refs)
    done = subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True)
    return None if done.returncode == 0 else done.stdout.strip()


def main():
    failures = 0
    with tempfile.TemporaryDirectory(prefix="fmr-docs-") as tmp:
        session = Session(tmp)
        for name in FILES:
            workdir = os.path.join(tmp, "work-" + name.replace("/", "-"))
            os.makedirs(workdir)
            for line, lang, text, marker in blocks(os.path.join(TOP_SRCDIR, name)):
                where = "%s:%d" % (name, line)
                if marker is None:
                    print("FAIL %s: a ```%s block without a <!-- doc-test: ... --> comment" % (where, lang))
                    failures += 1
                    continue
                kind, reason, options = parse_marker(marker)
                if kind == "skip":
                    print("skip %s: %s" % (where, reason or "(no reason given)"))
                    if not reason:
                        failures += 1
                    continue
                if kind == "hooks":
                    problem = check_hooks(text, session.env)
                elif kind == "run" and lang in RUNNABLE:
                    print("run  %s (%s)" % (where, lang or "sh"))
                    problem = session.run(workdir, lang, text, options)
                else:
                    problem = "doc-test %r for a ```%s block" % (kind, lang)
                print("%s %s%s" % ("ok  " if problem is None else "FAIL", where,
                                   "" if problem is None else ": " + problem))
                failures += problem is not None
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
