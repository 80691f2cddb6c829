# SPDX-License-Identifier: Apache-2.0
"""Write an fmr-run bundle (config.json + rootfs/) for one build step.

The sandbox is the one `fmr-run spec` writes (src/spec/spec_config.c,
src/spec/spec_host.c): every namespace, only the caller's own uid and gid mapped,
an empty read-only root holding the host's usr-merge links, /usr (and any real
/lib64, /bin, ...) read-only, a few /etc files, a fresh /proc with the
kernel's sensitive files masked, a minimal /dev, private tmpfs /tmp and
/dev/shm, no capabilities, noNewPrivileges, rlimits, the default seccomp
profile.  On top of it come the step's own binds: writable paths first
mounted nodev,nosuid, read-only paths (the build venv, the base interpreter's
prefix, the PEP 517 in-process script) on top of them, so a read-only venv
inside a writable work directory stays read-only.

tests/wheels/test_emitter.py checks that, for the same inputs, this module
and `fmr-run spec` write the same config.
"""

import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .envfilter import EnvFilter
from .shipped import shipped_fmr_run

OCI_VERSION = "1.0.2"
ANNOTATION_TIMEOUT = "run.fmr.timeout"

# The same lists as src/spec/spec_host.c and src/spec/spec_config.c.
TOPDIRS = ("bin", "lib", "lib32", "lib64", "libx32", "sbin")
ETC_FILES = (
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd", "/etc/group",
    "/etc/nsswitch.conf", "/etc/hosts", "/etc/host.conf", "/etc/localtime", "/etc/os-release",
    "/etc/alternatives", "/etc/ssl/certs", "/etc/ca-certificates.conf",
)
MASKED_PATHS = (
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
    "/sys/devices/virtual/powercap",
)
READONLY_PATHS = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")
NAMESPACES = ("user", "mount", "pid", "network", "ipc", "uts", "cgroup")
CAP_SETS = ("bounding", "effective", "inheritable", "permitted", "ambient")

RO_TREE = ["rbind", "ro", "nosuid", "nodev"]
RW_TREE = ["rbind", "rw", "nosuid", "nodev"]
RO_FILE = ["bind", "ro", "nosuid", "nodev"]

# RLIMIT_NPROC of the step (src/spec/spec_config.c says why 4096), never above the
# caller's own hard limit, which the sandbox could not raise.
NPROC = 4096


def nproc_limit() -> int:
    hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    return NPROC if hard == resource.RLIM_INFINITY or hard >= NPROC else hard


# Paths a bind must never target: the kernel's own trees are mounted fresh.
_FORBIDDEN_TARGETS = ("/proc", "/dev", "/sys")


class BundleError(ValueError):
    """A bind or setting the emitter refuses (the message names it)."""


def find_fmr_run(explicit: Optional[str] = None) -> str:
    """The fmr-run binary: EXPLICIT, the one installed with this package
    (shipped.py), $FMR_RUN, or the first on PATH."""
    candidate = explicit or shipped_fmr_run() or os.environ.get("FMR_RUN") or shutil.which("fmr-run")
    if not candidate:
        raise FileNotFoundError("fmr-run not found: set FMR_RUN or put it on PATH")
    return candidate


# --- host layout --------------------------------------------------------------

def host_layout(network: bool) -> Tuple[List[Tuple[str, str]], List[str], List[str]]:
    """(usr-merge links, system dirs bound read-only, /etc files), as spec sees them."""
    links, system_dirs = [], ["/usr"]
    for name in TOPDIRS:
        path = "/" + name
        if os.path.islink(path):
            links.append((name, os.readlink(path)))
        elif os.path.isdir(path):
            system_dirs.append(path)
    # exists() follows links: a dangling /etc/localtime is left out, as spec does.
    etc = [p for p in ETC_FILES if os.path.exists(p)]
    if network and os.path.exists("/etc/resolv.conf"):
        etc.append("/etc/resolv.conf")
    return links, system_dirs, etc


_seccomp_cache: Dict[str, object] = {}


def _profile_candidates() -> List[pathlib.Path]:
    here = pathlib.Path(__file__).resolve().parent
    found = []
    if os.environ.get("FMR_SECCOMP_PROFILE"):
        found.append(pathlib.Path(os.environ["FMR_SECCOMP_PROFILE"]))
    # installed: $(pkgdatadir)/fromager/fmr_sandbox/ next to $(pkgdatadir)/seccomp-default.json
    found.append(here.parent.parent / "seccomp-default.json")
    # source tree: contrib/fromager/fmr_sandbox/ and schemas/
    found.append(here.parent.parent.parent / "schemas" / "seccomp-default.json")
    return found


def _profile_from_spec(fmr_run: Optional[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="fmr-spec-") as tmp:
        subprocess.run([find_fmr_run(fmr_run), "spec", tmp + "/b"], check=True, stdin=subprocess.DEVNULL)
        with open(tmp + "/b/config.json", encoding="utf-8") as f:
            return json.load(f)["linux"]["seccomp"]


def default_seccomp(fmr_run: Optional[str] = None) -> dict:
    """The default seccomp profile: schemas/seccomp-default.json where it is
    installed or in the source tree, else the one `fmr-run spec` embeds."""
    if "profile" not in _seccomp_cache:
        for path in _profile_candidates():
            if path.is_file():
                with open(path, encoding="utf-8") as f:
                    _seccomp_cache["profile"] = json.load(f)
                break
        else:
            _seccomp_cache["profile"] = _profile_from_spec(fmr_run)
    return json.loads(json.dumps(_seccomp_cache["profile"]))  # a private copy


# --- interpreters --------------------------------------------------------------

def _prefix_of(bindir: str) -> str:
    return os.path.dirname(bindir) if os.path.basename(bindir) == "bin" else bindir


def _venv_home(venv: str) -> Optional[str]:
    try:
        with open(os.path.join(venv, "pyvenv.cfg"), encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.partition("=")
                if sep and key.strip() == "home":
                    return value.strip()
    except OSError:
        pass
    return None


def interpreter_paths(python: str) -> List[str]:
    """What running PYTHON needs to read beyond /usr: its venv (read-only:
    uv hard-links venvs into its shared cache), and the base interpreter's
    prefix wherever it lives (/opt/python, a pyenv tree), both as named and
    with links resolved."""
    if os.sep not in python:
        python = shutil.which(python) or python
    python = os.path.abspath(python)
    paths: List[str] = []

    def add(path: str) -> None:
        for p in (os.path.normpath(path), os.path.realpath(path)):
            if p != "/" and os.path.exists(p) and p not in paths:
                paths.append(p)

    venv = os.path.dirname(os.path.dirname(python))
    if os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
        add(venv)
        home = _venv_home(venv)
        if home:
            add(_prefix_of(home))
    # Every hop of the link chain (venv/bin/python -> /opt/py/bin/python3 -> ...).
    hop, seen = python, set()
    while hop not in seen:
        seen.add(hop)
        add(_prefix_of(os.path.dirname(hop)))
        if not os.path.islink(hop):
            break
        hop = os.path.normpath(os.path.join(os.path.dirname(hop), os.readlink(hop)))
    add(_prefix_of(os.path.dirname(os.path.realpath(python))))
    return paths


# --- binds --------------------------------------------------------------------

def _under(path: str, parent: str) -> bool:
    return parent == "/" or path == parent or path.startswith(parent.rstrip("/") + "/")


def protected_homes() -> List[str]:
    """The caller's home directories: never made writable (shell profiles,
    .netrc, .pypirc and SSH keys live there)."""
    homes = []
    for home in (os.environ.get("HOME"), os.path.expanduser("~" + _user_name())):
        if home and home.startswith("/") and os.path.normpath(home) not in homes:
            homes.append(os.path.normpath(home))
    return homes


def _user_name() -> str:
    try:
        import pwd
        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return ""


def unsafe_writable(path: str) -> Optional[str]:
    """Why PATH must not be writable, or None."""
    path = os.path.normpath(path)
    if path == "/":
        return "the whole file system"
    if path in ("/tmp", "/var/tmp", "/dev/shm"):
        return "a temporary directory shared with other builds"
    for target in _FORBIDDEN_TARGETS + ("/usr", "/etc"):
        if _under(path, target):
            return "a system directory"
    return home_reason(path)


def home_reason(path: str) -> Optional[str]:
    """Why PATH is off limits as the caller's home or a parent of it, or None."""
    path = os.path.normpath(path)
    for home in protected_homes():
        if path != "/" and _under(home, path):
            return "the caller's home directory %s" % home
    return None


def plan_binds(
    writable: Iterable[str], readonly: Iterable[str], system_dirs: Sequence[str]
) -> List[Tuple[str, bool]]:
    """(path, writable) in mount order: parents before children, and only
    binds that change something (a read-only path inside /usr is dropped;
    the venv inside a writable work dir is not)."""
    want: Dict[str, bool] = {}
    for path in writable:
        path = os.path.normpath(os.path.abspath(path))
        why = unsafe_writable(path)
        if why:
            raise BundleError("refusing to make %s writable: %s" % (path, why))
        want.setdefault(path, True)
    for path in readonly:
        path = os.path.normpath(os.path.abspath(path))
        if any(_under(path, t) for t in _FORBIDDEN_TARGETS):
            raise BundleError("refusing to bind %s: the sandbox mounts its own" % path)
        want[path] = False  # the same path asked both ways: read-only wins
    for path in want:
        if not os.path.exists(path):
            raise BundleError("bind source %s: no such file or directory" % path)
    plan: List[Tuple[str, bool]] = []
    covering = [(d, False) for d in system_dirs]
    for path in sorted(want, key=lambda p: p.count("/")):
        parents = [c for c in covering if _under(path, c[0])]
        nearest = max(parents, key=lambda c: len(c[0]), default=None)
        if nearest is not None and nearest[1] == want[path]:
            continue
        plan.append((path, want[path]))
        covering.append((path, want[path]))
    return plan


def _mount(destination: str, mtype: str, source: str, options: Sequence[str]) -> dict:
    return {"destination": destination, "type": mtype, "source": source, "options": list(options)}


def _kernel_mounts() -> List[dict]:
    return [
        _mount("/proc", "proc", "proc", ["nosuid", "noexec", "nodev"]),
        _mount("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
        _mount("/dev/pts", "devpts", "devpts",
               ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]),
        _mount("/dev/shm", "tmpfs", "shm", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
        _mount("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
        _mount("/tmp", "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=1777", "size=4g"]),
    ]


def _bind_mount(path: str, writable: bool) -> dict:
    source = os.path.realpath(path)
    if writable:
        options = RW_TREE
    else:
        options = RO_TREE if os.path.isdir(source) else RO_FILE
    return _mount(path, "bind", source, options)


def format_seconds(seconds: float) -> str:
    if seconds <= 0:
        raise BundleError("timeout must be positive, not %r" % seconds)
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


# --- config.json ---------------------------------------------------------------

def build_config(
    args: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    writable: Iterable[str] = (),
    readonly: Iterable[str] = (),
    tmpfs: Iterable[str] = (),
    network: bool = False,
    timeout: Optional[float] = None,
    env_filter: Optional[EnvFilter] = None,
    set_env: Optional[Mapping[str, str]] = None,
    uid: Optional[int] = None,
    gid: Optional[int] = None,
    seccomp: Optional[dict] = None,
) -> dict:
    """The config.json of one step, as a dict in the order it is written.

    ENV is the whole environment the caller would give the command; it is
    filtered with ENV_FILTER (default: EnvFilter.from_environ(ENV)), then
    SET_ENV is applied unfiltered (HOME, TMPDIR, ...), then, with the network
    off, CARGO_NET_OFFLINE=true.  TMPFS lists extra private, writable, empty
    directories (mounted after the binds)."""
    if not args:
        raise BundleError("process.args: no command")
    uid = os.getuid() if uid is None else uid
    gid = os.getgid() if gid is None else gid
    links, system_dirs, etc_files = host_layout(network)
    binds = plan_binds(writable, readonly, system_dirs)

    env_filter = env_filter if env_filter is not None else EnvFilter.from_environ(env)
    final_env = env_filter.apply(env)
    final_env.update(set_env or {})
    if not network:
        final_env["CARGO_NET_OFFLINE"] = "true"

    mounts = _kernel_mounts()
    mounts += [_mount(d, "bind", d, RO_TREE) for d in system_dirs]
    mounts += [_mount(f, "bind", f, RO_FILE) for f in etc_files]
    mounts += [_bind_mount(path, rw) for path, rw in binds]
    mounts += [_mount(os.path.normpath(p), "tmpfs", "tmpfs", ["nosuid", "nodev", "mode=700"])
               for p in tmpfs]

    nproc = nproc_limit()
    config = {
        "ociVersion": OCI_VERSION,
        "process": {
            "terminal": False,
            "user": {"uid": uid, "gid": gid, "umask": 0o022},
            "args": [os.fsdecode(a) for a in args],
            "env": ["%s=%s" % (k, final_env[k]) for k in sorted(final_env)],
            "cwd": os.path.normpath(os.path.abspath(cwd)),
            "capabilities": {s: [] for s in CAP_SETS},
            "rlimits": [
                {"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024},
                {"type": "RLIMIT_CORE", "hard": 0, "soft": 0},
                {"type": "RLIMIT_NPROC", "hard": nproc, "soft": nproc},
            ],
            "noNewPrivileges": True,
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "localhost",
        "mounts": mounts,
        "linux": {
            "uidMappings": [{"containerID": uid, "hostID": uid, "size": 1}],
            "gidMappings": [{"containerID": gid, "hostID": gid, "size": 1}],
            "namespaces": [{"type": n} for n in NAMESPACES if not (network and n == "network")],
            "maskedPaths": list(MASKED_PATHS),
            "readonlyPaths": list(READONLY_PATHS),
            "seccomp": seccomp if seccomp is not None else default_seccomp(),
        },
    }
    if timeout is not None:
        config["annotations"] = {ANNOTATION_TIMEOUT: format_seconds(timeout)}
    return config


def write_bundle(bundle_dir: str, config: dict) -> str:
    """Write BUNDLE_DIR/config.json and BUNDLE_DIR/rootfs (the host's
    usr-merge links); return the path of config.json."""
    links, _, _ = host_layout(False)
    rootfs = os.path.join(bundle_dir, "rootfs")
    os.makedirs(rootfs, mode=0o755, exist_ok=True)
    for name, target in links:
        link = os.path.join(rootfs, name)
        if not os.path.lexists(link):
            os.symlink(target, link)
    path = os.path.join(bundle_dir, "config.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(path + ".tmp", path)
    return path


def run_bundle(
    bundle_dir: str,
    *,
    fmr_run: Optional[str] = None,
    stdin=subprocess.DEVNULL,
    stdout=None,
    stderr=None,
    text: Optional[bool] = None,
    timeout: Optional[float] = None,
) -> subprocess.CompletedProcess:
    """`fmr-run run BUNDLE_DIR` with stdin from /dev/null unless told otherwise.
    TIMEOUT here is only a backstop: the sandbox's own timeout is the
    annotation, and fmr-run's exit status 124 reports it."""
    cmd = [find_fmr_run(fmr_run), "run", bundle_dir]
    return subprocess.run(cmd, stdin=stdin, stdout=stdout, stderr=stderr, text=text, timeout=timeout)


def validate_bundle(bundle_dir: str, fmr_run: Optional[str] = None) -> subprocess.CompletedProcess:
    """`fmr-run validate BUNDLE_DIR`, output captured."""
    return subprocess.run([find_fmr_run(fmr_run), "validate", bundle_dir], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def make_bundle_dir() -> str:
    """A fresh private directory for one bundle (the caller removes it)."""
    return tempfile.mkdtemp(prefix="fmr-bundle-")


def remove_bundle_dir(bundle_dir: str) -> None:
    shutil.rmtree(bundle_dir, ignore_errors=True)


if __name__ == "__main__":  # pragma: no cover - a debugging aid
    print(json.dumps(build_config(sys.argv[1:] or ["/bin/true"], cwd="/", env=os.environ), indent=2))
