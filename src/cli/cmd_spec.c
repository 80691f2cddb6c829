/* SPDX-License-Identifier: Apache-2.0 */
/* `fmr-run spec [OPTIONS] [DIR]`: write a ready bundle (config.json and
 * rootfs/) for one wheel build step.  Options are checked completely
 * before anything is created. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "spec/spec.h"
#include "common/util.h"

static void
usage (FILE *out)
{
  fprintf (out, "Usage: fmr-run spec [OPTIONS] [DIR] [-- COMMAND [ARGS...]]\n\n"
                "Write a bundle for one wheel build step into DIR (default: the current\n"
                "directory): config.json describing the recommended sandbox, and rootfs/\n"
                "holding the host's usr-merge links.  COMMAND defaults to /bin/sh.\n\n"
                "Options:\n"
                "  --rw PATH          bind PATH read-write at the same path inside\n"
                "  --ro PATH          bind PATH read-only at the same path inside\n"
                "  --env NAME         copy NAME from the caller's environment\n"
                "  --env NAME=VALUE   set NAME to VALUE\n"
                "  --pass-env         pass the caller's environment through the build\n"
                "                     filter (an allow-list: compilers' and build tools'\n"
                "                     settings, locale; URL credentials removed)\n"
                "  --keep-env PATTERNS  also pass these names unchanged (NAME or PREFIX*,\n"
                "                     comma-separated; implies --pass-env)\n"
                "  --delete-env PATTERNS  never pass these (beats everything; implies\n"
                "                     --pass-env); so do the names in FROMAGER_SCRUB_ENV_VARS\n"
                "  --home DIR         HOME inside (default /tmp)\n"
                "  --tmpdir DIR       TMPDIR, TMP and TEMP inside\n"
                "  --python PATH      the interpreter the step runs: its venv and its\n"
                "                     base installation bound read-only\n"
                "  --tmpfs DIR        a private, empty, writable directory at DIR\n"
                "  --uid N, --gid N   the step's user and group (default: the caller's)\n"
                "  --hostname NAME    the sandbox's host name (default localhost)\n"
                "  --cwd DIR          working directory inside (default /)\n"
                "  --network          share the host's network (for installing build\n"
                "                     dependencies); otherwise there is none\n"
                "  --timeout SECONDS  stop the process after SECONDS (annotation\n"
                "                     run.fmr.timeout)\n"
                "  --proc MODE        /proc inside: fresh (a new proc of the sandbox), bind\n"
                "                     (the outer /proc read-only, where a container masks\n"
                "                     /proc and a fresh one is refused), none, or auto\n"
                "                     (default: fresh when this host allows it, else bind)\n"
                "  --build-uid UID[:GID]  for a root caller: the unprivileged host ids\n"
                "                     the step runs as (default: the caller's first id in\n"
                "                     /etc/subuid and /etc/subgid, else 2147000000)\n"
                "  --force            overwrite an existing DIR/config.json\n"
                "  -h, --help         show this help\n\n"
                "Exit status: 0 on success, 125 on error.\n");
}

static void
spec_fail (fmr_error_t *err)
{
  fmr_error_prefix (err, "spec");
  fmr_error_print (*err);
}

void
spec_env_set (struct spec_options *o, const char *name_value)
{
  size_t name_len = strcspn (name_value, "=");
  for (size_t i = 0; i < o->n_env; i++)
    if (strncmp (o->env[i], name_value, name_len + 1) == 0)
      {
        free (o->env[i]);
        o->env[i] = xstrdup (name_value);
        return;
      }
  o->env = xreallocarray (o->env, o->n_env + 1, sizeof *o->env);
  o->env[o->n_env++] = xstrdup (name_value);
}

void
spec_options_release (struct spec_options *o)
{
  for (size_t i = 0; i < o->n_binds; i++)
    free (o->binds[i].path);
  free (o->binds);
  for (size_t i = 0; i < o->n_env; i++)
    free (o->env[i]);
  free (o->env);
  free (o->cwd);
  spec_notes_release (o);
  for (size_t i = 0; i < o->n_keep_env; i++)
    free (o->keep_env[i]);
  free (o->keep_env);
  for (size_t i = 0; i < o->n_delete_env; i++)
    free (o->delete_env[i]);
  free (o->delete_env);
  for (size_t i = 0; i < o->n_tmpfs; i++)
    free (o->tmpfs[i]);
  free (o->tmpfs);
  free (o->hostname);
  free (o->build_note);
  free (o->owners_note);
  memset (o, 0, sizeof *o);
}

static void
default_env (struct spec_options *o)
{
  spec_env_set (o, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  spec_env_set (o, "HOME=/tmp");
  spec_env_set (o, "TMPDIR=/tmp");
  const char *lang = getenv ("LANG");
  cleanup_free char *l = xasprintf ("LANG=%s", lang && *lang ? lang : "C.UTF-8");
  spec_env_set (o, l);
  const char *term = getenv ("TERM");
  if (term)
    {
      cleanup_free char *t = xasprintf ("TERM=%s", term);
      spec_env_set (o, t);
    }
}

static int
add_env_option (struct spec_options *o, const char *arg, fmr_error_t *err)
{
  size_t name_len = strcspn (arg, "=");
  if (name_len == 0)
    return fmr_error_set (err, 0, "--env `%s`: empty variable name", arg);
  if (arg[name_len] == '=')
    {
      spec_env_set (o, arg);
      return 0;
    }
  const char *value = getenv (arg);
  if (value == NULL)
    return fmr_error_set (err, 0, "--env %s: the variable is not set (use --env %s=VALUE)", arg, arg);
  cleanup_free char *nv = xasprintf ("%s=%s", arg, value);
  spec_env_set (o, nv);
  return 0;
}

/* The path inside is the host path, so it is made absolute and resolved
 * (no `..`, no symlinks left for the runtime to follow differently). */
static int
add_bind_option (struct spec_options *o, const char *opt, const char *arg, bool writable, fmr_error_t *err)
{
  char resolved[PATH_MAX];
  if (realpath (arg, resolved) == NULL)
    return fmr_error_set (err, errno, "%s `%s`", opt, arg);
  if (strcmp (resolved, "/") == 0)
    return fmr_error_set (err, 0, "%s `%s`: binding the whole host root is not allowed", opt, arg);
  o->binds = xreallocarray (o->binds, o->n_binds + 1, sizeof *o->binds);
  o->binds[o->n_binds++] = (struct spec_bind){ xstrdup (resolved), writable };
  return 0;
}

static int
set_cwd_option (struct spec_options *o, const char *arg, fmr_error_t *err)
{
  free (o->cwd);
  o->cwd = NULL;
  if (arg[0] == '/')
    {
      o->cwd = xstrdup (arg);
      return 0;
    }
  /* A relative DIR names a host directory that a bind makes visible at
   * the same path. */
  char resolved[PATH_MAX];
  if (realpath (arg, resolved) == NULL)
    return fmr_error_set (err, errno, "--cwd `%s`", arg);
  o->cwd = xstrdup (resolved);
  return 0;
}

static int
check_timeout (const char *arg, fmr_error_t *err)
{
  double v;
  if (!parse_seconds (arg, &v))
    return fmr_error_set (err, 0, "--timeout `%s`: not a positive number of seconds", arg);
  return 0;
}

/* UID or UID:GID (GID defaults to UID). */
static int
parse_build_uid (struct spec_options *o, const char *arg, fmr_error_t *err)
{
  char *end;
  errno = 0;
  unsigned long u = strtoul (arg, &end, 10), g = u;
  if (end != arg && *end == ':')
    {
      const char *gs = end + 1;
      g = strtoul (gs, &end, 10);
      if (end == gs)
        end = (char *) gs - 1;
    }
  if (errno || end == arg || *end != '\0' || !isdigit ((unsigned char) arg[0]) || u > UINT32_MAX - 1
      || g > UINT32_MAX - 1)
    return fmr_error_set (err, 0, "--build-uid `%s`: not UID or UID:GID", arg);
  o->build_uid_given = true;
  o->build_uid = (uid_t) u;
  o->build_gid = (gid_t) g;
  return 0;
}

enum
{
  OPT_RW = 256,
  OPT_RO,
  OPT_ENV,
  OPT_CWD,
  OPT_NETWORK,
  OPT_TIMEOUT,
  OPT_FORCE,
  OPT_PROC,
  OPT_PASS_ENV,
  OPT_KEEP_ENV,
  OPT_DELETE_ENV,
  OPT_HOME,
  OPT_TMPDIR,
  OPT_PYTHON,
  OPT_TMPFS,
  OPT_UID,
  OPT_GID,
  OPT_HOSTNAME,
  OPT_BUILD_UID,
};

static const struct option long_options[] = {
  { "rw", required_argument, NULL, OPT_RW },
  { "ro", required_argument, NULL, OPT_RO },
  { "env", required_argument, NULL, OPT_ENV },
  { "cwd", required_argument, NULL, OPT_CWD },
  { "network", no_argument, NULL, OPT_NETWORK },
  { "timeout", required_argument, NULL, OPT_TIMEOUT },
  { "force", no_argument, NULL, OPT_FORCE },
  { "proc", required_argument, NULL, OPT_PROC },
  { "pass-env", no_argument, NULL, OPT_PASS_ENV },
  { "keep-env", required_argument, NULL, OPT_KEEP_ENV },
  { "delete-env", required_argument, NULL, OPT_DELETE_ENV },
  { "home", required_argument, NULL, OPT_HOME },
  { "tmpdir", required_argument, NULL, OPT_TMPDIR },
  { "python", required_argument, NULL, OPT_PYTHON },
  { "tmpfs", required_argument, NULL, OPT_TMPFS },
  { "uid", required_argument, NULL, OPT_UID },
  { "gid", required_argument, NULL, OPT_GID },
  { "hostname", required_argument, NULL, OPT_HOSTNAME },
  { "build-uid", required_argument, NULL, OPT_BUILD_UID },
  { "help", no_argument, NULL, 'h' },
  { NULL, 0, NULL, 0 },
};

struct spec_cli
{
  struct spec_options o;
  const char *dir;
  bool force;
  bool help;
  bool pass_env;
  char **explicit; /* names set by --env, --home, --tmpdir: the filter never replaces them */
  size_t n_explicit;
};

static void
note_explicit (struct spec_cli *c, const char *name_value)
{
  c->explicit = xreallocarray (c->explicit, c->n_explicit + 1, sizeof *c->explicit);
  c->explicit[c->n_explicit++] = xstrndup (name_value, strcspn (name_value, "="));
}

static int
set_explicit (struct spec_cli *c, const char *name, const char *value)
{
  cleanup_free char *nv = xasprintf ("%s=%s", name, value);
  spec_env_set (&c->o, nv);
  note_explicit (c, nv);
  return 0;
}

static int
absolute_dir_option (const char *opt, const char *arg, fmr_error_t *err)
{
  if (arg[0] != '/')
    return fmr_error_set (err, 0, "%s `%s`: not an absolute path", opt, arg);
  return 0;
}

static int
id_option (const char *opt, const char *arg, unsigned *out, fmr_error_t *err)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul (arg, &end, 10);
  if (errno || end == arg || *end || arg[0] == '-' || v >= 0xffffffffUL)
    return fmr_error_set (err, 0, "%s `%s`: not a user or group number", opt, arg);
  *out = (unsigned) v;
  return 0;
}

static int
add_tmpfs_option (struct spec_options *o, const char *arg, fmr_error_t *err)
{
  if (arg[0] != '/' || strcmp (arg, "/") == 0)
    return fmr_error_set (err, 0, "--tmpfs `%s`: not an absolute path below `/`", arg);
  o->tmpfs = xreallocarray (o->tmpfs, o->n_tmpfs + 1, sizeof *o->tmpfs);
  o->tmpfs[o->n_tmpfs++] = xstrdup (arg);
  return 0;
}

static char *const default_args[] = { "/bin/sh", NULL };

/* Everything after the first `--` is the command, so it is cut off before
 * getopt sees argv: options of the command are never taken for ours.
 * --env options are applied after the defaults so that they can replace
 * PATH, HOME or LANG. */
static int
parse_options (int argc, char **argv, struct spec_cli *c, fmr_error_t *err)
{
  default_env (&c->o);
  int nopts = 1;
  while (nopts < argc && strcmp (argv[nopts], "--") != 0)
    nopts++;
  if (nopts < argc && nopts + 1 < argc)
    c->o.args = argv + nopts + 1;
  else
    c->o.args = default_args;
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long (nopts, argv, ":h", long_options, NULL)) != -1)
    {
      int r = 0;
      switch (ch)
        {
        case OPT_RW: r = add_bind_option (&c->o, "--rw", optarg, true, err); break;
        case OPT_RO: r = add_bind_option (&c->o, "--ro", optarg, false, err); break;
        case OPT_ENV:
          r = add_env_option (&c->o, optarg, err);
          if (r == 0)
            note_explicit (c, optarg);
          break;
        case OPT_PASS_ENV: c->pass_env = true; break;
        case OPT_KEEP_ENV:
          c->pass_env = true;
          r = spec_env_add_patterns (&c->o.keep_env, &c->o.n_keep_env, optarg, "--keep-env", err);
          break;
        case OPT_DELETE_ENV:
          c->pass_env = true;
          r = spec_env_add_patterns (&c->o.delete_env, &c->o.n_delete_env, optarg, "--delete-env", err);
          break;
        case OPT_HOME: r = absolute_dir_option ("--home", optarg, err) ?: set_explicit (c, "HOME", optarg); break;
        case OPT_TMPDIR:
          r = absolute_dir_option ("--tmpdir", optarg, err);
          if (r == 0)
            r = set_explicit (c, "TMPDIR", optarg) ?: set_explicit (c, "TMP", optarg) ?: set_explicit (c, "TEMP", optarg);
          break;
        case OPT_PYTHON: r = spec_add_python (&c->o, optarg, err); break;
        case OPT_TMPFS: r = add_tmpfs_option (&c->o, optarg, err); break;
        case OPT_UID:
          r = id_option ("--uid", optarg, (unsigned *) &c->o.uid, err);
          c->o.ids_given = true;
          break;
        case OPT_GID:
          r = id_option ("--gid", optarg, (unsigned *) &c->o.gid, err);
          c->o.ids_given = true;
          break;
        case OPT_HOSTNAME:
          free (c->o.hostname);
          c->o.hostname = xstrdup (optarg);
          break;
        case OPT_CWD: r = set_cwd_option (&c->o, optarg, err); break;
        case OPT_NETWORK: c->o.network = true; break;
        case OPT_TIMEOUT:
          r = check_timeout (optarg, err);
          c->o.timeout = optarg;
          break;
        case OPT_FORCE: c->force = true; break;
        case OPT_PROC: r = spec_proc_parse (&c->o, optarg, err); break;
        case OPT_BUILD_UID: r = parse_build_uid (&c->o, optarg, err); break;
        case 'h': c->help = true; return 0;
        case ':': return fmr_error_set (err, 0, "option `%s` needs an argument", argv[optind - 1]);
        default: return fmr_error_set (err, 0, "unknown option `%s`; see `fmr-run spec --help`", argv[optind - 1]);
        }
      if (r < 0)
        return -1;
    }
  if (optind < nopts)
    c->dir = argv[optind++];
  if (optind < nopts)
    return fmr_error_set (err, 0, "unexpected argument `%s` (put the command after `--`)", argv[optind]);
  if (c->dir == NULL)
    c->dir = ".";
  if (c->o.cwd == NULL)
    c->o.cwd = xstrdup ("/");
  if (c->pass_env)
    spec_env_pass (&c->o, environ, (const char *const *) c->explicit, c->n_explicit);
  /* Offline: cargo must not try the network and wait for it. */
  bool offline_given = false;
  for (size_t i = 0; i < c->n_explicit; i++)
    offline_given |= strcmp (c->explicit[i], "CARGO_NET_OFFLINE") == 0;
  if (!c->o.network && !offline_given)
    spec_env_set (&c->o, "CARGO_NET_OFFLINE=true");
  if (spec_check_binds (&c->o, err) < 0)
    return -1;
  return spec_ids_choose (&c->o, err);
}

/* mkdir -p: a builder may name a bundle directory several levels deep. */
static int
make_dirs (const char *dir, fmr_error_t *err)
{
  cleanup_free char *p = xstrdup (dir);
  for (char *slash = strchr (p + 1, '/');; slash = strchr (slash + 1, '/'))
    {
      if (slash)
        *slash = '\0';
      if (mkdir (p, 0755) < 0 && errno != EEXIST)
        return fmr_error_set (err, errno, "mkdir `%s`", p);
      if (slash == NULL)
        return 0;
      *slash = '/';
    }
}

static int
write_config (const char *dir, const char *buf, size_t len, bool force, fmr_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/config.json", dir);
  if (force)
    return write_file (path, buf, len, err);
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 && errno == EEXIST)
    return fmr_error_set (err, 0, "`%s` exists; use --force to overwrite it", path);
  if (fd < 0)
    return fmr_error_set (err, errno, "open `%s`", path);
  if (write_all (fd, buf, len) < 0)
    return fmr_error_set (err, errno, "write `%s`", path);
  return 0;
}

static int
write_bundle (struct spec_cli *c, fmr_error_t *err)
{
  if (spec_check_bundle_dir (&c->o, c->dir, err) < 0)
    return -1;
  spec_environment_decide (&c->o);
  struct spec_host h;
  if (spec_host_probe (&h, c->o.network, err) < 0)
    return -1;
  cleanup_free char *json = NULL;
  size_t len = 0;
  /* The only change spec makes outside DIR, and only for a caller that
   * may chown: the step's own writable trees. */
  int r = c->o.privileged ? spec_owners_normalise (&c->o, err) : 0;
  if (r == 0)
    r = spec_config_generate (&c->o, &h, &json, &len, err);
  if (r == 0)
    r = make_dirs (c->dir, err);
  if (r == 0)
    r = write_config (c->dir, json, len, c->force, err);
  if (r == 0)
    r = spec_rootfs_write (c->dir, &h, err);
  if (r == 0 && c->o.host_uid != c->o.uid)
    r = spec_rootfs_mount_points (c->dir, &c->o, &h, err);
  spec_host_release (&h);
  return r;
}

int
cmd_spec (int argc, char **argv)
{
  cleanup_error fmr_error_t err = NULL;
  struct spec_cli c = { 0 };
  int r = parse_options (argc, argv, &c, &err);
  if (r == 0 && c.help)
    usage (stdout);
  else if (r == 0)
    r = write_bundle (&c, &err);
  spec_options_release (&c.o);
  for (size_t i = 0; i < c.n_explicit; i++)
    free (c.explicit[i]);
  free (c.explicit);
  if (r < 0)
    {
      spec_fail (&err);
      return FMR_EXIT_FAILURE;
    }
  return 0;
}
