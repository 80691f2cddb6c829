#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The bundle emitter: the same sandbox as `fmr-run spec`, binds in a safe
order, every bundle accepted by `fmr-run validate`; PEP 517 call detection
and fmr-isolate's settings."""
import json
import os
import shutil
import subprocess
import unittest

import wheeltest
from fmr_sandbox import bundle, guard, hookcall, isolate, plugin


def spec_config(test, *spec_args):
    out = os.path.join(wheeltest.scratch(test), "b")
    subprocess.run([wheeltest.FMR_RUN, "spec"] + list(spec_args[:-1]) + [out, "--"] + spec_args[-1],
                   check=True)
    with open(os.path.join(out, "config.json"), encoding="utf-8") as f:
        return json.load(f)


def emit(test, config):
    d = os.path.join(wheeltest.scratch(test), "bundle")
    bundle.write_bundle(d, config)
    return d


# The caller's binds; a root caller's are idmapped (its payload is a build
# uid, src/spec/spec_ids.c).
IDMAP = ["ridmap"] if os.geteuid() == 0 else []
RO_TREE = ["rbind", "ro", "nosuid", "nodev"] + IDMAP
RW_TREE = ["rbind", "rw", "nosuid", "nodev"] + IDMAP


class SameAsSpecTest(unittest.TestCase):
    """The emitter adds nothing of its own: its config is spec's."""

    def compare(self, network):
        tmp = wheeltest.scratch(self)
        rw, ro = os.path.join(tmp, "work"), os.path.join(tmp, "src")
        os.mkdir(rw)
        os.mkdir(ro)
        args = ["/usr/bin/python3", "-c", "pass"]
        opts = ["--pass-env", "--rw", rw, "--ro", ro, "--cwd", rw, "--timeout", "90"] + (["--network"] if network else [])
        want = spec_config(self, *opts, args)
        got = bundle.build_config(args, cwd=rw, env=os.environ, writable=[rw], readonly=[ro], network=network,
                                  timeout=90)
        self.assertEqual(json.dumps(got, indent=1), json.dumps(want, indent=1))

    def test_offline(self):
        self.compare(network=False)

    def test_network(self):
        self.compare(network=True)


class EmitterTest(unittest.TestCase):
    def setUp(self):
        self.tmp = wheeltest.scratch(self)
        self.work = os.path.join(self.tmp, "work", "pkg-1.0")
        self.venv = os.path.join(self.work, "build-venv")
        os.makedirs(os.path.join(self.work, "pkg-1.0"))
        self.python = wheeltest.make_venv(self.venv)

    def mounts(self, config):
        return {m["destination"]: m for m in config["mounts"]}

    def test_validate_accepts_and_venv_stays_read_only(self):
        config = bundle.build_config(
            [self.python, "-c", "pass"], cwd=self.work, env={"PATH": "/usr/bin", "GITHUB_TOKEN": "x"},
            writable=[self.work], pythons=[self.python], timeout=2.5)
        d = emit(self, config)
        done = bundle.validate_bundle(d)
        self.assertEqual(done.returncode, 0, done.stdout)
        dests = [m["destination"] for m in config["mounts"]]
        mounts = self.mounts(config)
        self.assertEqual(mounts[self.work]["options"], RW_TREE)
        self.assertEqual(mounts[self.venv]["options"], RO_TREE)
        self.assertLess(dests.index(self.work), dests.index(self.venv))  # ro venv on top of rw work
        self.assertEqual(config["annotations"]["run.fmr.timeout"], "2.5")
        self.assertEqual("run.fmr.note.build-uid" in config["annotations"], os.geteuid() == 0)
        self.assertIn("CARGO_NET_OFFLINE=true", config["process"]["env"])
        self.assertNotIn("GITHUB_TOKEN=x", config["process"]["env"])
        self.assertIn({"type": "network"}, config["linux"]["namespaces"])
        self.assertNotIn("/etc/resolv.conf", mounts)

    def test_redundant_binds_are_dropped(self):
        config = bundle.build_config(["/bin/true"], cwd=self.work, env={},
                                     writable=[self.work, os.path.join(self.work, "pkg-1.0")],
                                     readonly=["/usr/lib", self.venv, self.venv + "/bin"])
        binds = [(m["destination"], m["options"]) for m in config["mounts"]
                 if m["destination"].startswith(self.tmp)]
        self.assertEqual(binds, [(self.work, RW_TREE), (self.venv, RO_TREE)])
        self.assertNotIn("/usr/lib", self.mounts(config))

    def test_same_path_both_ways_is_read_only(self):
        config = bundle.build_config(["/bin/true"], cwd=self.work, env={}, writable=[self.work],
                                     readonly=[self.work])
        self.assertEqual(self.mounts(config)[self.work]["options"], RO_TREE)

    def test_refuses_dangerous_paths(self):
        for path in ("/", "/usr/local", "/etc", "/proc/self", os.path.expanduser("~"), "/dev", "/tmp",
                     "/root", "/home", os.path.join(self.tmp, "missing")):
            with self.assertRaises(bundle.BundleError, msg=path):
                guard.check_path(path, writable=True)
        for path in ("/etc", "/root", "/tmp", os.path.expanduser("~")):
            with self.assertRaises(bundle.BundleError, msg=path):
                guard.check_path(path, writable=False)
        self.assertEqual(guard.check_path(self.work, writable=True), self.work)

    def test_every_home_of_the_host_counts(self):
        other = os.path.join(self.tmp, "home-of-someone")
        os.mkdir(other)
        self.assertIn("home directory", guard.refusal(other, True, homes=[other]))
        self.assertIn("home directory", guard.refusal(self.tmp, False, homes=[other]))  # a parent of it
        self.assertIsNone(guard.refusal(self.work, True, homes=[other]))
        self.assertIn("/root", guard.host_homes())

    def test_bundle_directory_refused(self):
        b = os.path.join(self.work, "bundle")
        with self.assertRaises(bundle.BundleError):
            guard.check_path(self.work, writable=True, bundle_dir=b)
        with self.assertRaises(bundle.BundleError):
            bundle.emit(os.path.join(self.work, "b"), ["/bin/true"], env={}, cwd=self.work, writable=[self.work])

    def test_links_a_step_could_plant_are_refused(self):
        # work/link -> a home; work/link/.. is the home's parent, not work
        # (normpath would say work).
        target = os.path.join(self.tmp, "elsewhere", "deep")
        os.makedirs(target)
        os.symlink(target, os.path.join(self.work, "link"))
        for path in (os.path.join(self.work, "link"), os.path.join(self.work, "link", ".."),
                     os.path.join(self.work, "link", "x")):
            with self.assertRaises(bundle.BundleError, msg=path) as cm:
                guard.check_path(path, writable=True)
        self.assertIn("symbolic link", str(cm.exception))
        # Links only root can have made are followed (/usr/bin/python3 -> python3.N).
        self.assertEqual(guard.real_path("/usr/bin/python3"), os.path.realpath("/usr/bin/python3"))

    def test_interpreter_paths_come_from_links_not_pyvenv_cfg(self):
        # A base interpreter outside /usr: its real prefix is read-only; the
        # `home` of pyvenv.cfg (a file a step might have written) is not used.
        opt = os.path.join(self.tmp, "opt")
        secret = os.path.join(self.tmp, "secret")
        os.makedirs(os.path.join(opt, "py-real", "bin"))
        os.mkdir(secret)
        os.symlink("py-real", os.path.join(opt, "current"))
        os.symlink("/usr/bin/python3", os.path.join(opt, "py-real", "bin", "python3"))
        shutil.copy("/usr/bin/python3", os.path.join(opt, "py-real", "bin", "python3.real"))
        os.unlink(os.path.join(opt, "py-real", "bin", "python3"))
        os.rename(os.path.join(opt, "py-real", "bin", "python3.real"), os.path.join(opt, "py-real", "bin", "python3"))
        venv2 = os.path.join(self.tmp, "venv2")
        os.makedirs(os.path.join(venv2, "bin"))
        os.symlink(os.path.join(opt, "current", "bin", "python3"), os.path.join(venv2, "bin", "python"))
        with open(os.path.join(venv2, "pyvenv.cfg"), "w") as f:
            f.write("home = %s/bin\n" % secret)
        config = bundle.build_config(["/bin/true"], cwd="/", env={}, pythons=[os.path.join(venv2, "bin", "python")])
        mounts = self.mounts(config)
        self.assertEqual(mounts[venv2]["options"], RO_TREE)
        self.assertEqual(mounts[opt + "/py-real"]["options"], RO_TREE)
        self.assertNotIn(secret, mounts)
        self.assertNotIn(opt + "/current", mounts)

    def test_venv_guard_sees_a_replaced_venv(self):
        g = guard.VenvGuard([self.venv])
        g.check()
        os.rename(self.venv, self.venv + ".old")
        os.makedirs(os.path.join(self.venv, "bin"))
        os.symlink("/bin/sh", os.path.join(self.venv, "bin", "python"))
        shutil.copy(os.path.join(self.venv + ".old", "pyvenv.cfg"), self.venv)
        with self.assertRaises(guard.VenvChanged) as cm:
            g.check()
        self.assertIn("bin/python resolves to", str(cm.exception))

    def test_rootfs_holds_the_usr_merge_links(self):
        d = emit(self, bundle.build_config(["/bin/true"], cwd="/", env={}))
        for name in ("bin", "lib", "lib64", "sbin"):
            if os.path.islink("/" + name):
                self.assertEqual(os.readlink(os.path.join(d, "rootfs", name)), os.readlink("/" + name))


class HookCallTest(unittest.TestCase):
    def call(self, hook, **kwargs):
        tmp = wheeltest.scratch(self)
        control = os.path.join(tmp, "ctl")
        os.mkdir(control)
        for v in kwargs.values():
            os.makedirs(v, exist_ok=True)
        with open(os.path.join(control, "input.json"), "w") as f:
            json.dump({"kwargs": dict(kwargs, config_settings=None)}, f)
        script = "/usr/lib/python3/dist-packages/pep517/in_process/_in_process.py"
        return hookcall.detect(["/usr/bin/python3", script, hook, control]), control, script

    def test_detects_an_in_process_call(self):
        tmp = wheeltest.scratch(self)
        wheels, meta = os.path.join(tmp, "wheels"), os.path.join(tmp, "meta")
        call, control, script = self.call("build_wheel", wheel_directory=wheels, metadata_directory=meta)
        self.assertIsNotNone(call)
        self.assertEqual(call.writable, [control])  # the wheel goes to a per-step folder
        self.assertEqual(call.readonly, [script, meta])  # build_wheel reads the metadata
        self.assertIsNone(hookcall.detect(["/usr/bin/python3", script, "rm_rf", control]))
        self.assertIsNone(hookcall.detect(["/usr/bin/python3", "-c", "pass", control]))

    def test_outputs_moved_by_the_host_links_refused(self):
        wheels = os.path.join(wheeltest.scratch(self), "wheels")
        call, control, _ = self.call("build_wheel", wheel_directory=wheels)
        out = hookcall.StepOutputs(call)
        (step_dir,) = out.writable
        with open(os.path.join(control, "input.json")) as f:
            self.assertEqual(json.load(f)["kwargs"]["wheel_directory"], step_dir)
        open(os.path.join(step_dir, "p-1.0-py3-none-any.whl"), "w").close()
        out.finish(True)
        self.assertEqual(os.listdir(wheels), ["p-1.0-py3-none-any.whl"])
        call, control, _ = self.call("build_wheel", wheel_directory=wheels)
        out = hookcall.StepOutputs(call)
        os.symlink("/etc/passwd", os.path.join(out.writable[0], "evil.whl"))
        with self.assertRaises(ValueError):
            out.finish(True)
        self.assertEqual(os.listdir(wheels), ["p-1.0-py3-none-any.whl"])


class IsolateSettingsTest(unittest.TestCase):
    def test_variables_and_file(self):
        tmp = wheeltest.scratch(self)
        conf = os.path.join(tmp, "conf.json")
        with open(conf, "w") as f:
            json.dump({"rw": ["/a"], "ro": ["/b"], "timeout": 5, "keep_env": ["X_*"]}, f)
        s = isolate.load_settings({"FMR_ISOLATE_CONFIG": conf, "FMR_ISOLATE_RO": "/c:/d",
                                   "FMR_ISOLATE_NETWORK": "on"})
        self.assertEqual((s["rw"], s["ro"], s["network"], s["timeout"], s["keep_env"]),
                         (["/a"], ["/c", "/d"], True, 5, ["X_*"]))
        with open(conf, "w") as f:
            json.dump({"rw": [], "colour": "red"}, f)
        with self.assertRaises(isolate.SettingsError):
            isolate.load_settings({"FMR_ISOLATE_CONFIG": conf})
        with self.assertRaises(isolate.SettingsError):
            isolate.load_settings({"FMR_ISOLATE_NETWORK": "maybe"})

    def test_home_as_cwd_becomes_private(self):
        home = os.path.expanduser("~")
        kw = isolate.plan(["/bin/true"], {"PATH": "/usr/bin", "HOME": home}, home)
        self.assertEqual(kw["tmpfs"], [home])
        self.assertNotIn(home, kw["writable"])
        self.assertEqual(bundle.validate_bundle(emit(self, bundle.build_config(**kw))).returncode, 0)

    def test_shared_tmp_and_system_dirs_as_cwd(self):
        kw = isolate.plan(["/bin/true"], {"PATH": "/usr/bin"}, "/tmp")
        self.assertEqual((kw["tmpfs"], "/tmp" in kw["writable"]), (["/tmp"], False))
        kw = isolate.plan(["/bin/true"], {"PATH": "/usr/bin"}, "/usr/share")
        self.assertEqual((kw["tmpfs"], "/usr/share" in kw["writable"]), ([], False))

    def test_own_settings_do_not_enter_the_sandbox(self):
        env = {"PATH": "/usr/bin", "FMR_ISOLATE_RO": "/usr", "FMR_RUN": "/x", "KEEP": "1", "OTHER": "2",
               "FMR_ISOLATE_KEEP_ENV": "KEEP,FMR_RUN"}
        kw = isolate.plan(["/bin/true"], env, wheeltest.scratch(self))
        names = [e.split("=")[0] for e in bundle.build_config(**kw)["process"]["env"]]
        self.assertIn("KEEP", names)
        self.assertNotIn("OTHER", names)  # not a build setting: the allow-list leaves it out
        self.assertIn("FMR_RUN", names)  # kept explicitly
        self.assertNotIn("FMR_ISOLATE_RO", names)


class PluginUnitTest(unittest.TestCase):
    def fake_fmr_run(self, body):
        tmp = wheeltest.scratch(self)
        path = os.path.join(tmp, "fmr-run")
        with open(path, "w") as f:
            f.write("#!/bin/sh\necho called >> %s/calls\n%s\n" % (tmp, body))
        os.chmod(path, 0o755)
        self.addCleanup(plugin._reset_check_cache)
        plugin._reset_check_cache()
        return path, os.path.join(tmp, "calls")

    def test_check_runs_once_per_process(self):
        fake, calls = self.fake_fmr_run('echo "fmr-run: check: user namespaces: off" >&2; exit 1')
        for _ in range(2):
            with self.assertRaises(plugin.SandboxError) as cm:
                plugin.check_host(fake)
            self.assertIn("user namespaces: off", str(cm.exception))
        with open(calls) as f:
            self.assertEqual(f.read(), "called\n")

    def test_check_not_implemented_is_a_warning(self):
        fake, _ = self.fake_fmr_run('echo "fmr-run: check: not implemented yet" >&2; exit 125')
        with self.assertLogs("fmr_sandbox", "WARNING"):
            self.assertEqual(plugin.check_host(fake).returncode, 0)

    def test_setup_and_teardown(self):
        work = os.path.join(wheeltest.scratch(self), "pkg-1.0")
        sdist_root = os.path.join(work, "pkg-1.0")
        os.makedirs(sdist_root)
        import pathlib
        plugin.setup_sandbox(ctx=None, req="pkg", sdist_root_dir=pathlib.Path(sdist_root))
        self.assertEqual(sorted(os.listdir(work)), ["dist", "home", "pkg-1.0", "tmp"])
        plugin.teardown_sandbox(ctx=None, req="pkg", sdist_root_dir=pathlib.Path(sdist_root))
        self.assertEqual(os.listdir(work), ["pkg-1.0"])
        # dist/ with a symlink, a FIFO and a file: teardown refuses, removes the unsafe two.
        plugin.setup_sandbox(ctx=None, req="pkg", sdist_root_dir=pathlib.Path(sdist_root))
        dist = os.path.join(work, "dist")
        open(os.path.join(dist, "ok.whl"), "w").close()
        os.symlink("/etc/passwd", os.path.join(dist, "evil.whl"))
        os.mkfifo(os.path.join(dist, "fifo"))
        with self.assertRaises(plugin.SandboxError) as cm:
            plugin.teardown_sandbox(ctx=None, req="pkg", sdist_root_dir=pathlib.Path(sdist_root))
        self.assertIn("evil.whl", str(cm.exception))
        self.assertEqual(os.listdir(dist), ["ok.whl"])
        self.assertEqual(sorted(os.listdir(work)), ["dist", "pkg-1.0"])


if __name__ == "__main__":
    wheeltest.main()
