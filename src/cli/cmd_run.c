/* SPDX-License-Identifier: Apache-2.0 */
/* fmr-run run [OPTIONS] BUNDLE */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "bundle/config_load.h"
#include "sandbox/sandbox.h"
#include "common/util.h"

static void
run_usage (FILE *out)
{
  fprintf (out,
           "Usage: fmr-run run [OPTIONS] [BUNDLE]\n\n"
           "Build the sandbox BUNDLE/config.json describes, run its process in it,\n"
           "wait, and exit with the process's status. BUNDLE defaults to \".\".\n\n"
           "Options:\n"
           "  --debug               print each step with the microseconds it took\n"
           "  --timeout SECONDS     stop the process after SECONDS (exit status 124)\n"
           "  --kill-after SECONDS  after a timeout's SIGTERM, SIGKILL the sandbox (default 10)\n"
           "  --preserve-fds N      hand descriptors 3..3+N-1 to the process (LISTEN_FDS=N)\n"
           "  --stats FILE          write wall time, CPU, peak memory and status as JSON\n"
           "  -h, --help            show this help\n\n"
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

/* Fills opts and *bundle from argv; returns -1 with a message on bad
 * usage, 1 when --help was printed, 0 to go on. */
int run_parse_options (int argc, char **argv, struct run_options *opts, const char **bundle);

int
run_parse_options (int argc, char **argv, struct run_options *opts, const char **bundle)
{
  enum { OPT_DEBUG = 256, OPT_TIMEOUT, OPT_KILL_AFTER, OPT_PRESERVE_FDS, OPT_STATS };
  static const struct option longopts[] = {
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "kill-after", required_argument, NULL, OPT_KILL_AFTER },
    { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
    { "stats", required_argument, NULL, OPT_STATS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  memset (opts, 0, sizeof *opts);
  opts->kill_after_sec = -1;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long (argc, argv, "+h", longopts, NULL)) != -1)
    switch (c)
      {
      case OPT_DEBUG: opts->debug = true; break;
      case OPT_TIMEOUT: if (seconds_option ("--timeout", optarg, &opts->timeout_sec) < 0) return -1; break;
      case OPT_KILL_AFTER: if (seconds_option ("--kill-after", optarg, &opts->kill_after_sec) < 0) return -1; break;
      case OPT_STATS: opts->stats_file = optarg; break;
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
        fprintf (stderr, "fmr-run: run: unknown option `%s`; see `fmr-run run --help`\n", argv[optind - 1]);
        return -1;
      }
  if (argc - optind > 1)
    {
      fprintf (stderr, "fmr-run: run: one BUNDLE expected; see `fmr-run run --help`\n");
      return -1;
    }
  *bundle = optind < argc ? argv[optind] : ".";
  return 0;
}

int
cmd_run (int argc, char **argv)
{
  struct run_options opts;
  const char *dir;
  int r = run_parse_options (argc, argv, &opts, &dir);
  if (r != 0)
    return r > 0 ? 0 : FMR_EXIT_FAILURE;

  cleanup_error fmr_error_t err = NULL;
  struct diag_list d;
  diag_init (&d, "config.json");
  struct fmr_bundle *b = NULL;
  unsigned long long t0 = now_usec ();
  if (config_load (dir, &b, &d, &err) < 0)
    {
      cleanup_free char *first = diag_first_error_text (&d);
      if (first)
        fprintf (stderr, "fmr-run: %s/%s\n", dir, first);
      else
        fmr_error_print (err);
      diag_free (&d);
      return FMR_EXIT_FAILURE;
    }
  diag_free (&d);
  if (opts.debug)
    fprintf (stderr, "fmr-run: debug: config loaded: %llu us\n", now_usec () - t0);
  int code = sandbox_run (b, &opts, &err);
  if (err)
    fmr_error_print (err);
  fmr_bundle_free (b);
  return code;
}
