# SPDX-License-Identifier: Apache-2.0
"""Keep the bundle of a failed step, say how to rerun it, and guess why it
failed in the sandbox.

When a step exits non-zero (including 124, timeout, and 125, the sandbox
could not be built), its bundle directory is moved to

    $FMR_KEEP_DIR, else $XDG_STATE_HOME/fmr-run/failed, else
    ~/.local/state/fmr-run/failed

one place for the plugin, fmr-isolate and the runner alike (they do not all
know fromager's work directory, and fromager removes that after a build),
and the log gets the step's stderr tail, hints, and two commands:

    fmr-run run DIR            # the same step again, same sandbox
    fmr-run run --shell DIR    # a shell in that sandbox

Successful steps leave nothing.  Each time one is kept, older ones are
pruned: at most FMR_KEEP_FAILED (default 10; 0 keeps nothing) are kept, none
older than FMR_KEEP_DAYS days (default 7).  FMR_KEEP_BUNDLE=1 still keeps
every bundle where it was written.
"""

import collections
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import threading
import time
from typing import Iterable, List, Mapping, Optional, Sequence

from . import bundle

logger = logging.getLogger("fmr_sandbox")

DEFAULT_COUNT = 10
DEFAULT_DAYS = 7
TAIL_LINES = 15
_TAIL_BYTES = 16384
_NAME = re.compile(r"^step-\d{8}-\d{6}-[0-9a-f]{6}$")
# fmr-run's 128+SIGSYS: a seccomp filter's kill or trap action.
EXIT_SIGSYS = 128 + 31


def keep_root(environ: Mapping[str, str] = os.environ) -> str:
    if environ.get("FMR_KEEP_DIR"):
        return environ["FMR_KEEP_DIR"]
    state = environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "fmr-run", "failed")


def _int_setting(environ: Mapping[str, str], name: str, default: int) -> int:
    try:
        return max(0, int(environ.get(name, default)))
    except ValueError:
        logger.warning("%s=%r is not a number; using %d", name, environ.get(name), default)
        return default


# --- the step's stderr tail -------------------------------------------------------

class StderrTail:
    """When the step's stderr would go straight to ours, pass it through a
    pipe instead, copied to our stderr as it comes, keeping its last bytes.
    Otherwise (captured, or sent elsewhere) leave it alone: the tail comes
    from the CompletedProcess, or is unknown."""

    def __init__(self, stderr):
        self.stderr = stderr
        self._buf = collections.deque()
        self._size = 0
        self._thread = None
        self._read_fd = None
        if stderr is None:
            self._read_fd, write_fd = os.pipe()
            self.stderr = write_fd
            self._thread = threading.Thread(target=self._copy, daemon=True)
            self._thread.start()

    def _copy(self):
        while True:
            data = os.read(self._read_fd, 65536)
            if not data:
                break
            try:
                os.write(2, data)
            except OSError:
                pass
            self._buf.append(data)
            self._size += len(data)
            while self._size - len(self._buf[0]) > _TAIL_BYTES:
                self._size -= len(self._buf.popleft())
        os.close(self._read_fd)

    def started(self):
        """After the child started: our copy of the pipe's write end goes."""
        if self._thread is not None and isinstance(self.stderr, int):
            os.close(self.stderr)
            self.stderr = None

    def finish(self, done: Optional[subprocess.CompletedProcess], stderr_arg, stdout_arg) -> str:
        self.started()
        if self._thread is not None:
            self._thread.join(timeout=5)
            return b"".join(self._buf).decode("utf-8", "replace")
        if done is None:
            return ""
        if stderr_arg == subprocess.PIPE:
            data = done.stderr
        elif stderr_arg == subprocess.STDOUT and stdout_arg == subprocess.PIPE:
            data = done.stdout
        else:
            return ""
        if isinstance(data, bytes):
            data = data.decode("utf-8", "replace")
        return data or ""


def last_lines(text: str, n: int = TAIL_LINES) -> List[str]:
    return text.rstrip("\n").splitlines()[-n:] if text.strip() else []


# --- why it failed: the usual sandbox-only causes ---------------------------------

_MISSING = [
    re.compile(r"No such file or directory: '(/[^']+)'"),
    re.compile(r"can't open file '(/[^']+)'"),
    re.compile(r"(/[^\s:'\"]+): No such file or directory"),
    re.compile(r"cannot access '(/[^']+)'"),
]
_REFUSED = re.compile(r"Operation not permitted|Function not implemented|Bad system call")


def _under(path: str, dirs: Iterable[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in dirs)


def _mapped(host_id: int, mappings: Sequence[Mapping]) -> bool:
    return any(m["hostID"] <= host_id < m["hostID"] + m["size"] for m in mappings)


def _shown_as(owner: int, mount: Mapping) -> Optional[int]:
    """The host uid a file of OWNER shows as through MOUNT: through its idmap
    (a root caller's binds, src/spec/spec_ids.c) when it has one, None when
    that idmap does not map OWNER."""
    idmap = mount.get("uidMappings")
    if not idmap:
        return owner
    for mp in idmap:
        if mp["containerID"] <= owner < mp["containerID"] + mp["size"]:
            return owner - mp["containerID"] + mp["hostID"]
    return None


def hints(config: Mapping, tail: str, returncode: int, bundle_dir: str, fmr: str = "fmr-run") -> List[str]:
    """Fixes for the usual sandbox-only causes of a failure: a writable tree
    owned by a uid the sandbox does not map, a host path the step tried that
    is not bound, a call the seccomp filter refused."""
    found = []
    linux = config.get("linux", {})
    uid_maps = linux.get("uidMappings", [])
    step_uid = config.get("process", {}).get("user", {}).get("uid", 0)
    mounts = config.get("mounts", [])
    for m in mounts:
        if m.get("type") != "bind" or "rw" not in m.get("options", []):
            continue
        src = m.get("source", "")
        owners = set()
        try:
            owners.add(os.lstat(src).st_uid)
            with os.scandir(src) as it:
                for i, entry in enumerate(it):
                    if i >= 200:
                        break
                    owners.add(entry.stat(follow_symlinks=False).st_uid)
        except OSError:
            continue
        unmapped = sorted(u for u in owners
                          if uid_maps and (_shown_as(u, m) is None or not _mapped(_shown_as(u, m), uid_maps)))
        if unmapped:
            found.append("%s is writable in the sandbox, but files there belong to host uid %s, which the "
                         "sandbox does not map (it maps only %s): the step sees them as nobody and cannot "
                         "change them. Fix: give the tree to the uid the build runs as (chown -R %d %s), "
                         "or run the build as the uid that owns it."
                         % (src, ", ".join(map(str, unmapped)),
                            ", ".join("%d" % mp["hostID"] if mp["size"] == 1
                                      else "%d-%d" % (mp["hostID"], mp["hostID"] + mp["size"] - 1)
                                      for mp in uid_maps),
                            os.getuid() if step_uid == os.getuid() else step_uid, shlex.quote(src)))
    # What the step sees of the host: its binds.  A tmpfs (/tmp) hides the
    # host's files below it; the kernel's trees are the sandbox's own.
    visible = ["/proc", "/dev", "/sys"] + [m.get("destination", "") for m in mounts if m.get("type") == "bind"]
    seen = set()
    for pattern in _MISSING:
        for path in pattern.findall(tail):
            path = os.path.normpath(path)
            if path in seen or _under(path, visible) or not os.path.exists(path):
                continue
            seen.add(path)
            found.append("the step tried %s, which exists on the host but is not in the sandbox. Try: "
                         "%s run --ro %s %s (or --rw); then add it to the step's read-only paths "
                         "(FMR_ISOLATE_RO, SandboxRunner(readonly=...))"
                         % (path, fmr, shlex.quote(path), shlex.quote(bundle_dir)))
    if returncode == EXIT_SIGSYS or _REFUSED.search(tail):
        found.append("a system call may have been refused by the sandbox's seccomp filter (%s). See which: "
                     "%s run --seccomp-log %s (as root, the refused calls are listed after the run)"
                     % ("killed by SIGSYS" if returncode == EXIT_SIGSYS else "EPERM/ENOSYS in its stderr",
                        fmr, shlex.quote(bundle_dir)))
    return found


# --- keeping and pruning ----------------------------------------------------------

def prune(root: str, count: int, days: float, now: Optional[float] = None) -> List[str]:
    """Remove kept bundles beyond the COUNT newest and those older than
    DAYS; only directories this module named.  Returns what it removed."""
    now = time.time() if now is None else now
    try:
        entries = [e for e in os.scandir(root) if _NAME.match(e.name) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return []
    entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime, reverse=True)
    removed = []
    for i, e in enumerate(entries):
        age = now - e.stat(follow_symlinks=False).st_mtime
        if i >= count or age > days * 86400:
            shutil.rmtree(e.path, ignore_errors=True)
            removed.append(e.path)
    return removed


def _fmr_command(fmr_run: Optional[str]) -> str:
    """How to call fmr-run in the printed commands: its name when PATH finds
    that same binary, else its full path."""
    try:
        path = bundle.find_fmr_run(fmr_run)
    except FileNotFoundError:
        return "fmr-run"
    on_path = shutil.which("fmr-run")
    if on_path and os.path.realpath(on_path) == os.path.realpath(path):
        return "fmr-run"
    return shlex.quote(os.path.abspath(path))


def keep_failed(bundle_dir: str, args: Sequence[str], returncode: int, tail: str,
                fmr_run: Optional[str] = None, environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """Move BUNDLE_DIR of a failed step under keep_root(), log why and how to
    rerun it, prune old ones; returns where it went (None: not kept)."""
    count = _int_setting(environ, "FMR_KEEP_FAILED", DEFAULT_COUNT)
    days = _int_setting(environ, "FMR_KEEP_DAYS", DEFAULT_DAYS)
    fmr = _fmr_command(fmr_run)
    what = {124: "timed out (exit status 124)",
            125: "fmr-run could not build the sandbox (exit status 125)"}.get(
                returncode, "failed with exit status %d" % returncode)
    lines = ["sandboxed step %s: %s" % (what, shlex.join(args))]
    tail_lines = last_lines(tail)
    if tail_lines:
        lines.append("  last lines of its stderr:")
        lines += ["  | " + line for line in tail_lines]
    kept = None
    if count > 0:
        root = keep_root(environ)
        try:
            os.makedirs(root, mode=0o700, exist_ok=True)
            name = "step-%s-%s" % (time.strftime("%Y%m%d-%H%M%S"), os.urandom(3).hex())
            kept = os.path.join(root, name)
            shutil.move(bundle_dir, kept)
            os.utime(kept)
        except OSError as e:
            logger.warning("could not keep the bundle of the failed step in %s: %s", root, e)
            kept = None
    if kept:
        try:
            with open(os.path.join(kept, "config.json"), encoding="utf-8") as f:
                config = json.load(f)
        except (OSError, ValueError):
            config = {}
        for hint in hints(config, tail, returncode, kept, fmr):
            lines.append("  hint: " + hint)
        lines.append("  bundle kept in %s (it binds the step's own directories: a rerun needs them)" % kept)
        lines.append("  rerun it:      %s run %s" % (fmr, shlex.quote(kept)))
        lines.append("  a shell in it: %s run --shell %s" % (fmr, shlex.quote(kept)))
        prune(root, count, days)
    else:
        lines.append("  (bundle not kept: FMR_KEEP_FAILED=0)" if count == 0 else "  (bundle not kept)")
    logger.error("\n".join(lines))
    return kept
