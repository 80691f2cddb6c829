/* SPDX-License-Identifier: Apache-2.0 */
/* fmr-run run [OPTIONS] BUNDLE */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "bundle/config_load.h"
#include "sandbox/sandbox.h"
#include "common/util.h"

/* How long the final message waits for room on stderr. */
#define STDERR_WAIT_MS 1000

static void
run_usage (FILE *out)
{
  fprintf (out, "Usage: fmr-run run [OPTIONS] [BUNDLE]\n"
                "       fmr-run run --shell [OPTIONS] [BUNDLE] [-- COMMAND [ARG]...]\n\n"
                "Build the sandbox BUNDLE/config.json describes, run its process in it,\n"
                "wait, and exit with the process's status. BUNDLE defaults to \".\".\n\n"
                "Options:\n"
                "  --debug               print each step with the microseconds it took\n"
                "  --timeout SECONDS     stop the process after SECONDS (exit status 124)\n"
                "  --kill-after SECONDS  after a timeout's SIGTERM, SIGKILL the sandbox (default 10)\n"
                "  --preserve-fds N      hand descriptors 3..3+N-1 to the process (LISTEN_FDS=N)\n"
                "  --stats FILE          write wall time, CPU, peak memory and status as JSON\n"
                "  --raw-output          pass the process's output to a terminal as it is; by\n"
                "                        default escape sequences that read or write more than\n"
                "                        the screen (clipboard, queries the terminal answers\n"
                "                        by typing) are dropped, colours and cursor moves kept\n"
                "  -h, --help            show this help\n\n"
                "Debugging a step (the bundle's file is not changed):\n"
                "  --shell               run an interactive shell (process.env SHELL, else\n"
                "                        /bin/sh) with a terminal instead of process.args, in\n"
                "                        the same sandbox and cwd; after `--`, run COMMAND\n"
                "                        instead; run.fmr.timeout does not apply\n"
                "  --env NAME=VALUE      set NAME in process.env\n"
                "  --rw PATH             bind host PATH read-write at PATH (SOURCE:DEST binds\n"
                "                        SOURCE at DEST); a bind already there becomes read-write\n"
                "  --ro PATH             the same, read-only\n"
                "                        --env, --rw and --ro print the change as a diff of\n"
                "                        config.json on stderr, to be made permanent there\n"
                "  --seccomp-log         have the kernel log each call the seccomp filter refuses\n"
                "                        (the audit log, or the kernel log without auditd) and,\n"
                "                        when this user can read /dev/kmsg, list them after the\n"
                "                        run; --debug does the same\n\n"
                "Exit status: the process's own; 128+N when it died of signal N; 124 on\n"
                "timeout; 125 when fmr-run failed; 126 when process.args[0] cannot be\n"
                "executed; 127 when it is not found.\n");
}

static int
seconds_option (const char *opt, const char *s, double *out)
{
  if (parse_seconds (s, out))
    return 0;
  fprintf (stderr, "fmr-run: run: %s: `%s` is not a positive number of seconds\n", opt, s);
  return -1;
}

/* --rw/--ro SOURCE:DEST (SOURCE must exist), or PATH: the bundle's bind at
 * PATH if it has one (source left NULL), else host PATH at the same path. */
static int
bind_option (const char *opt, const char *arg, bool writable, struct bundle_overrides *o)
{
  const char *colon = strchr (arg, ':');
  cleanup_free char *src = colon ? xstrndup (arg, (size_t) (colon - arg)) : xstrdup (arg);
  const char *dest = colon ? colon + 1 : NULL;
  char *abs = realpath (src, NULL);
  if (abs == NULL && (colon || src[0] != '/'))
    {
      fprintf (stderr, "fmr-run: run: %s: `%s`: %s\n", opt, src, strerror (errno));
      return -1;
    }
  if (dest && dest[0] != '/')
    {
      fprintf (stderr, "fmr-run: run: %s: `%s`: the destination must be an absolute path\n", opt, dest);
      free (abs);
      return -1;
    }
  o->binds = xreallocarray (o->binds, o->n_binds + 1, sizeof *o->binds);
  o->binds[o->n_binds++] = (struct bundle_bind){ abs,
                                                 xstrdup (dest            ? dest
                                                          : src[0] == '/' ? src
                                                                          : abs),
                                                 writable, colon == NULL };
  return 0;
}

/* The options for debugging a step, numbered apart from the others. */
enum
{
  OPT_SHELL = 512,
  OPT_ENV,
  OPT_RW,
  OPT_RO,
  OPT_SECCOMP_LOG
};

/* The options for debugging a step: 1 when c was one of them, -1 on a
 * bad argument, 0 when c is not one. */
static int
debug_option (int c, const char *arg, struct run_options *opts)
{
  struct bundle_overrides *o = &opts->overrides;
  switch (c)
    {
    case OPT_SHELL: o->shell = true; return 1;
    case OPT_ENV:
      if (arg[0] == '=' || strchr (arg, '=') == NULL)
        {
          fprintf (stderr, "fmr-run: run: --env: `%s` is not NAME=VALUE\n", arg);
          return -1;
        }
      o->env = xreallocarray (o->env, o->n_env + 1, sizeof *o->env);
      o->env[o->n_env++] = arg;
      return 1;
    case OPT_RW: return bind_option ("--rw", arg, true, o) < 0 ? -1 : 1;
    case OPT_RO: return bind_option ("--ro", arg, false, o) < 0 ? -1 : 1;
    case OPT_SECCOMP_LOG: opts->seccomp_log = true; return 1;
    }
  return 0;
}

/* Fills opts and *bundle from argv; returns -1 with a message on bad
 * usage, 1 when --help was printed, 0 to go on. */
int run_parse_options (int argc, char **argv, struct run_options *opts, const char **bundle);

int
run_parse_options (int argc, char **argv, struct run_options *opts, const char **bundle)
{
  enum
  {
    OPT_DEBUG = 256,
    OPT_TIMEOUT,
    OPT_KILL_AFTER,
    OPT_PRESERVE_FDS,
    OPT_STATS,
    OPT_RAW_OUTPUT
  };
  static const struct option longopts[] = {
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "kill-after", required_argument, NULL, OPT_KILL_AFTER },
    { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
    { "stats", required_argument, NULL, OPT_STATS },
    { "raw-output", no_argument, NULL, OPT_RAW_OUTPUT },
    /* Debugging a step: debug_option. */
    { "shell", no_argument, NULL, OPT_SHELL },
    { "env", required_argument, NULL, OPT_ENV },
    { "rw", required_argument, NULL, OPT_RW },
    { "ro", required_argument, NULL, OPT_RO },
    { "seccomp-log", no_argument, NULL, OPT_SECCOMP_LOG },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  memset (opts, 0, sizeof *opts);
  opts->kill_after_sec = -1;
  /* --shell [BUNDLE] -- COMMAND [ARG]...: what follows `--` is the command. */
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--") == 0)
      {
        opts->overrides.args = (const char *const *) argv + i + 1;
        argc = i;
        break;
      }
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long (argc, argv, "+h", longopts, NULL)) != -1)
    switch (c)
      {
      case OPT_DEBUG: opts->debug = true; break;
      case OPT_TIMEOUT:
        if (seconds_option ("--timeout", optarg, &opts->timeout_sec) < 0)
          return -1;
        break;
      case OPT_KILL_AFTER:
        if (seconds_option ("--kill-after", optarg, &opts->kill_after_sec) < 0)
          return -1;
        break;
      case OPT_STATS: opts->stats_file = optarg; break;
      case OPT_RAW_OUTPUT: opts->raw_output = true; break;
      case OPT_PRESERVE_FDS:
        {
          char *end;
          errno = 0;
          long n = strtol (optarg, &end, 10);
          if (errno || end == optarg || *end || n < 0 || n > 1000)
            {
              fprintf (stderr, "fmr-run: run: --preserve-fds: `%s` is not a number from 0 to 1000\n", optarg);
              return -1;
            }
          opts->preserve_fds = (int) n;
          break;
        }
      case 'h': run_usage (stdout); return 1;
      default:
        {
          int r = debug_option (c, optarg, opts);
          if (r < 0)
            return -1;
          if (r > 0)
            break;
        }
        fprintf (stderr, "fmr-run: run: unknown option `%s`; see `fmr-run run --help`\n", argv[optind - 1]);
        return -1;
      }
  *bundle = cmd_bundle_operand ("run", argc, argv);
  if (*bundle == NULL)
    return -1;
  if (opts->overrides.args && (!opts->overrides.shell || !opts->overrides.args[0]))
    {
      fprintf (stderr, "fmr-run: run: `-- COMMAND` goes with --shell; see `fmr-run run --help`\n");
      return -1;
    }
  return 0;
}

/* --env, --rw, --ro, --shell: *b becomes the bundle with the overrides,
 * validated again; the lasting ones are printed as a diff on stderr. */
static int
apply_overrides (struct fmr_bundle **b, struct run_options *opts)
{
  struct bundle_overrides *o = &opts->overrides;
  const char *shell_args[2] = { NULL, NULL };
  if (o->shell && o->args == NULL)
    {
      shell_args[0] = overrides_shell (*b, o);
      o->args = shell_args;
    }
  struct diag_list d;
  diag_init (&d, "config.json (with the overrides)");
  struct fmr_bundle *nb;
  cleanup_free char *diff = NULL;
  cleanup_error fmr_error_t err = NULL;
  int r = overrides_apply (*b, o, &nb, &diff, &d, &err);
  if (r < 0)
    cmd_print_bundle_refusal ((*b)->dir, &d, err);
  diag_free (&d);
  if (o->args == shell_args)
    o->args = NULL;
  if (r < 0)
    return -1;
  if (diff)
    fprintf (stderr, "fmr-run: run: this run's bundle differs from %s by:\n%s", (*b)->config_path, diff);
  fmr_bundle_free (*b);
  *b = nb;
  return 0;
}

/* A caller who stopped reading the terminal (or socket) on stderr must not
 * keep `run` from exiting, timeout or not: the message waits a moment for
 * room, then is left out (the exit status still tells). */
static bool
stderr_has_room (void)
{
  struct pollfd pf = { .fd = STDERR_FILENO, .events = POLLOUT };
  int n;
  do
    n = poll (&pf, 1, STDERR_WAIT_MS);
  while (n < 0 && errno == EINTR);
  return n != 0;
}

int
cmd_run (int argc, char **argv)
{
  struct run_options opts;
  const char *dir;
  int r = run_parse_options (argc, argv, &opts, &dir);
  if (r != 0)
    return overrides_release (&opts.overrides), r > 0 ? 0 : FMR_EXIT_FAILURE;

  struct fmr_bundle *b = NULL;
  unsigned long long t0 = now_usec ();
  if (cmd_load_bundle (dir, &b) < 0)
    {
      overrides_release (&opts.overrides);
      return FMR_EXIT_FAILURE;
    }
  if (overrides_any (&opts.overrides) && apply_overrides (&b, &opts) < 0)
    {
      fmr_bundle_free (b);
      overrides_release (&opts.overrides);
      return FMR_EXIT_FAILURE;
    }
  if (opts.debug)
    fprintf (stderr, "fmr-run: debug: config loaded: %llu us\n", now_usec () - t0);
  cleanup_error fmr_error_t err = NULL;
  int code = sandbox_run (b, &opts, &err);
  if (err && stderr_has_room ())
    fmr_error_print (err);
  fmr_bundle_free (b);
  overrides_release (&opts.overrides);
  return code;
}
