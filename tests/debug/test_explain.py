# SPDX-License-Identifier: Apache-2.0
"""`explain`: what it says a bundle's step can see and do is what the probe
sees from inside that sandbox, for the default bundle and degraded ones."""

import json
import os
import subprocess

from harness import MODE, SandboxTest, caller_ids

# Host paths no default bundle binds: explain does not list them, and the
# step must not see them.
UNLISTED = ["/root", "/home", "/etc/shadow", "/var", "/boot"]


class ExplainTest(SandboxTest):
    def setUp(self):
        super().setUp()
        self.work = self.writable_dir("work")

    def configured(self, config):
        config["mounts"].append({"destination": "/work", "type": "bind", "source": self.work,
                                 "options": ["rbind", "rw", "nosuid", "nodev"]})
        config["process"]["env"].append("SECRET_TOKEN=fmr-explain-hidden-value")
        self.write(config)
        r = self.run_fmr("explain", "--json", self.bundle)
        self.assertEqual(r.returncode, 0, r.stderr)
        text = self.run_fmr("explain", self.bundle)
        self.assertEqual(text.returncode, 0, text.stderr)
        self.assertNotIn("fmr-explain-hidden-value", r.stdout + text.stdout)
        self.assertIn("SECRET_TOKEN", text.stdout)
        return json.loads(r.stdout), text.stdout

    def checks(self, explained, unlisted):
        return (["ids", "env", "pids", "net", "rlimits", "status", "syscall=mount"]
                + [f"path={p['path']}" for p in explained["paths"]] + [f"path={p}" for p in unlisted])

    def probe_with(self, config, explained):
        config["process"]["args"] = ["/probe/probe", *self.checks(explained, UNLISTED + [self.scratch])]
        return self.probe(config=config)

    def compare(self, explained, seen, unlisted=None):
        unlisted = UNLISTED + [self.scratch] if unlisted is None else unlisted
        listed = {p["path"] for p in explained["paths"]}
        for p in explained["paths"]:
            got = seen[f"path={p['path']}"]
            if p["access"] == "hidden":
                self.assertTrue(not got["exists"] or got.get("bytes", 0) == 0 and got.get("entries", 0) == 0,
                                (p, got))
                continue
            if "where it exists" in p["what"] and not got["exists"]:
                continue  # linux.readonlyPaths of a file this kernel lacks
            self.assertTrue(got["exists"], (p, got))
            self.assertEqual(got["read"], "ok", (p, got))
            if p["access"] == "write":
                self.assertEqual(got["write"], "ok", (p, got))
            else:
                self.assertNotEqual(got["write"], "ok", (p, got))
        for path in unlisted:
            self.assertNotIn(path, listed)
            self.assertFalse(seen[f"path={path}"]["exists"], path)
        self.assertEqual(explained["env"], [e.split("=", 1)[0] for e in seen["env"]])
        uid, gid = caller_ids()
        self.assertEqual((explained["process"]["uid"], explained["process"]["gid"]),
                         (seen["ids"]["uid"], seen["ids"]["gid"]))
        self.assertEqual(explained["process"]["host_uid"], int(seen["ids"]["uid_map"].split()[1]))
        for name, (soft, hard) in explained["rlimits"].items():
            self.assertEqual(seen["rlimits"][name], [soft, hard], name)
        refused = [r for r in explained["seccomp"]["rules"] if r.startswith("refused with EPERM")]
        self.assertTrue(refused and " mount " in refused[0] + " ")
        self.assertEqual(seen["syscall=mount"], "EPERM")
        self.assertEqual(seen["status"]["Seccomp"], "2")
        if explained["network"]["host"]:
            self.assertEqual(sorted(explained["network"]["interfaces"]), sorted(seen["net"]))
        else:
            self.assertEqual(list(seen["net"]), ["lo"])
        self.assertEqual(explained["processes"]["host_visible"], os.getpid() in seen["pids"])

    def test_default_bundle(self):
        config = self.config()
        explained, text = self.configured(config)
        self.compare(explained, self.probe_with(config, explained))
        self.assertEqual(explained["weaker"], [])
        self.assertIn("weaker than the default sandbox: nothing", text)
        self.assertFalse(explained["network"]["host"])
        self.assertFalse(explained["processes"]["host_visible"])
        work = [p for p in explained["paths"] if p["path"] == "/work"][0]
        self.assertEqual(work["access"], "write")
        self.assertEqual(work["source"], self.work)

    def test_new_files_owner(self):
        """The owner explain gives for files written in a writable bind is
        the owner they get on the host."""
        config = self.config()
        explained, text = self.configured(config)
        work = [p for p in explained["paths"] if p["path"] == "/work"][0]
        r = self.run_fmr("run", "--shell", self.bundle, "--", "/bin/sh", "-c", "echo x > /work/new")
        self.assertEqual(r.returncode, 0, r.stderr)
        st = os.stat(os.path.join(self.work, "new"))
        self.assertEqual((st.st_uid, st.st_gid), (work["new_files_owner"]["uid"], work["new_files_owner"]["gid"]))
        self.assertIn(f"new files: host uid {st.st_uid}, gid {st.st_gid}", text)

    def test_unmapped_owner(self):
        """A writable tree owned by a uid the sandbox does not map is
        flagged, and the step indeed sees nobody as its owner."""
        os.chown(self.work, 4242, 4242)
        config = self.config()
        explained, text = self.configured(config)
        work = [p for p in explained["paths"] if p["path"] == "/work"][0]
        self.assertEqual(work["source_owner_uid"], 4242)
        self.assertFalse(work["source_owner_mapped"])
        self.assertIn("host uid 4242, which the sandbox does not map", text)
        config["process"]["args"] = ["/probe/probe", "path=/work"]
        seen = self.probe(config=config)
        self.assertEqual(seen["path=/work"]["uid"], 65534)

    def test_proc_bind_and_no_network_namespace(self):
        config = self.config()
        for m in config["mounts"]:
            if m["destination"] == "/proc":
                m.clear()
                m.update({"destination": "/proc", "type": "bind", "source": "/proc",
                          "options": ["rbind", "nosuid", "noexec", "nodev"]})
        config["linux"]["namespaces"] = [n for n in config["linux"]["namespaces"] if n["type"] != "network"]
        explained, text = self.configured(config)
        seen = self.probe_with(config, explained)
        self.compare(explained, seen)
        self.assertTrue(explained["network"]["host"])
        self.assertTrue(explained["processes"]["host_visible"])
        self.assertIn(os.getpid(), seen["pids"])
        weaker = " ".join(w["what"] for w in explained["weaker"])
        self.assertIn("no network namespace", weaker)
        self.assertIn("/proc is a bind of the host's /proc", weaker)
        self.assertIn("every host process is listed in /proc", text)

    def test_spec_bundle_with_proc_bind_and_network(self):
        """A bundle as `spec` writes it where the host refuses a fresh /proc
        (--proc bind) and with the network on; the probe runs in exactly
        that sandbox through `run --shell -- COMMAND`."""
        r = self.run_fmr("spec", "--proc", "bind", "--network", "--ro", self.bin_dir, "--rw", self.work,
                         self.bundle, "--", "/bin/true")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_fmr("explain", "--json", self.bundle)
        self.assertEqual(r.returncode, 0, r.stderr)
        explained = json.loads(r.stdout)
        r = self.run_fmr("run", "--shell", self.bundle, "--", os.path.join(self.bin_dir, "probe"),
                         *self.checks(explained, UNLISTED))
        self.assertEqual(r.returncode, 0, r.stderr)
        seen = json.loads(r.stdout.replace("\r", ""))
        self.compare(explained, seen, UNLISTED)
        self.assertTrue(explained["network"]["host"])
        self.assertTrue(explained["processes"]["host_visible"])
        self.assertIn(os.getpid(), seen["pids"])
        work = [p for p in explained["paths"] if p["path"] == self.work][0]
        self.assertEqual(work["access"], "write")

    def test_degraded_annotations_are_shown(self):
        config = self.config()
        config["annotations"] = {"run.fmr.timeout": "30"}
        explained, text = self.configured(config)
        self.assertEqual(explained["degraded"], {})
        self.assertIn("stopped after 30 s (run.fmr.timeout)", explained["limits"])
        # What `spec` records when the host made it choose a weaker part.
        note = "bind of the outer /proc: a fresh proc was refused here (VFS: Mount too revealing)"
        config["annotations"]["run.fmr.note.proc"] = note
        config["mounts"].pop()  # configured() adds /work again
        explained, text = self.configured(config)
        self.assertEqual(explained["degraded"], {"run.fmr.note.proc": note})
        self.assertIn("run.fmr.note.proc: " + note, text)

    def test_invalid_bundle(self):
        config = self.config()
        config["mounts"][0]["destination"] = "relative"
        self.write(config)
        r = self.run_fmr("explain", self.bundle)
        self.assertEqual(r.returncode, 125)
        self.assertIn("mounts[0].destination", r.stderr)
        self.assertEqual(r.stdout, "")
