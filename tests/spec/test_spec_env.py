#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`fmr-run spec --pass-env`: the one environment filter every helper uses.
An allow-list: the variables common CI systems set (GitHub Actions, GitLab
CI, Azure Pipelines, Tekton; listed below as they document them, with
made-up values) never reach a build step unless kept, credentials never,
and build settings do."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

FMR_RUN = os.environ.get("FMR_RUN", os.path.join(os.getcwd(), "fmr-run"))
SECRET = "s3cr3t-Value"

# Credentials the issue found passing the old deny-list filter, and friends.
CREDENTIALS = {
    "CI_REPOSITORY_URL": f"https://gitlab-ci-token:{SECRET}@gitlab.example.com/g/p.git",
    "SYSTEM_ACCESSTOKEN": SECRET,
    "POETRY_PYPI_TOKEN_PYPI": SECRET,
    "POETRY_HTTP_BASIC_PYPI_PASSWORD": SECRET,
    "SSH_PRIVATE_KEY": f"-----BEGIN OPENSSH PRIVATE KEY-----{SECRET}",
    "GITHUB_PAT": SECRET,
    "GIT_CONFIG_COUNT": "1",
    "GIT_CONFIG_KEY_0": "http.extraheader",
    "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {SECRET}",
    "PIP_FIND_LINKS": f"https://user:{SECRET}@example.com/links",
    "UV_FIND_LINKS": f"https://user:{SECRET}@example.com/links",
    "PIP_INDEX_URL": f"https://user:{SECRET}@example.com/simple",
    "UV_INDEX_URL": f"https://user:{SECRET}@example.com/simple",
    "DATABASE_URL": f"postgres://app:{SECRET}@db:5432/app",
    "TF_TOKEN_app_terraform_io": SECRET,
    "CARGO_REGISTRIES_MY_TOKEN": SECRET,
    "CARGO_REGISTRY_TOKEN": SECRET,
    "CARGO_REGISTRIES_MY_INDEX": f"sparse+https://u:{SECRET}@example.com/index/",
    "CARGO_HTTP_PROXY": f"http://u:{SECRET}@proxy:3128",
    "GITHUB_TOKEN": SECRET,
    "GH_TOKEN": SECRET,
    "ACTIONS_RUNTIME_TOKEN": SECRET,
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": SECRET,
    "CI_JOB_TOKEN": SECRET,
    "CI_JOB_JWT_V2": SECRET,
    "CI_REGISTRY_PASSWORD": SECRET,
    "AWS_SECRET_ACCESS_KEY": SECRET,
    "AWS_SESSION_TOKEN": SECRET,
    "AZURE_CLIENT_SECRET": SECRET,
    "GOOGLE_APPLICATION_CREDENTIALS": f"/run/{SECRET}.json",
    "VAULT_TOKEN": SECRET,
    "NPM_TOKEN": SECRET,
    "TWINE_PASSWORD": SECRET,
    "HF_TOKEN": SECRET,
    "SSH_AUTH_SOCK": f"/tmp/ssh-{SECRET}/agent.1",
    "NETRC": f"/home/u/.netrc-{SECRET}",
    "DOCKER_AUTH_CONFIG": SECRET,
    "PYTHON_KEYRING_PASSWORD": SECRET,
    "CMAKE_TOKEN": SECRET,
    "FMR_ISOLATE_RW": f"/{SECRET}",
}

# Variables the CI systems set in every job (their documentation's lists);
# none is a build setting, so none may pass the allow-list.
GITHUB_ACTIONS = ["CI", "GITHUB_ACTION", "GITHUB_ACTION_PATH", "GITHUB_ACTION_REPOSITORY", "GITHUB_ACTIONS",
                  "GITHUB_ACTOR", "GITHUB_ACTOR_ID", "GITHUB_API_URL", "GITHUB_BASE_REF", "GITHUB_ENV",
                  "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_GRAPHQL_URL", "GITHUB_HEAD_REF", "GITHUB_JOB",
                  "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_REF", "GITHUB_REF_NAME", "GITHUB_REF_PROTECTED",
                  "GITHUB_REF_TYPE", "GITHUB_REPOSITORY", "GITHUB_REPOSITORY_ID", "GITHUB_REPOSITORY_OWNER",
                  "GITHUB_REPOSITORY_OWNER_ID", "GITHUB_RETENTION_DAYS", "GITHUB_RUN_ATTEMPT", "GITHUB_RUN_ID",
                  "GITHUB_RUN_NUMBER", "GITHUB_SERVER_URL", "GITHUB_SHA", "GITHUB_STEP_SUMMARY",
                  "GITHUB_TRIGGERING_ACTOR", "GITHUB_WORKFLOW", "GITHUB_WORKFLOW_REF", "GITHUB_WORKFLOW_SHA",
                  "GITHUB_WORKSPACE", "RUNNER_ARCH", "RUNNER_DEBUG", "RUNNER_ENVIRONMENT", "RUNNER_NAME",
                  "RUNNER_OS", "RUNNER_TEMP", "RUNNER_TOOL_CACHE", "ACTIONS_CACHE_URL", "ACTIONS_RUNTIME_URL",
                  "ACTIONS_RESULTS_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"]
GITLAB_CI = ["CI", "GITLAB_CI", "CI_API_V4_URL", "CI_BUILDS_DIR", "CI_COMMIT_AUTHOR", "CI_COMMIT_BRANCH",
             "CI_COMMIT_REF_NAME", "CI_COMMIT_REF_SLUG", "CI_COMMIT_SHA", "CI_COMMIT_SHORT_SHA", "CI_COMMIT_TAG",
             "CI_COMMIT_MESSAGE", "CI_CONCURRENT_ID", "CI_CONFIG_PATH", "CI_DEFAULT_BRANCH",
             "CI_DEPENDENCY_PROXY_PASSWORD", "CI_DEPENDENCY_PROXY_USER", "CI_DEPENDENCY_PROXY_SERVER",
             "CI_DEPLOY_PASSWORD", "CI_DEPLOY_USER", "CI_JOB_ID", "CI_JOB_IMAGE", "CI_JOB_NAME", "CI_JOB_STAGE",
             "CI_JOB_STATUS", "CI_JOB_URL", "CI_NODE_INDEX", "CI_NODE_TOTAL", "CI_PIPELINE_ID", "CI_PIPELINE_IID",
             "CI_PIPELINE_SOURCE", "CI_PIPELINE_URL", "CI_PROJECT_DIR", "CI_PROJECT_ID", "CI_PROJECT_NAME",
             "CI_PROJECT_NAMESPACE", "CI_PROJECT_PATH", "CI_PROJECT_URL", "CI_REGISTRY", "CI_REGISTRY_IMAGE",
             "CI_REGISTRY_USER", "CI_REPOSITORY_URL", "CI_RUNNER_ID", "CI_RUNNER_TAGS", "CI_SERVER_HOST",
             "CI_SERVER_URL", "CI_SERVER_VERSION", "GITLAB_USER_EMAIL", "GITLAB_USER_LOGIN", "GITLAB_USER_NAME",
             "CI_JOB_TOKEN", "CI_JOB_JWT", "FF_USE_FASTZIP", "CI_DEBUG_TRACE"]
AZURE_PIPELINES = ["AGENT_BUILDDIRECTORY", "AGENT_HOMEDIRECTORY", "AGENT_ID", "AGENT_JOBNAME", "AGENT_JOBSTATUS",
                   "AGENT_MACHINENAME", "AGENT_NAME", "AGENT_OS", "AGENT_OSARCHITECTURE", "AGENT_TEMPDIRECTORY",
                   "AGENT_TOOLSDIRECTORY", "AGENT_WORKFOLDER", "BUILD_ARTIFACTSTAGINGDIRECTORY", "BUILD_BUILDID",
                   "BUILD_BUILDNUMBER", "BUILD_BUILDURI", "BUILD_DEFINITIONNAME", "BUILD_REASON",
                   "BUILD_REPOSITORY_LOCALPATH", "BUILD_REPOSITORY_NAME", "BUILD_REPOSITORY_URI",
                   "BUILD_REQUESTEDFOR", "BUILD_REQUESTEDFOREMAIL", "BUILD_SOURCEBRANCH", "BUILD_SOURCEVERSION",
                   "BUILD_SOURCESDIRECTORY", "PIPELINE_WORKSPACE", "SYSTEM_ACCESSTOKEN",
                   "SYSTEM_COLLECTIONURI", "SYSTEM_DEFAULTWORKINGDIRECTORY", "SYSTEM_JOBID", "SYSTEM_PULLREQUEST_PULLREQUESTID",
                   "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI", "SYSTEM_TEAMPROJECT", "TF_BUILD", "ENDPOINT_URL_SYSTEMVSSCONNECTION"]
TEKTON = ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "KUBERNETES_SERVICE_PORT_HTTPS",
          "KUBERNETES_PORT", "KUBERNETES_PORT_443_TCP", "KUBERNETES_PORT_443_TCP_ADDR", "KUBERNETES_PORT_443_TCP_PORT",
          "KUBERNETES_PORT_443_TCP_PROTO", "TEKTON_RESOURCE_NAME", "TEKTON_PIPELINE_RUN", "TEKTON_TASK_RUN",
          "DOCKER_CONFIG", "SSL_CERT_DIR", "HOSTNAME", "HOME", "PARAM_REVISION", "PARAM_URL",
          "WORKSPACE_OUTPUT_PATH", "WORKSPACE_SOURCE_PATH", "WORKSPACE_BASIC_AUTH_PATH",
          "WORKSPACE_SSH_DIRECTORY_PATH"]

# Settings builds read: these pass (URL credentials removed).
BUILD_SETTINGS = {
    "CC": "gcc", "CXX": "g++", "CFLAGS": "-O2 -g", "CXXFLAGS": "-O2", "LDFLAGS": "-Wl,-O1", "MAKEFLAGS": "-j4",
    "CMAKE_BUILD_PARALLEL_LEVEL": "4", "CMAKE_GENERATOR": "Ninja", "RUSTFLAGS": "-C opt-level=2",
    "CARGO_BUILD_JOBS": "4", "CARGO_PROFILE_RELEASE_LTO": "true", "SOURCE_DATE_EPOCH": "1700000000",
    "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC", "PKG_CONFIG_PATH": "/opt/lib/pkgconfig",
    "MAX_JOBS": "2", "PYTHONHASHSEED": "0", "VIRTUAL_ENV": "/opt/venv", "PATH": "/opt/venv/bin:/usr/bin:/bin",
}


def spec_env(env, *opts):
    tmp = tempfile.mkdtemp(prefix="fmr-spec-env.")
    try:
        r = subprocess.run([FMR_RUN, "spec", *opts, tmp + "/b"], env=env, capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            raise AssertionError(r.stderr)
        with open(tmp + "/b/config.json") as f:
            return dict(e.split("=", 1) for e in json.load(f)["process"]["env"])
    finally:
        shutil.rmtree(tmp)


def ci_environment():
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    for name in GITHUB_ACTIONS + GITLAB_CI + AZURE_PIPELINES + TEKTON:
        env.setdefault(name, f"value-of-{name}")
    env.update(CREDENTIALS)
    return env


class AllowList(unittest.TestCase):

    def test_no_ci_variable_and_no_credential_passes(self):
        got = spec_env(ci_environment(), "--pass-env")
        for name in GITHUB_ACTIONS + GITLAB_CI + AZURE_PIPELINES + TEKTON + list(CREDENTIALS):
            if name in ("HOME", "PATH"):
                continue
            self.assertNotIn(name, got, f"{name} reached the build step")
        self.assertFalse([k for k, v in got.items() if SECRET in v or "value-of-" in v], got)
        self.assertEqual(got["HOME"], "/tmp")  # never the caller's

    def test_build_settings_pass(self):
        env = ci_environment()
        env.update(BUILD_SETTINGS)
        got = spec_env(env, "--pass-env")
        for name, value in BUILD_SETTINGS.items():
            self.assertEqual(got.get(name), value, name)

    def test_without_pass_env_nothing_of_the_caller(self):
        env = dict(BUILD_SETTINGS, **CREDENTIALS)
        got = spec_env(env)
        self.assertNotIn("CFLAGS", got)
        self.assertFalse([v for v in got.values() if SECRET in v])

    def test_url_credentials_removed(self):
        env = {"PATH": "/usr/bin", "https_proxy": f"http://user:{SECRET}@proxy:3128",
               "HTTP_PROXY": f"http://{SECRET}@proxy:3128/",
               "GOPROXY": f"https://u:{SECRET}@goproxy.example.com,direct",
               "CMAKE_PREFIX_PATH": "/opt/x"}
        got = spec_env(env, "--pass-env")
        self.assertEqual(got["https_proxy"], "http://proxy:3128")
        self.assertEqual(got["HTTP_PROXY"], "http://proxy:3128/")
        self.assertEqual(got["GOPROXY"], "https://goproxy.example.com,direct")
        self.assertEqual(got["CMAKE_PREFIX_PATH"], "/opt/x")

    def test_keep_env_passes_unchanged(self):
        env = {"PATH": "/usr/bin", "MY_FEATURE": "on", "PIP_INDEX_URL": f"https://u:{SECRET}@x/simple",
               "OTHER_THING": "x", "PREFIX_A": "1", "PREFIX_B": "2"}
        got = spec_env(env, "--keep-env", "MY_FEATURE,PIP_INDEX_URL", "--keep-env", "PREFIX_*")
        self.assertEqual(got["MY_FEATURE"], "on")
        self.assertEqual(got["PIP_INDEX_URL"], env["PIP_INDEX_URL"])  # kept explicitly: unchanged
        self.assertEqual((got["PREFIX_A"], got["PREFIX_B"]), ("1", "2"))
        self.assertNotIn("OTHER_THING", got)

    def test_delete_and_scrub_always_win(self):
        env = {"PATH": "/usr/bin", "CFLAGS": "-O2", "https_proxy": "http://proxy:3128", "KEPT": "1",
               "CC": "gcc", "FROMAGER_SCRUB_ENV_VARS": "CC, KEPT"}
        got = spec_env(env, "--delete-env", "CFLAGS,https_*", "--keep-env", "KEPT,CFLAGS")
        self.assertNotIn("CFLAGS", got)
        self.assertNotIn("https_proxy", got)
        self.assertNotIn("CC", got)
        self.assertNotIn("KEPT", got)
        self.assertNotIn("FROMAGER_SCRUB_ENV_VARS", got)

    def test_explicit_env_beats_the_caller(self):
        env = {"PATH": "/usr/bin", "CFLAGS": "-O0", "HOME": "/root"}
        got = spec_env(env, "--pass-env", "--env", "CFLAGS=-O3", "--home", "/w/home", "--tmpdir", "/w/tmp")
        self.assertEqual(got["CFLAGS"], "-O3")
        self.assertEqual(got["HOME"], "/w/home")
        self.assertEqual((got["TMPDIR"], got["TMP"], got["TEMP"]), ("/w/tmp",) * 3)

    def test_non_posix_names_dropped(self):
        env = {"PATH": "/usr/bin", "CMAKE_X-Y": "1", "LC_ALL": "C"}
        got = spec_env(env, "--keep-env", "CMAKE_*")
        self.assertNotIn("CMAKE_X-Y", got)
        self.assertEqual(got["LC_ALL"], "C")

    def test_star_only_at_the_end(self):
        r = subprocess.run([FMR_RUN, "spec", "--keep-env", "A*B", "/nonexistent/x"], capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 125)
        self.assertIn("only allowed at the end", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
