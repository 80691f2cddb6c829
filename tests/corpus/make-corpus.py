#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/corpus/{good,bad}/*.json from the cases below: each bad
case is one mutation of a good base config and the message it must give.
{DIR} in a message stands for the directory of the
config.  The .expected files are written from `want`, never from fmr-run's output,
so the corpus states what the validator must say.  Run it after editing
the cases; run-corpus checks fmr-run against the files."""

import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def base():
    return {
        "ociVersion": "1.0.2",
        "root": {"path": ".", "readonly": True},
        "hostname": "localhost",
        "process": {
            "terminal": False,
            "user": {"uid": 1000, "gid": 1000, "umask": 18, "additionalGids": []},
            "args": ["/usr/bin/python3", "-c", "print(1)"],
            "env": ["PATH=/usr/bin:/bin", "HOME=/tmp"],
            "cwd": "/",
            "capabilities": {"bounding": [], "effective": [], "inheritable": [], "permitted": [], "ambient": []},
            "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1024}],
            "noNewPrivileges": True,
            "oomScoreAdj": 0,
        },
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=65536k"]},
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]},
            {"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro", "nosuid", "nodev"]},
            {"destination": "/etc/hosts", "type": "bind", "source": "/etc/hosts", "options": ["bind", "ro"]},
        ],
        "linux": {
            "namespaces": [{"type": t} for t in ("user", "mount", "pid", "network", "ipc", "uts", "cgroup")],
            "uidMappings": [{"containerID": 1000, "hostID": 1000, "size": 1}],
            "gidMappings": [{"containerID": 1000, "hostID": 1000, "size": 1}],
            "maskedPaths": ["/proc/kcore"],
            "readonlyPaths": ["/proc/sys"],
            "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                        "syscalls": [{"names": ["mount", "fchmodat2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]},
        },
        "annotations": {"run.fmr.timeout": "600", "org.example.note": "kept"},
    }


def put(path, value):
    def f(c):
        keys = path.split(".")
        obj = c
        for k in keys[:-1]:
            obj = obj[int(k)] if isinstance(obj, list) else obj[k]
        last = keys[-1]
        if isinstance(obj, list):
            obj[int(last)] = value
        else:
            obj[last] = value
    return f


def delete(path):
    def f(c):
        keys = path.split(".")
        obj = c
        for k in keys[:-1]:
            obj = obj[int(k)] if isinstance(obj, list) else obj[k]
        del obj[int(keys[-1]) if isinstance(obj, list) else keys[-1]]
    return f


def both(*fs):
    def f(c):
        for g in fs:
            g(c)
    return f


NS = lambda *ts: [{"type": t} for t in ts]
E = "config.json: "

# (name, mutation or raw text, expected line or lines: all of the output)
MAP1000 = [{"containerID": 1000, "hostID": 1000, "size": 1}]

BAD = [
    ("syntax-trailing-comma", '{\n  "ociVersion": "1.0.2",\n}\n', E[:-2] + ":3:1: parse error: invalid object key (must be a string)"),
    ("syntax-unclosed", '{\n  "ociVersion": "1.0.2"\n', E[:-2] + ":2:24: parse error: premature EOF"),
    ("syntax-garbage", 'hello', E[:-2] + ":1:1: parse error: invalid char in json text"),
    ("empty-file", '', E + "the file is empty; expected a JSON object"),
    ("top-array", '[1, 2]', E + "expected an object, got an array"),
    ("duplicate-key", '{"ociVersion": "1.0.2", "ociVersion": "1.0.2"}', [E[:-2] + ':1:25: duplicate key "ociVersion"', E + 'missing required field "root"', E + 'missing required field "process"']),
    ("too-deep", "[" * 70 + "]" * 70, E[:-2] + ":1:65: parse error: nesting deeper than the limit of 64"),
    ("missing-ociVersion", delete("ociVersion"), E + 'missing required field "ociVersion"'),
    ("ociVersion-number", put("ociVersion", 1), E + "ociVersion: expected a string, got a number"),
    ("ociVersion-unsupported", put("ociVersion", "2.0.0"), E + 'ociVersion: "2.0.0" is not supported (1.0.x to 1.2.x)'),
    ("missing-root", delete("root"), E + 'missing required field "root"'),
    ("root-path-missing", delete("root.path"), E + 'root: missing required field "path"'),
    ("root-path-nonexistent", put("root.path", "no-such-rootfs"), E + "root.path: {DIR}/no-such-rootfs: No such file or directory"),
    ("root-readonly-string", put("root.readonly", "yes"), E + "root.readonly: expected a boolean, got a string"),
    ("missing-process", delete("process"), E + 'missing required field "process"'),
    ("args-missing", delete("process.args"), E + 'process: missing required field "args"'),
    ("args-empty", put("process.args", []), E + "process.args: must hold at least one element"),
    ("args-not-strings", put("process.args", ["/bin/sh", 3]), E + "process.args[1]: expected a string, got a number"),
    ("args0-empty", put("process.args", [""]), E + "process.args[0]: is empty"),
    ("args-nul", put("process.args", ["/bin/sh\u0000x"]), E + "process.args[0]: contains a NUL byte"),
    ("env-not-array", put("process.env", "PATH=/bin"), E + "process.env: expected an array, got a string"),
    ("env-no-equals", put("process.env", ["PATH"]), E + 'process.env[0]: "PATH" is not of the form NAME=value'),
    ("env-empty-name", put("process.env", ["=x"]), E + 'process.env[0]: "=x" is not of the form NAME=value'),
    ("cwd-missing", delete("process.cwd"), E + 'process: missing required field "cwd"'),
    ("cwd-relative", put("process.cwd", "build"), E + 'process.cwd: "build" is not an absolute path'),
    ("terminal-number", put("process.terminal", 1), E + "process.terminal: expected a boolean, got a number"),
    ("uid-negative", put("process.user.uid", -1), E + "process.user.uid: -1 is out of range (0 to 4294967294)"),
    ("uid-fraction", put("process.user.uid", 1.5), E + "process.user.uid: 1.5 is not an integer"),
    ("uid-huge", put("process.user.uid", 4294967296), E + "process.user.uid: 4294967296 is out of range (0 to 4294967294)"),
    ("gid-missing", delete("process.user.gid"), E + 'process.user: missing required field "gid"'),
    ("umask-too-big", put("process.user.umask", 512), E + "process.user.umask: 512 is out of range (0 to 511)"),
    ("additional-gid-string", put("process.user.additionalGids", ["x"]), E + "process.user.additionalGids[0]: expected a number, got a string"),
    ("username", put("process.user.username", "builder"), E + "process.user.username: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("uid-not-mapped", put("process.user.uid", 0), E + "process.user.uid: 0 is not covered by linux.uidMappings"),
    ("gid-not-mapped", put("process.user.gid", 5), E + "process.user.gid: 5 is not covered by linux.gidMappings"),
    ("additional-gid-not-mapped", put("process.user.additionalGids", [27]), E + "process.user.additionalGids[0]: 27 is not covered by linux.gidMappings"),
    ("cap-unknown", put("process.capabilities.bounding", ["CAP_FOO"]), E + 'process.capabilities.bounding[0]: unknown capability "CAP_FOO"'),
    ("cap-not-array", put("process.capabilities.effective", "CAP_CHOWN"), E + "process.capabilities.effective: expected an array, got a string"),
    ("rlimit-unknown", put("process.rlimits", [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]), E + 'process.rlimits[0].type: unknown rlimit type "RLIMIT_BOGUS"'),
    ("rlimit-soft-above-hard", put("process.rlimits", [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]), E + "process.rlimits[0]: soft limit 2048 is above the hard limit 1024"),
    ("rlimit-duplicate", put("process.rlimits", [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1}, {"type": "RLIMIT_NOFILE", "soft": 2, "hard": 2}]), E + 'process.rlimits[1]: duplicate rlimit "RLIMIT_NOFILE"'),
    ("rlimit-negative", put("process.rlimits", [{"type": "RLIMIT_CORE", "soft": -1, "hard": 0}]), E + "process.rlimits[0].soft: -1 is out of range (0 to 18446744073709551615)"),
    ("rlimit-missing-hard", put("process.rlimits", [{"type": "RLIMIT_CORE", "soft": 0}]), E + 'process.rlimits[0]: missing required field "hard"'),
    ("nnp-string", put("process.noNewPrivileges", "true"), E + "process.noNewPrivileges: expected a boolean, got a string"),
    ("oom-out-of-range", put("process.oomScoreAdj", 1001), E + "process.oomScoreAdj: 1001 is out of range (-1000 to 1000)"),
    ("apparmor", put("process.apparmorProfile", "unconfined"), E + "process.apparmorProfile: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("selinux", put("process.selinuxLabel", "x"), E + "process.selinuxLabel: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("hooks", put("hooks", {"prestart": []}), E + "hooks: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("hostname-number", put("hostname", 7), E + "hostname: expected a string, got a number"),
    ("hostname-without-uts", both(put("linux.namespaces", NS("user", "mount", "pid", "network", "ipc", "cgroup"))), E + "hostname: needs a new uts namespace in linux.namespaces"),
    ("mounts-not-array", put("mounts", {}), E + "mounts: expected an array, got an object"),
    ("mount-relative-destination", put("mounts.3.destination", "usr"), E + 'mounts[3].destination: "usr" is not an absolute path'),
    ("mount-dotdot", put("mounts.3.destination", "/usr/../etc"), E + 'mounts[3].destination: "/usr/../etc" has a ".." component'),
    ("mount-missing-destination", delete("mounts.2.destination"), E + 'mounts[2]: missing required field "destination"'),
    ("mount-unknown-type", put("mounts.2.type", "overlay"), E + 'mounts[2].type: "overlay" is not supported (bind, tmpfs, proc, devpts, mqueue, sysfs)'),
    ("mount-ro-rw", put("mounts.3.options", ["rbind", "ro", "rw"]), E + 'mounts[3].options[2]: "rw" contradicts "ro"'),
    ("mount-nosuid-suid", put("mounts.2.options", ["suid", "nosuid"]), E + 'mounts[2].options[1]: "nosuid" contradicts "suid"'),
    ("mount-unknown-option", put("mounts.3.options", ["rbind", "ro", "bogus"]), E + 'mounts[3].options[2]: unknown or invalid option "bogus" for a bind mount'),
    ("mount-tmpfs-bad-mode", put("mounts.2.options", ["mode=999"]), E + 'mounts[2].options[0]: unknown or invalid option "mode=999" for a tmpfs mount'),
    ("mount-tmpfs-bad-size", put("mounts.2.options", ["size=lots"]), E + 'mounts[2].options[0]: unknown or invalid option "size=lots" for a tmpfs mount'),
    ("mount-missing-source", put("mounts.3.source", "/nonexistent/opt/py"), E + "mounts[3].source: /nonexistent/opt/py: No such file or directory"),
    ("mount-bind-no-source", delete("mounts.3.source"), E + 'mounts[3]: a bind mount needs a "source"'),
    ("mount-no-type-no-bind", both(delete("mounts.3.type"), put("mounts.3.options", ["ro"])), E + 'mounts[3]: missing "type" (or a "bind"/"rbind" option)'),
    ("mount-two-propagations", put("mounts.3.options", ["rbind", "private", "rslave"]), E + 'mounts[3].options[2]: "rslave": only one propagation option is allowed'),
    ("mount-options-not-strings", put("mounts.2.options", [1]), E + "mounts[2].options[0]: expected a string, got a number"),
    ("mount-idmap-without-option", both(put("mounts.3.uidMappings", MAP1000), put("mounts.3.gidMappings", MAP1000)), E + 'mounts[3].options: uidMappings/gidMappings need the "idmap" or "ridmap" option'),
    ("mount-rro-rw", put("mounts.3.options", ["rbind", "rro", "rw"]), E + 'mounts[3]: options: "rro" contradicts "rw"'),
    ("ns-unknown", put("linux.namespaces", NS("user", "mount", "pid", "network", "ipc", "uts", "cgroup", "time")), E + 'linux.namespaces[7].type: unknown or unsupported namespace type "time"'),
    ("ns-duplicate", put("linux.namespaces", NS("user", "mount", "pid", "pid", "network", "ipc", "uts")), E + 'linux.namespaces[3].type: duplicate namespace "pid"'),
    ("ns-relative-path", put("linux.namespaces", [{"type": "network", "path": "ns/net"}] + NS("user", "mount", "uts")), E + 'linux.namespaces[0].path: "ns/net" is not an absolute path'),
    ("ns-no-mount", put("linux.namespaces", NS("user", "pid", "uts")), E + 'linux.namespaces: fmr-run needs a new mount namespace (type "mount", no path)'),
    ("ns-type-missing", put("linux.namespaces", [{"path": "/proc/1/ns/net"}] + NS("user", "mount", "uts")), E + 'linux.namespaces[0]: missing required field "type"'),
    ("uidmap-empty", put("linux.uidMappings", []), E + "linux.uidMappings: a new user namespace needs at least one uid mapping"),
    ("gidmap-missing", delete("linux.gidMappings"), E + "linux.gidMappings: a new user namespace needs at least one gid mapping"),
    ("uidmap-size-zero", put("linux.uidMappings", [{"containerID": 1000, "hostID": 1000, "size": 0}]), E + "linux.uidMappings[0].size: is 0: a mapping must map at least one id"),
    ("uidmap-overlap-container", put("linux.uidMappings", [{"containerID": 0, "hostID": 100000, "size": 2000}, {"containerID": 1000, "hostID": 1000, "size": 1}]), E + "linux.uidMappings: ranges overlap on the container side at id 1000"),
    ("gidmap-overlap-host", put("linux.gidMappings", [{"containerID": 1000, "hostID": 1000, "size": 1}, {"containerID": 0, "hostID": 1000, "size": 1}]), E + "linux.gidMappings: ranges overlap on the host side at id 1000"),
    ("uidmap-without-userns", put("linux.namespaces", NS("mount", "pid", "uts")), E + "linux.uidMappings: id mappings need a new user namespace in linux.namespaces"),
    ("uidmap-hostid-string", put("linux.uidMappings", [{"containerID": 1000, "hostID": "1000", "size": 1}]), E + "linux.uidMappings[0].hostID: expected a number, got a string"),
    ("masked-relative", put("linux.maskedPaths", ["proc/kcore"]), E + 'linux.maskedPaths[0]: "proc/kcore" is not an absolute path'),
    ("readonly-not-array", put("linux.readonlyPaths", "/proc/sys"), E + "linux.readonlyPaths: expected an array, got a string"),
    ("devices", put("linux.devices", [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]), E + "linux.devices: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("resources", put("linux.resources", {"memory": {"limit": 1073741824}}), E + "linux.resources: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("sysctl", put("linux.sysctl", {"vm.swappiness": "10"}), E + "linux.sysctl.vm.swappiness: not a namespaced sysctl: fmr-run sets net.* (with a network namespace) and kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* (with an ipc namespace) only"),
    ("rootfs-propagation", put("linux.rootfsPropagation", "shared"), E + "linux.rootfsPropagation: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("seccomp-unknown-action", put("linux.seccomp.defaultAction", "SCMP_ACT_MAYBE"), E + 'linux.seccomp.defaultAction: unknown or unsupported seccomp action "SCMP_ACT_MAYBE"'),
    ("seccomp-notify", put("linux.seccomp.syscalls.0.action", "SCMP_ACT_NOTIFY"), E + 'linux.seccomp.syscalls[0].action: unknown or unsupported seccomp action "SCMP_ACT_NOTIFY"'),
    ("seccomp-unknown-syscall", put("linux.seccomp.syscalls.0.names", ["mount", "frobnicate"]), E + 'linux.seccomp.syscalls[0].names[1]: unknown syscall "frobnicate"'),
    ("seccomp-unknown-arch", put("linux.seccomp.architectures", ["SCMP_ARCH_Z80"]), E + 'linux.seccomp.architectures[0]: unknown architecture "SCMP_ARCH_Z80"'),
    ("seccomp-errno-range", put("linux.seccomp.syscalls.0.errnoRet", 5000), E + "linux.seccomp.syscalls[0].errnoRet: 5000 is out of range (0 to 4095)"),
    ("seccomp-errno-with-allow", both(put("linux.seccomp.defaultAction", "SCMP_ACT_ERRNO"), put("linux.seccomp.syscalls.0.action", "SCMP_ACT_ALLOW")), E + "linux.seccomp.syscalls[0]: errnoRet needs the action SCMP_ACT_ERRNO or SCMP_ACT_TRACE"),
    ("seccomp-arg-index", put("linux.seccomp.syscalls.0.args", [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]), E + "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)"),
    ("seccomp-arg-op", put("linux.seccomp.syscalls.0.args", [{"index": 0, "value": 1, "op": "SCMP_CMP_SORTA"}]), E + 'linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "SCMP_CMP_SORTA"'),
    ("seccomp-no-names", put("linux.seccomp.syscalls.0.names", []), E + "linux.seccomp.syscalls[0].names: must name at least one syscall"),
    ("seccomp-listener", put("linux.seccomp.listenerPath", "/run/agent.sock"), E + "linux.seccomp.listenerPath: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("seccomp-flag-unknown", put("linux.seccomp.flags", ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]), E + 'linux.seccomp.flags[0]: unknown or unsupported seccomp flag "SECCOMP_FILTER_FLAG_NEW_LISTENER"'),
    ("annotation-not-string", put("annotations", {"org.example": 1}), E + "annotations.org.example: expected a string, got a number"),
    ("annotation-timeout-bad", put("annotations", {"run.fmr.timeout": "soon"}), E + 'annotations.run.fmr.timeout: "soon" is not a positive number of seconds'),
    ("annotation-unknown-fmr", put("annotations", {"run.fmr.speed": "fast"}), E + "annotations.run.fmr.speed: unknown fmr-run annotation (known: run.fmr.timeout, run.fmr.kill-after, run.fmr.note.*)"),
    ("windows", put("windows", {}), E + "windows: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("annotation-timeout-hex", put("annotations", {"run.fmr.timeout": "0x10"}), E + 'annotations.run.fmr.timeout: "0x10" is not a positive number of seconds'),
    ("ns-time", put("linux.namespaces", NS("user", "mount", "uts", "time")), E + 'linux.namespaces[3].type: unknown or unsupported namespace type "time"'),
    ("mount-devpts-bad-ptmxmode", put("mounts.2", {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["newinstance", "ptmxmode=0999"]}), E + 'mounts[2].options[1]: unknown or invalid option "ptmxmode=0999" for a devpts mount'),
    ("mount-proc-bad-subset", put("mounts.0.options", ["nosuid", "subset=sys"]), E + 'mounts[0].options[1]: unknown or invalid option "subset=sys" for a proc mount'),
    ("mount-bind-data-option", put("mounts.3.options", ["rbind", "ro", "mode=755"]), E + 'mounts[3].options[2]: unknown or invalid option "mode=755" for a bind mount'),
    ("cap-lower-case", put("process.capabilities.bounding", ["cap_chown"]), E + 'process.capabilities.bounding[0]: unknown capability "cap_chown"'),
    ("uid-joined-userns-maps", put("linux.namespaces", [{"type": "user", "path": "/proc/self/ns/user"}, {"type": "mount"}, {"type": "uts"}]), E + "linux.uidMappings: id mappings need a new user namespace in linux.namespaces"),
    ("process-commandline", put("process.commandLine", "x"), E + "process.commandLine: not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)"),
    ("seccomp-syscall-number", put("linux.seccomp.syscalls.0.names", ["mount", "165"]), E + 'linux.seccomp.syscalls[0].names[1]: "165" is a number: name the syscall ("mseal", not "462"), as OCI does; a number differs between the architectures of the filter'),
    ("seccomp-seven-args", put("linux.seccomp.syscalls.0.args", [{"index": i % 6, "value": i, "op": "SCMP_CMP_NE"} for i in range(7)]), E + "linux.seccomp.syscalls[0].args: 7 comparisons; a rule takes at most 6"),
    ("cap-ambient-not-inheritable", both(put("process.capabilities.permitted", ["CAP_KILL"]), put("process.capabilities.ambient", ["CAP_KILL"])), E + "process.capabilities.ambient: CAP_KILL is not in both permitted and inheritable, which capset(2) requires"),
    ("cap-effective-not-permitted", put("process.capabilities.effective", ["CAP_CHOWN"]), E + "process.capabilities.effective: CAP_CHOWN is not in permitted, which capset(2) requires"),
    ("proc-without-pidns", put("linux.namespaces", NS("user", "mount", "network", "ipc", "uts")), E + "mounts[0]: a proc mount in a new user namespace needs a new pid namespace"),
    ("dev-tmpfs-read-only", put("mounts.1.options", ["nosuid", "ro", "mode=755"]), E + 'mounts[1].options: "ro": the default devices OCI requires are made in the tmpfs on /dev, which must be writable for that'),
    ("mount-point-in-read-only-tmpfs", both(put("mounts.2.options", ["nosuid", "ro"]), put("mounts.4.destination", "/tmp/hosts")), E + "mounts[4].destination: /tmp/hosts would be created in the read-only tmpfs on /tmp, which is empty"),
    ("cwd-missing", put("process.cwd", "/no-such-dir"), E + "process.cwd: /no-such-dir: No such file or directory ({DIR}/no-such-dir)"),
    ("cwd-inside-fresh-tmpfs", put("process.cwd", "/tmp/build"), E + "process.cwd: /tmp/build is inside the fresh tmpfs on /tmp, which is empty"),
    ("seccomp-conflicting-rules", put("linux.seccomp.syscalls", [{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}, {"names": ["mount"], "action": "SCMP_ACT_KILL_PROCESS", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]), E + "linux.seccomp.syscalls[1]: `mount` with the same args has another action in an earlier rule, which libseccomp refuses: File exists"),
    ("mount-uidmap-without-gidmap", both(put("mounts.3.uidMappings", MAP1000), put("mounts.3.options", ["rbind", "ro", "ridmap"])), E + "mounts[3].gidMappings: missing: uidMappings and gidMappings go together"),
    ("mount-idmap-differs", both(put("mounts.3.uidMappings", [{"containerID": 0, "hostID": 100000, "size": 1}]), put("mounts.3.gidMappings", MAP1000), put("mounts.3.options", ["rbind", "ro", "ridmap"])), E + "mounts[3].uidMappings: differs from linux.uidMappings: only the sandbox's own mapping is supported"),
    ("mount-idmap-on-tmpfs", put("mounts.2.options", ["nosuid", "idmap"]), E + 'mounts[2].options: "idmap"/"ridmap" are supported on bind mounts only'),
    ("mount-idmap-without-userns", both(put("linux.namespaces", NS("mount", "pid", "uts")), delete("linux.uidMappings"), delete("linux.gidMappings"), put("mounts.3.options", ["rbind", "ro", "idmap"])), E + "mounts[3]: an idmapped mount needs a new user namespace in linux.namespaces"),
    ("mount-idmap-twice", put("mounts.3.options", ["rbind", "ro", "idmap", "ridmap"]), E + 'mounts[3].options[3]: "ridmap": only one of "idmap" and "ridmap" is allowed'),
    ("sysctl-net-without-netns", both(put("linux.namespaces", NS("user", "mount", "pid", "ipc", "uts")), put("linux.sysctl", {"net.ipv4.ping_group_range": "0 0"})), E + "linux.sysctl.net.ipv4.ping_group_range: needs a new network namespace in linux.namespaces (it would change the host's one)"),
    ("sysctl-dot-dot", put("linux.sysctl", {"net..ipv4": "1"}), E + "linux.sysctl.net..ipv4: not a sysctl name (names separated by dots)"),
    ("sysctl-read-only-proc", both(put("mounts.0.options", ["nosuid", "ro"]), put("linux.sysctl", {"net.ipv4.ping_group_range": "0 0"})), E + 'linux.sysctl: needs the proc mount on /proc writable (no "ro"): linux.readonlyPaths "/proc/sys" makes it read-only after the sysctls are written'),
]

GOOD = {
    "base": lambda c: None,
    # A root caller's bundle from `fmr-run spec`: the caller's ids inside,
    # a build uid on the host, the caller's binds idmapped.
    "idmapped-binds": both(put("process.user", {"uid": 0, "gid": 0}),
                           put("linux.uidMappings", [{"containerID": 0, "hostID": 2147000000, "size": 1}]),
                           put("linux.gidMappings", [{"containerID": 0, "hostID": 2147000000, "size": 1}]),
                           put("mounts.3.options", ["rbind", "ro", "nosuid", "nodev", "ridmap"]),
                           put("mounts.3.uidMappings", [{"containerID": 0, "hostID": 2147000000, "size": 1}]),
                           put("mounts.3.gidMappings", [{"containerID": 0, "hostID": 2147000000, "size": 1}]),
                           put("mounts.4.options", ["bind", "ro", "idmap"]),
                           put("annotations", {"run.fmr.note.build-uid": "2147000000:2147000000 (fmr-run's fixed build uid)",
                                               "run.fmr.note.owners": "/src: 3 entries of uids 501, 1001 made the caller's (0:0)"})),
    "minimal": lambda c: c.update({"process": {"args": ["/bin/true"], "cwd": "/", "user": {"uid": 1000, "gid": 1000}},
                                   "mounts": [], "annotations": {}}),
    "root-no-userns": both(put("linux.namespaces", NS("mount", "pid", "network", "ipc", "uts")),
                           delete("linux.uidMappings"), delete("linux.gidMappings"),
                           put("process.user", {"uid": 0, "gid": 0})),
    "several-ranges": both(put("linux.uidMappings", [{"containerID": 0, "hostID": 100000, "size": 1000},
                                                     {"containerID": 1000, "hostID": 1000, "size": 1}]),
                           put("linux.gidMappings", [{"containerID": 0, "hostID": 100000, "size": 1000},
                                                     {"containerID": 1000, "hostID": 1000, "size": 1}])),
    "non-oci-field": lambda c: c.update({"org.example.extra": {"anything": [1, 2]}}),
    "mounts-every-type": put("mounts", [
        {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev", "hidepid=2", "subset=pid"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k", "nr_inodes=1k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/usr", "source": "/usr", "options": ["rbind", "rro", "rprivate"]},
        {"destination": "/etc/hosts", "type": "none", "source": "/etc/hosts", "options": ["bind", "ro", "nosuid"]},
        {"destination": "/srv", "type": "bind", "source": ".", "options": ["rbind", "rw", "nosuid"]},
    ]),
    "joined-namespace": put("linux.namespaces", NS("user", "mount", "pid", "ipc", "uts") + [{"type": "network", "path": "/proc/self/ns/net"}]),
    "seccomp-errno-default": both(put("linux.seccomp.defaultAction", "SCMP_ACT_ERRNO"), put("linux.seccomp.defaultErrnoRet", 38),
                                  put("linux.seccomp.flags", ["SECCOMP_FILTER_FLAG_LOG"]),
                                  put("linux.seccomp.syscalls", [{"names": ["read", "write", "exit_group", "mseal"], "action": "SCMP_ACT_ALLOW"}])),
    "capabilities-and-limits": both(put("process.capabilities", {"bounding": ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"], "effective": ["CAP_CHOWN"],
                                                                  "inheritable": [], "permitted": ["CAP_CHOWN"], "ambient": []}),
                                    put("process.rlimits", [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 4096},
                                                            {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
                                                            {"type": "RLIMIT_AS", "soft": 18446744073709551615, "hard": 18446744073709551615}]),
                                    put("annotations", {"run.fmr.timeout": "2.5", "run.fmr.kill-after": "1"})),
    "sysctl-namespaced": put("linux.sysctl", {"net.ipv4.ping_group_range": "0 0", "net.ipv4.ip_unprivileged_port_start": "80"}),
    "seccomp-multiarch-newer": both(put("linux.seccomp.architectures", ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]),
                                    put("linux.seccomp.syscalls", [{"names": ["mseal", "open_tree_attr", "umount", "mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}])),
    "seccomp-args": put("linux.seccomp.syscalls", [
        {"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
         "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]),
}


def write(path, data):
    with open(path, "w") as f:
        f.write(data)


def main():
    for d in ("good", "bad"):
        for f in os.listdir(os.path.join(HERE, d)):
            if f.endswith((".json", ".expected")):
                os.unlink(os.path.join(HERE, d, f))
    for name, fn in GOOD.items():
        c = base()
        fn(c)
        write(os.path.join(HERE, "good", name + ".json"), json.dumps(c, indent=2) + "\n")
    for i, (name, mut, want) in enumerate(BAD, 1):
        stem = os.path.join(HERE, "bad", f"{i:03d}-{name}")
        if isinstance(mut, str):
            text = mut
        else:
            c = base()
            mut(c)
            text = json.dumps(c, indent=2) + "\n"
        write(stem + ".json", text)
        if want is not None:
            write(stem + ".expected", "\n".join([want] if isinstance(want, str) else want) + "\n")
    missing = [n for n, _, w in BAD if w is None]
    if missing:
        print("cases whose .expected is written by hand:", ", ".join(missing), file=sys.stderr)


if __name__ == "__main__":
    main()
