/* SPDX-License-Identifier: Apache-2.0 */
/* `spec --pass-env`: which of the caller's environment variables a build
 * step gets.  An allow-list: the variables builds read (compilers, build
 * tools, locale), each value with any URL credentials removed; the
 * caller's keep_env patterns add to it, its delete_env patterns and
 * FROMAGER_SCRUB_ENV_VARS always win. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"
#include "common/util.h"

/* Exact names, or prefixes ending in '*'; compared case-insensitively. */
static const char *const allowed[] = {
  /* running at all, locale, terminal */
  "PATH",
  "LANG",
  "LANGUAGE",
  "LC_*",
  "TZ",
  "TERM",
  "NO_COLOR",
  "FORCE_COLOR",
  "COLUMNS",
  "USER",
  "LOGNAME",
  "SHELL",
  "SOURCE_DATE_EPOCH",
  /* proxies (credentials removed; the step is offline unless --network) */
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  /* C, C++, Fortran toolchains and make */
  "CC",
  "CXX",
  "CPP",
  "FC",
  "F77",
  "F90",
  "LD",
  "AR",
  "AS",
  "NM",
  "RANLIB",
  "STRIP",
  "OBJCOPY",
  "OBJDUMP",
  "READELF",
  "CFLAGS",
  "CXXFLAGS",
  "CPPFLAGS",
  "FFLAGS",
  "FCFLAGS",
  "LDFLAGS",
  "LDSHARED",
  "LIBS",
  "ARFLAGS",
  "CPATH",
  "C_INCLUDE_PATH",
  "CPLUS_INCLUDE_PATH",
  "LIBRARY_PATH",
  "LD_LIBRARY_PATH",
  "MAKEFLAGS",
  "MFLAGS",
  "MAKE",
  "NINJA",
  "NINJAFLAGS",
  "CMAKE_*",
  "MESON*",
  "PKG_CONFIG",
  "PKG_CONFIG_PATH",
  "PKG_CONFIG_LIBDIR",
  "PKG_CONFIG_SYSROOT_DIR",
  "CCACHE_*",
  "DISTCC_HOSTS",
  "MAX_JOBS",
  "NPY_*",
  "OPENBLAS*",
  "BLAS",
  "LAPACK",
  "ARCHFLAGS",
  "MACOSX_DEPLOYMENT_TARGET",
  "JAVA_HOME",
  /* Rust, Go */
  "RUSTFLAGS",
  "RUSTDOCFLAGS",
  "RUSTC",
  "RUSTC_WRAPPER",
  "RUSTUP_HOME",
  "RUSTUP_TOOLCHAIN",
  "CARGO_*",
  "MATURIN_*",
  "PYO3_*",
  "GOTOOLCHAIN",
  "GOPATH",
  "GOCACHE",
  "GOPROXY",
  "GONOSUMDB",
  "GOFLAGS",
  /* GPU toolkits */
  "CUDA_HOME",
  "CUDA_PATH",
  "CUDACXX",
  "NVCC_*",
  "TORCH_CUDA_ARCH_LIST",
  "ROCM_PATH",
  "HIP_PATH",
  /* Python and its build backends */
  "PYTHON*",
  "VIRTUAL_ENV",
  "_PYTHON_HOST_PLATFORM",
  "_PYTHON_SYSCONFIGDATA_NAME",
  "SETUPTOOLS_*",
  "DISTUTILS_*",
  "PIP_NO_BUILD_ISOLATION",
  "PIP_CONSTRAINT",
  "PEP517_*",
  "AUDITWHEEL_*",
  NULL,
};

/* Credentials that allowed prefixes would let through (CARGO_REGISTRIES_X_TOKEN,
 * CARGO_HTTP_..., PYTHON*_PASSWORD), and fmr-run's and fromager's own
 * settings.  Checked after keep_env: an explicitly kept name is the
 * caller's decision. */
static const char *const denied[] = {
  "CARGO_REGISTRIES_*", "CARGO_REGISTRY_*", "CARGO_HTTP_*", "CARGO_NET_GIT_*", "CARGO_CREDENTIAL*", "FMR_*",
  "FROMAGER_*",         "GOPRIVATE",        "GONOPROXY",    "GOAUTH",          "SCCACHE_*",         NULL,
};

/* Substrings that mark a secret anywhere in an allowed name. */
static const char *const secret_words[] = {
  "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE_KEY", "API_KEY", "ACCESS_KEY", "AUTH", NULL,
};

static bool
is_posix_name (const char *name, size_t len)
{
  if (len == 0 || !(isalpha ((unsigned char) name[0]) || name[0] == '_'))
    return false;
  for (size_t i = 1; i < len; i++)
    if (!(isalnum ((unsigned char) name[i]) || name[i] == '_'))
      return false;
  return true;
}

static bool
pattern_matches (const char *pattern, const char *name, size_t len)
{
  size_t n = strlen (pattern);
  if (n > 0 && pattern[n - 1] == '*')
    return len >= n - 1 && strncasecmp (name, pattern, n - 1) == 0;
  return len == n && strncasecmp (name, pattern, n) == 0;
}

static bool
any_matches (const char *const *patterns, size_t n, const char *name, size_t len)
{
  for (size_t i = 0; i < n && patterns[i]; i++)
    if (pattern_matches (patterns[i], name, len))
      return true;
  return false;
}

static size_t
count (const char *const *v)
{
  size_t n = 0;
  while (v[n])
    n++;
  return n;
}

static bool
has_secret_word (const char *name, size_t len)
{
  for (size_t i = 0; secret_words[i]; i++)
    {
      size_t w = strlen (secret_words[i]);
      for (size_t k = 0; k + w <= len; k++)
        if (strncasecmp (name + k, secret_words[i], w) == 0)
          return true;
    }
  return false;
}

/* FROMAGER_SCRUB_ENV_VARS: comma-separated exact names. */
static bool
scrubbed (const char *scrub, const char *name, size_t len)
{
  if (scrub == NULL)
    return false;
  for (const char *p = scrub; *p;)
    {
      p += strspn (p, ", \t");
      size_t n = strcspn (p, ",");
      size_t t = n;
      while (t > 0 && (p[t - 1] == ' ' || p[t - 1] == '\t'))
        t--;
      if (t == len && strncasecmp (p, name, len) == 0)
        return true;
      p += n;
    }
  return false;
}

enum spec_env_verdict
spec_env_decide (const struct spec_options *o, const char *scrub, const char *name, size_t len)
{
  if (!is_posix_name (name, len))
    return SPEC_ENV_DROP;
  if (scrubbed (scrub, name, len))
    return SPEC_ENV_DROP;
  if (any_matches ((const char *const *) o->delete_env, o->n_delete_env, name, len))
    return SPEC_ENV_DROP;
  if (any_matches ((const char *const *) o->keep_env, o->n_keep_env, name, len))
    return SPEC_ENV_KEEP;
  if (any_matches (denied, count (denied), name, len) || has_secret_word (name, len))
    return SPEC_ENV_DROP;
  if (any_matches (allowed, count (allowed), name, len))
    return SPEC_ENV_KEEP_CLEANED;
  return SPEC_ENV_DROP;
}

/* "scheme://user:password@host" -> "scheme://host", for every URL in
 * VALUE (lists separated by spaces, commas or semicolons included). */
char *
spec_env_strip_credentials (const char *value)
{
  size_t n = strlen (value);
  char *out = xmalloc (n + 1);
  size_t o = 0;
  for (size_t i = 0; i < n;)
    {
      if (value[i] == ':' && i + 2 < n && value[i + 1] == '/' && value[i + 2] == '/')
        {
          memcpy (out + o, "://", 3);
          o += 3;
          i += 3;
          size_t auth = strcspn (value + i, "/?#@ \t,;");
          if (value[i + auth] == '@')
            i += auth + 1; /* userinfo dropped */
          continue;
        }
      out[o++] = value[i++];
    }
  out[o] = '\0';
  return out;
}

void
spec_env_pass (struct spec_options *o, char **environ_, const char *const *explicit_names, size_t n_explicit)
{
  const char *scrub = NULL;
  for (char **e = environ_; *e; e++)
    if (strncmp (*e, "FROMAGER_SCRUB_ENV_VARS=", 24) == 0)
      scrub = *e + 24;
  for (char **e = environ_; *e; e++)
    {
      const char *eq = strchr (*e, '=');
      if (eq == NULL)
        continue;
      size_t len = (size_t) (eq - *e);
      bool given = false;
      for (size_t i = 0; i < n_explicit && !given; i++)
        given = strlen (explicit_names[i]) == len && strncmp (explicit_names[i], *e, len) == 0;
      if (given)
        continue;
      enum spec_env_verdict v = spec_env_decide (o, scrub, *e, len);
      if (v == SPEC_ENV_DROP)
        continue;
      if (v == SPEC_ENV_KEEP)
        {
          spec_env_set (o, *e);
          continue;
        }
      cleanup_free char *clean = spec_env_strip_credentials (eq + 1);
      cleanup_free char *nv = xasprintf ("%.*s=%s", (int) len, *e, clean);
      spec_env_set (o, nv);
    }
}

/* "A,B*, C" appended to *LIST. */
int
spec_env_add_patterns (char ***list, size_t *n, const char *arg, const char *opt, fmr_error_t *err)
{
  cleanup_free char *copy = xstrdup (arg);
  char *save = NULL;
  for (char *p = strtok_r (copy, ",", &save); p; p = strtok_r (NULL, ",", &save))
    {
      p += strspn (p, " \t");
      size_t t = strlen (p);
      while (t > 0 && (p[t - 1] == ' ' || p[t - 1] == '\t'))
        p[--t] = '\0';
      if (t == 0)
        continue;
      char *star = strchr (p, '*');
      if (star && star[1] != '\0')
        return fmr_error_set (err, 0, "%s `%s`: '*' is only allowed at the end", opt, p);
      *list = xreallocarray (*list, *n + 1, sizeof **list);
      (*list)[(*n)++] = xstrdup (p);
    }
  return 0;
}
