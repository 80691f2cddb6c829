# SPDX-License-Identifier: Apache-2.0
"""What the helpers refuse to give a build step, and what they check after it.

A build is many steps, and the rule is that what one step can write is
never trusted by a later step or by the host:

- check_path: every path made writable or readable is taken by its real
  path, walked one component at a time with lstat (never normpath, which
  gets `link/..` wrong).  A symbolic link is followed only where no step
  could have made it: in `/`, /etc or /usr, in a directory that only root
  can write (the rule `fmr-run run` applies to bind sources).  The real
  path is refused when it is, or holds, or lies under a home directory of
  the host (every account's, not only the caller's), /root, /etc, the bundle
  directory, or when it is a world-writable shared folder (/tmp itself);
  writable, also when it is `/` or a system tree.
- VenvGuard: the build venv's identity (device and inode of the venv and
  of its bin/python, what bin/python resolves to, pyvenv.cfg) is recorded
  before a step and compared after it; a change stops the build.
"""

import os
import stat
from typing import Dict, Iterable, List, Optional, Tuple


class BundleError(ValueError):
    """A path or setting the helpers refuse (the message names it)."""


class VenvChanged(RuntimeError):
    """A build step changed an interpreter the host runs later."""


_SYSTEM_TREES = ("/usr", "/etc", "/proc", "/dev", "/sys", "/boot", "/bin", "/sbin", "/lib", "/lib64")
_TRUSTED_LINK_DIRS = ("/etc", "/usr")


def _under(path: str, parent: str) -> bool:
    return parent == "/" or path == parent or path.startswith(parent.rstrip("/") + "/")


def host_homes() -> List[str]:
    """Home directories of the host's people: root's, every account's in
    /etc/passwd with a uid of 1000 or more (system accounts have homes like
    /bin or /var/spool/lpd), every directory in /home, and the caller's
    $HOME; each by its real path."""
    homes = {"/root"}
    try:
        with open("/etc/passwd", encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split(":")
                if len(parts) < 7 or not parts[2].isdigit():
                    continue
                uid = int(parts[2])
                if uid == 0 or 1000 <= uid < 65534:
                    homes.add(parts[5])
    except OSError:
        pass
    try:
        homes.update(os.path.join("/home", n) for n in os.listdir("/home"))
    except OSError:
        pass
    if os.environ.get("HOME", "").startswith("/"):
        homes.add(os.environ["HOME"])
    real = set()
    for h in homes:
        if h and h.startswith("/") and h != "/":
            r = os.path.realpath(h)
            if r != "/":
                real.add(r)
    return sorted(real)


def _trusted_link_dir(real_dir: str) -> bool:
    if real_dir != "/" and not any(_under(real_dir, d) for d in _TRUSTED_LINK_DIRS):
        return False
    st = os.lstat(real_dir)
    return st.st_uid == 0 and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def real_path(path: str) -> str:
    """PATH's real path, refused (BundleError) when it is reached through a
    symbolic link that a build step could have made, or does not exist."""
    if not os.path.isabs(path):
        path = os.path.join(os.getcwd(), path)
    todo = [c for c in path.split("/") if c]
    done = "/"
    links = 0
    while todo:
        comp = todo.pop(0)
        if comp == ".":
            continue
        if comp == "..":
            done = os.path.dirname(done)
            continue
        nxt = os.path.join(done, comp)
        try:
            st = os.lstat(nxt)
        except OSError as e:
            raise BundleError("%s: %s" % (path, e.strerror))
        if stat.S_ISLNK(st.st_mode):
            if not _trusted_link_dir(done):
                raise BundleError("%s: reached through the symbolic link %s, in a folder a build step could "
                                  "write; name the real path" % (path, nxt))
            links += 1
            if links > 40:
                raise BundleError("%s: too many symbolic links" % path)
            target = os.readlink(nxt)
            if target.startswith("/"):
                done = "/"
            todo = [c for c in target.split("/") if c] + todo
            continue
        if todo and not stat.S_ISDIR(st.st_mode):
            raise BundleError("%s: %s is not a directory" % (path, nxt))
        done = nxt
    return done


def refusal(real: str, writable: bool, bundle_dir: Optional[str] = None,
            homes: Optional[Iterable[str]] = None) -> Optional[str]:
    """Why the real path REAL must not be bound (writable or not), or None."""
    if real == "/":
        return "the whole file system"
    for home in homes if homes is not None else host_homes():
        if _under(real, home) or _under(home, real):
            return "a home directory of the host (%s)" % home
    if _under(real, "/etc"):
        return "the host's /etc"
    if bundle_dir:
        b = os.path.realpath(bundle_dir)
        if _under(real, b) or _under(b, real):
            return "the bundle directory %s" % b
    try:
        st = os.stat(real)
    except OSError as e:
        return e.strerror
    if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_IWOTH:
        return "a world-writable folder shared with every user"
    if writable:
        for tree in _SYSTEM_TREES:
            if _under(real, tree):
                return "a system directory"
    return None


def check_path(path: str, *, writable: bool, bundle_dir: Optional[str] = None) -> str:
    """PATH's real path, or BundleError saying why it is refused."""
    real = real_path(path)
    why = refusal(real, writable, bundle_dir)
    if why:
        raise BundleError("refusing to make %s %s: %s" % (path, "writable" if writable else "readable", why))
    return real


def check_bundle_dir(bundle_dir: str) -> None:
    """A bundle directory is the host's: never in a home or a shared folder
    the step shares (spec and run refuse one inside a writable bind)."""
    parent = os.path.dirname(os.path.abspath(bundle_dir))
    st = os.lstat(parent)
    if stat.S_ISLNK(st.st_mode):
        raise BundleError("bundle directory %s: its parent is a symbolic link" % bundle_dir)


# --- interpreters the host runs later ------------------------------------------

def venv_of(python: str) -> Optional[str]:
    """The venv PYTHON (a path as given, links not followed) belongs to."""
    venv = os.path.dirname(os.path.dirname(os.path.abspath(python)))
    return venv if os.path.isfile(os.path.join(venv, "pyvenv.cfg")) else None


def _identity(venv: str) -> Dict[str, object]:
    ident: Dict[str, object] = {}
    for what, path in (("venv", venv), ("bin/python", os.path.join(venv, "bin", "python")),
                       ("pyvenv.cfg", os.path.join(venv, "pyvenv.cfg")),
                       ("site-packages", os.path.join(venv, "lib"))):
        try:
            st = os.lstat(path)
            ident[what] = (st.st_dev, st.st_ino, stat.S_IFMT(st.st_mode), st.st_mtime_ns, st.st_size)
        except OSError as e:
            ident[what] = e.strerror
    ident["bin/python resolves to"] = os.path.realpath(os.path.join(venv, "bin", "python"))
    return ident


class VenvGuard:
    """Identity of each venv before a step; check() raises VenvChanged."""

    def __init__(self, venvs: Iterable[str]):
        self.before: List[Tuple[str, Dict[str, object]]] = []
        for v in venvs:
            if v and v not in [b[0] for b in self.before]:
                self.before.append((v, _identity(v)))

    def check(self) -> None:
        for venv, before in self.before:
            after = _identity(venv)
            changed = ["%s: %r -> %r" % (k, before[k], after[k]) for k in before if before[k] != after[k]]
            if changed:
                raise VenvChanged("the build venv %s changed during the step (%s): the build is stopped, "
                                  "nothing of this venv may run on the host" % (venv, "; ".join(changed)))
