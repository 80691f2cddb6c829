#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The bundle emitter: the same sandbox as `fmr-run spec`, binds in a safe
order, every bundle accepted by `fmr-run validate`; PEP 517 call detection
and fmr-isolate's settings."""
import json
import os
import subprocess
import unittest

import wheeltest
from fmr_sandbox import bundle, hookcall, isolate, plugin
from fmr_sandbox.envfilter import EnvFilter


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


class SameAsSpecTest(unittest.TestCase):
    """For the same inputs, the emitter writes what `fmr-run spec` writes."""

    def compare(self, network):
        tmp = wheeltest.scratch(self)
        rw, ro = os.path.join(tmp, "work"), os.path.join(tmp, "src")
        os.mkdir(rw)
        os.mkdir(ro)
        args = ["/usr/bin/python3", "-c", "pass"]
        opts = ["--rw", rw, "--ro", ro, "--cwd", rw, "--timeout", "90"] + (["--network"] if network else [])
        want = spec_config(self, *opts, args)
        env = dict(e.split("=", 1) for e in want["process"]["env"])
        got = bundle.build_config(args, cwd=rw, env=env, writable=[rw], readonly=[ro], network=network,
                                  timeout=90, env_filter=EnvFilter(use_defaults=False))
        got_env = set(got["process"].pop("env"))
        want_env = set(want["process"].pop("env"))
        self.assertEqual(got_env - want_env, set())
        self.assertEqual(want_env - got_env, set())
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
            writable=[self.work], readonly=bundle.interpreter_paths(self.python), timeout=2.5)
        d = emit(self, config)
        done = bundle.validate_bundle(d)
        self.assertEqual(done.returncode, 0, done.stdout)
        dests = [m["destination"] for m in config["mounts"]]
        mounts = self.mounts(config)
        self.assertEqual(mounts[self.work]["options"], bundle.RW_TREE)
        self.assertEqual(mounts[self.venv]["options"], bundle.RO_TREE)
        self.assertLess(dests.index(self.work), dests.index(self.venv))  # ro venv on top of rw work
        self.assertEqual(config["annotations"], {"run.fmr.timeout": "2.5"})
        self.assertIn("CARGO_NET_OFFLINE=true", config["process"]["env"])
        self.assertNotIn("GITHUB_TOKEN=x", config["process"]["env"])
        self.assertIn({"type": "network"}, config["linux"]["namespaces"])
        self.assertNotIn("/etc/resolv.conf", mounts)
        with open(os.path.join(d, "config.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f), config)

    def test_output_is_stable(self):
        kw = dict(cwd=self.work, env={"B": "2", "A": "1", "PATH": "/bin"}, writable=[self.work])
        one = json.dumps(bundle.build_config(["/bin/true"], **kw), indent=2)
        two = json.dumps(bundle.build_config(["/bin/true"], **kw), indent=2)
        self.assertEqual(one, two)
        env = bundle.build_config(["/bin/true"], **kw)["process"]["env"]
        self.assertEqual(env, sorted(env))

    def test_network_on_shares_host_and_binds_resolv_conf(self):
        config = bundle.build_config(["/bin/true"], cwd=self.work, env={}, writable=[self.work], network=True)
        self.assertNotIn({"type": "network"}, config["linux"]["namespaces"])
        self.assertNotIn("CARGO_NET_OFFLINE=true", config["process"]["env"])
        if os.path.exists("/etc/resolv.conf"):
            self.assertEqual(self.mounts(config)["/etc/resolv.conf"]["options"], bundle.RO_FILE)
        self.assertEqual(bundle.validate_bundle(emit(self, config)).returncode, 0)

    def test_redundant_binds_are_dropped(self):
        plan = bundle.plan_binds([self.work, os.path.join(self.work, "pkg-1.0")],
                                 ["/usr/lib", self.venv, self.venv + "/bin"], ["/usr"])
        self.assertEqual(plan, [(self.work, True), (self.venv, False)])

    def test_same_path_both_ways_is_read_only(self):
        self.assertEqual(bundle.plan_binds([self.work], [self.work], ["/usr"]), [(self.work, False)])

    def test_refuses_dangerous_writable_paths(self):
        for path in ("/", "/usr/local", "/etc", "/proc/self", os.path.expanduser("~"), "/dev", "/tmp"):
            with self.assertRaises(bundle.BundleError, msg=path):
                bundle.plan_binds([path], [], ["/usr"])
        with self.assertRaises(bundle.BundleError):
            bundle.plan_binds([os.path.join(self.tmp, "missing")], [], ["/usr"])

    def test_interpreter_paths(self):
        self.assertEqual(bundle.interpreter_paths("/usr/bin/python3"), ["/usr"])
        self.assertEqual(bundle.interpreter_paths(self.python), [self.venv, "/usr"])
        # A base interpreter outside /usr (pyenv, /opt/python): its prefix, with links resolved.
        opt = os.path.join(self.tmp, "opt")
        os.makedirs(os.path.join(opt, "py-real", "bin"))
        os.symlink("py-real", os.path.join(opt, "current"))
        os.symlink("/usr/bin/python3", os.path.join(opt, "py-real", "bin", "python3"))
        venv2 = os.path.join(self.tmp, "venv2")
        os.makedirs(os.path.join(venv2, "bin"))
        os.symlink(os.path.join(opt, "current", "bin", "python3"), os.path.join(venv2, "bin", "python"))
        with open(os.path.join(venv2, "pyvenv.cfg"), "w") as f:
            f.write("home = %s/current/bin\n" % opt)
        got = bundle.interpreter_paths(os.path.join(venv2, "bin", "python"))
        self.assertEqual(got, [venv2, opt + "/current", opt + "/py-real", "/usr"])

    def test_seccomp_is_the_default_profile(self):
        with open(os.path.join(wheeltest.TOP_SRCDIR, "schemas", "seccomp-default.json")) as f:
            self.assertEqual(bundle.default_seccomp(), json.load(f))

    def test_rootfs_holds_the_usr_merge_links(self):
        d = emit(self, bundle.build_config(["/bin/true"], cwd="/", env={}))
        for name in bundle.TOPDIRS:
            if os.path.islink("/" + name):
                self.assertEqual(os.readlink(os.path.join(d, "rootfs", name)), os.readlink("/" + name))


class HookCallTest(unittest.TestCase):
    def test_detects_an_in_process_call(self):
        tmp = wheeltest.scratch(self)
        control, wheels = os.path.join(tmp, "ctl"), os.path.join(tmp, "wheels")
        os.mkdir(control)
        os.mkdir(wheels)
        with open(os.path.join(control, "input.json"), "w") as f:
            json.dump({"kwargs": {"wheel_directory": wheels, "config_settings": None}}, f)
        script = "/usr/lib/python3/dist-packages/pep517/in_process/_in_process.py"
        call = hookcall.detect(["/usr/bin/python3", script, "build_wheel", control])
        self.assertIsNotNone(call)
        self.assertEqual(call.writable, [control, wheels])
        self.assertEqual(call.readonly, [script, "/usr"])
        self.assertIsNone(hookcall.detect(["/usr/bin/python3", script, "rm_rf", control]))
        self.assertIsNone(hookcall.detect(["/usr/bin/python3", "-c", "pass", control]))


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
        env = {"PATH": "/usr/bin", "FMR_ISOLATE_RO": "/usr", "FMR_RUN": "/x", "KEEP": "1"}
        kw = isolate.plan(["/bin/true"], env, wheeltest.scratch(self))
        names = [e.split("=")[0] for e in bundle.build_config(**kw)["process"]["env"]]
        self.assertIn("KEEP", names)
        self.assertNotIn("FMR_RUN", names)
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
