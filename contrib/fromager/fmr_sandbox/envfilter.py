# SPDX-License-Identifier: Apache-2.0
"""Which of the caller's environment variables a build step may see.

The rules follow fromager's filter-env proposal (docs/proposals/filter-env.md),
which copies sudo's env_keep / env_delete:

1. a name that is not a POSIX identifier ([A-Za-z_][A-Za-z0-9_]*) is removed
   (shells and exec'd programs treat such entries inconsistently);
2. a name in FROMAGER_SCRUB_ENV_VARS (comma-separated names) is removed:
   the operator named it explicitly, so it beats every keep rule;
3. a name in the always-keep set is kept;
4. a name matching a keep_env pattern is kept;
5. a name matching a delete_env pattern, or this module's list of well-known
   credential variables (DEFAULT_DELETE, DEFAULT_DELETE_SUFFIXES), is removed;
6. anything else is kept.

Patterns are exact names or prefixes ending in one '*'; a bare '*' is only
allowed in delete_env (delete everything not kept).  Every comparison is
case-insensitive.
"""

import re
from typing import Iterable, Mapping, Optional, Sequence, Tuple

SCRUB_VARIABLE = "FROMAGER_SCRUB_ENV_VARS"

# Variables a process needs to run at all, and proxy settings (the
# proposal's always-keep set, verbatim).
ALWAYS_KEEP = (
    "HOME", "HOSTNAME", "LANG", "LANGUAGE", "LC_*", "LOGNAME", "NO_COLOR",
    "PATH", "SHELL", "USER", "http_proxy", "https_proxy", "no_proxy",
)

# Well-known credentials.  Index URLs are here on purpose: PIP_INDEX_URL and
# friends routinely carry "https://user:token@host/simple", a build step runs
# offline and has no use for them, and the step that installs build
# dependencies runs outside this filter (or keeps them with keep_env).
DEFAULT_DELETE = (
    # forges and CI systems
    "GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN",
    "ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_*", "GITLAB_PRIVATE_TOKEN",
    "GITLAB_TOKEN", "CI_JOB_TOKEN", "CI_JOB_JWT*", "CI_REGISTRY_PASSWORD",
    "CI_DEPLOY_PASSWORD", "CI_DEPLOY_USER", "BUILDKITE_AGENT_ACCESS_TOKEN",
    "CODECOV_TOKEN", "SENTRY_AUTH_TOKEN",
    # package indexes and registries
    "TWINE_PASSWORD", "TWINE_USERNAME", "PYPI_TOKEN", "PYPI_API_TOKEN",
    "UV_PUBLISH_*", "UV_INDEX_*", "UV_DEFAULT_INDEX", "UV_EXTRA_INDEX_URL",
    "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CLIENT_CERT",
    "NPM_TOKEN", "NODE_AUTH_TOKEN", "CARGO_REGISTRY_TOKEN", "CARGO_REGISTRIES_*",
    "DOCKER_AUTH_CONFIG", "REGISTRY_AUTH_FILE", "NGC_API_KEY", "NGC_CLI_API_KEY",
    "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN",
    # clouds and secret stores
    "AWS_*", "AZURE_*", "ARM_CLIENT_SECRET", "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_OAUTH_ACCESS_TOKEN", "CLOUDSDK_*", "VAULT_TOKEN", "KUBECONFIG",
    "OPENAI_API_KEY", "ANTHROPIC_API_KEY",
    # agents and session buses: sockets to the caller's keys and desktop
    "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO", "DBUS_SESSION_BUS_ADDRESS",
    "NETRC",
)

# Names ending like this are treated as secrets too (CARGO_REGISTRIES_X_TOKEN,
# MY_SERVICE_PASSWORD, ...).  keep_env still wins over them.
DEFAULT_DELETE_SUFFIXES = (
    "_TOKEN", "_SECRET", "_SECRET_KEY", "_PASSWORD", "_PASSWD", "_API_KEY",
    "_ACCESS_KEY", "_CREDENTIALS", "_AUTH",
)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def is_posix_name(name: str) -> bool:
    return bool(_IDENTIFIER.match(name))


class Pattern:
    """One keep_env / delete_env entry: an exact name or a 'PREFIX*'."""

    __slots__ = ("text", "_key", "_prefix")

    def __init__(self, text: str, *, allow_catch_all: bool):
        if not text or "*" in text[:-1]:
            raise ValueError("environment pattern %r: '*' is only allowed at the end" % text)
        if text == "*" and not allow_catch_all:
            raise ValueError("environment pattern '*' is only allowed in delete_env")
        self.text = text
        self._prefix = text.endswith("*")
        self._key = (text[:-1] if self._prefix else text).upper()

    def matches(self, name: str) -> bool:
        upper = name.upper()
        return upper.startswith(self._key) if self._prefix else upper == self._key

    def __repr__(self) -> str:
        return "Pattern(%r)" % self.text


def _patterns(texts: Iterable[str], *, allow_catch_all: bool) -> Tuple[Pattern, ...]:
    return tuple(Pattern(t, allow_catch_all=allow_catch_all) for t in texts)


def split_names(value: Optional[str]) -> Tuple[str, ...]:
    """'A, B,,C' -> ('A', 'B', 'C'): the comma-separated form of the settings."""
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


class EnvFilter:
    """Decides, name by name, what a build step sees of an environment."""

    def __init__(
        self,
        keep_env: Sequence[str] = (),
        delete_env: Sequence[str] = (),
        scrub: Sequence[str] = (),
        use_defaults: bool = True,
    ):
        self.always_keep = _patterns(ALWAYS_KEEP, allow_catch_all=False)
        self.keep = _patterns(keep_env, allow_catch_all=False)
        self.delete = _patterns(delete_env, allow_catch_all=True)
        if use_defaults:
            self.delete += _patterns(DEFAULT_DELETE, allow_catch_all=False)
        self.suffixes = tuple(s.upper() for s in DEFAULT_DELETE_SUFFIXES) if use_defaults else ()
        self.scrub = frozenset(name.upper() for name in scrub)

    @classmethod
    def from_environ(
        cls,
        environ: Mapping[str, str],
        keep_env: Sequence[str] = (),
        delete_env: Sequence[str] = (),
        use_defaults: bool = True,
    ) -> "EnvFilter":
        """A filter that also honours FROMAGER_SCRUB_ENV_VARS from ENVIRON."""
        return cls(keep_env, delete_env, split_names(environ.get(SCRUB_VARIABLE)), use_defaults)

    def decide(self, name: str) -> Tuple[bool, str]:
        """(keep?, why) for one variable name."""
        if not is_posix_name(name):
            return False, "not a POSIX name"
        if name.upper() in self.scrub:
            return False, SCRUB_VARIABLE
        for group, why in ((self.always_keep, "always kept"), (self.keep, "keep_env")):
            for p in group:
                if p.matches(name):
                    return True, "%s %s" % (why, p.text)
        for p in self.delete:
            if p.matches(name):
                return False, "delete_env %s" % p.text
        upper = name.upper()
        for suffix in self.suffixes:
            if upper.endswith(suffix):
                return False, "credential suffix *%s" % suffix
        return True, "passthrough"

    def keeps(self, name: str) -> bool:
        return self.decide(name)[0]

    def apply(self, environ: Mapping[str, str]) -> "dict[str, str]":
        """The kept part of ENVIRON, in its order."""
        return {k: v for k, v in environ.items() if self.keeps(k)}


def filter_env(
    environ: Mapping[str, str],
    keep_env: Sequence[str] = (),
    delete_env: Sequence[str] = (),
) -> "dict[str, str]":
    """ENVIRON filtered with the defaults plus its own FROMAGER_SCRUB_ENV_VARS."""
    return EnvFilter.from_environ(environ, keep_env, delete_env).apply(environ)
