# SPDX-License-Identifier: Apache-2.0
"""Attacks 1-3: the caller's and the host's credentials."""

import os
import sys

from hostile import MODE, HostileTest, caller_ids, read_bytes

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, os.pardir, "contrib", "fromager"))
from fmr_sandbox import bundle  # noqa: E402

TOKEN = "fmr-hostile-secret-5e1f0c"


class Secrets(HostileTest):
    def plant_home(self):
        home = self.writable_dir("home")
        for rel in (".netrc", ".pypirc", ".config/pip/pip.conf", ".ssh/id_ed25519"):
            path = os.path.join(home, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(f"password {TOKEN}\n")
            os.chmod(path, 0o600)
            if MODE != "root":
                for p in (path, os.path.dirname(path)):
                    os.chown(p, *caller_ids())
        return home

    def test_01_read_credentials_planted_in_home(self):
        home = self.plant_home()
        env = dict(os.environ, HOME=home)
        expect = {f"{where}/{name}": "ENOENT" for where in ("host-home", "home")
                  for name in ("netrc", "pypirc", "pip.conf", "id_ed25519")}
        expect["host-home"] = "ENOENT"
        self.assertEqual(self.attack("home-credentials", home, env=env), expect)
        control = self.unconfined("home-credentials", home, env=env)
        self.assertEqual(control["host-home/netrc"], "ok")
        self.assertEqual(control["host-home/id_ed25519"], "ok")

    def test_02_read_root_shadow_and_etc_pip_conf(self):
        planted = read_bytes("/etc/pip.conf") is None
        if planted:
            with open("/etc/pip.conf", "w") as f:
                f.write(f"[global]\n# fmr-run hostile test, removed after it\n# token {TOKEN}\n")
            self.addCleanup(os.unlink, "/etc/pip.conf")
        self.assertEqual(self.attack("host-secrets"),
                         {"/root": "ENOENT", "/home": "ENOENT", "/etc/shadow": "ENOENT",
                          "/etc/gshadow": "ENOENT", "/etc/pip.conf": "ENOENT", "/etc/ssh": "ENOENT"})
        control = self.unconfined("host-secrets")
        self.assertEqual(control["/etc/pip.conf"], "ok")
        self.assertEqual(control["/etc/shadow"], "ok" if MODE == "root" else "EACCES")

    def test_03_find_a_credential_the_emitter_left_out(self):
        caller_env = dict(os.environ, GITHUB_TOKEN=f"{TOKEN}-gh", TWINE_PASSWORD=f"{TOKEN}-twine",
                          AWS_SECRET_ACCESS_KEY=f"{TOKEN}-aws", MY_INDEX_KEY=f"{TOKEN}-scrubbed",
                          FROMAGER_SCRUB_ENV_VARS="MY_INDEX_KEY", HARMLESS="kept")
        uid, gid = caller_ids()
        config = bundle.build_config([self.hostile, "env-credential", TOKEN], cwd=self.work, env=caller_env,
                                     writable=[self.work], readonly=[self.bin_dir], uid=uid, gid=gid,
                                     keep_env=["HARMLESS"])
        self.assertIn("HARMLESS=kept", config["process"]["env"])
        # The outer fmr-run itself runs with every credential in its environment.
        got = self.attack(config=config, env=caller_env)
        self.assertEqual(got, {"environ-found": "0", "proc-environ-found": "0",
                               "proc-environ-unreadable": "1", "/proc/1/environ": "EACCES"})
