#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The environment filter: the filter-env proposal's rules, the scrub list
and the default credential list."""
import unittest

import wheeltest
from fmr_sandbox.envfilter import EnvFilter, Pattern, filter_env, split_names


class PatternTest(unittest.TestCase):
    def test_exact_and_prefix_case_insensitive(self):
        self.assertTrue(Pattern("AWS_*", allow_catch_all=False).matches("aws_region"))
        self.assertTrue(Pattern("CI_TOKEN", allow_catch_all=False).matches("ci_token"))
        self.assertFalse(Pattern("CI_TOKEN", allow_catch_all=False).matches("CI_TOKEN2"))
        self.assertFalse(Pattern("AWS_*", allow_catch_all=False).matches("XAWS_REGION"))

    def test_star_elsewhere_is_an_error(self):
        for bad in ("A*B", "*_TOKEN", "**", ""):
            with self.assertRaises(ValueError, msg=bad):
                Pattern(bad, allow_catch_all=True)

    def test_bare_star_only_in_delete_env(self):
        with self.assertRaises(ValueError):
            EnvFilter(keep_env=["*"])
        EnvFilter(delete_env=["*"])

    def test_split_names(self):
        self.assertEqual(split_names(" A, b ,,C "), ("A", "b", "C"))
        self.assertEqual(split_names(None), ())


class FilterTest(unittest.TestCase):
    def test_no_configuration_passes_ordinary_variables(self):
        env = {"PATH": "/usr/bin", "CFLAGS": "-O2", "MAKEFLAGS": "-j4"}
        self.assertEqual(EnvFilter().apply(env), env)

    def test_default_credentials_are_removed(self):
        env = {"GITHUB_TOKEN": "t", "GH_TOKEN": "t", "GITLAB_PRIVATE_TOKEN": "t", "CI_JOB_TOKEN": "t",
               "NGC_API_KEY": "k", "TWINE_PASSWORD": "p", "TWINE_USERNAME": "u", "PYPI_TOKEN": "t",
               "UV_INDEX_INTERNAL_PASSWORD": "p", "PIP_INDEX_URL": "https://u:p@x/simple",
               "AWS_SECRET_ACCESS_KEY": "s", "AZURE_CLIENT_SECRET": "s",
               "GOOGLE_APPLICATION_CREDENTIALS": "/k.json", "HF_TOKEN": "t", "NPM_TOKEN": "t",
               "SSH_AUTH_SOCK": "/run/agent", "MY_SERVICE_PASSWORD": "p", "CARGO_REGISTRIES_X_TOKEN": "t",
               "CFLAGS": "-O2"}
        self.assertEqual(EnvFilter().apply(env), {"CFLAGS": "-O2"})

    def test_defaults_can_be_turned_off(self):
        self.assertTrue(EnvFilter(use_defaults=False).keeps("GITHUB_TOKEN"))

    def test_keep_env_beats_delete(self):
        f = EnvFilter(keep_env=["AWS_REGION", "CARGO_*"], delete_env=["*"])
        self.assertTrue(f.keeps("AWS_REGION"))
        self.assertFalse(f.keeps("AWS_SECRET_ACCESS_KEY"))
        self.assertTrue(f.keeps("cargo_home"))
        self.assertFalse(f.keeps("CFLAGS"))

    def test_always_keep_set(self):
        f = EnvFilter(delete_env=["*"])
        for name in ("HOME", "PATH", "LANG", "LC_ALL", "lc_ctype", "http_proxy", "HTTPS_PROXY", "USER",
                     "NO_COLOR", "SHELL", "LOGNAME", "HOSTNAME", "LANGUAGE", "no_proxy"):
            self.assertTrue(f.keeps(name), name)

    def test_delete_is_case_insensitive(self):
        f = EnvFilter(delete_env=["my_secret", "Corp_*"], use_defaults=False)
        self.assertFalse(f.keeps("MY_SECRET"))
        self.assertFalse(f.keeps("CORP_KEY"))
        self.assertTrue(f.keeps("MY_SECRETS"))

    def test_non_posix_names_are_removed(self):
        env = {"A-B": "1", "1ABC": "2", "PATH": "/bin", "A.B": "3", "": "4", "_OK9": "5", "X Y": "6"}
        self.assertEqual(EnvFilter().apply(env), {"PATH": "/bin", "_OK9": "5"})

    def test_scrub_list_beats_every_keep_rule(self):
        env = {"FROMAGER_SCRUB_ENV_VARS": "internal_key, HOME,CORP_THING", "INTERNAL_KEY": "k",
               "HOME": "/root", "CORP_THING": "x", "OTHER": "y"}
        got = filter_env(env, keep_env=["CORP_*"])
        self.assertNotIn("INTERNAL_KEY", got)
        self.assertNotIn("HOME", got)
        self.assertNotIn("CORP_THING", got)
        self.assertEqual(got["OTHER"], "y")

    def test_decide_names_the_rule(self):
        f = EnvFilter(keep_env=["X_*"], delete_env=["Y"])
        self.assertEqual(f.decide("X_1"), (True, "keep_env X_*"))
        self.assertEqual(f.decide("Y"), (False, "delete_env Y"))
        self.assertEqual(f.decide("AWS_KEY"), (False, "delete_env AWS_*"))
        self.assertEqual(f.decide("Z_TOKEN"), (False, "credential suffix *_TOKEN"))
        self.assertEqual(f.decide("Z"), (True, "passthrough"))

    def test_order_is_preserved(self):
        env = {"B": "1", "A": "2", "GITHUB_TOKEN": "3", "C": "4"}
        self.assertEqual(list(EnvFilter().apply(env)), ["B", "A", "C"])


if __name__ == "__main__":
    wheeltest.main()
