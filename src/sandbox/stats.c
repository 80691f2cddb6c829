/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "sandbox/stats.h"
#include "common/util.h"

static double
seconds (struct timeval tv)
{
  return (double) tv.tv_sec + (double) tv.tv_usec / 1e6;
}

int
stats_write (const struct sandbox_ctx *ctx, const char *path, int exit_code, fmr_error_t *err)
{
  struct rusage ru;
  if (getrusage (RUSAGE_CHILDREN, &ru) < 0)
    return fmr_error_set (err, errno, "--stats: getrusage");
  int st = ctx->payload_status;
  char status[64] = "null", sig[32] = "null";
  if (st >= 0 && WIFEXITED (st))
    snprintf (status, sizeof status, "%d", WEXITSTATUS (st));
  else if (st >= 0 && WIFSIGNALED (st))
    snprintf (sig, sizeof sig, "%d", WTERMSIG (st));
  cleanup_free char *json
      = xasprintf ("{\n"
                   "  \"wall_seconds\": %.6f,\n"
                   "  \"user_seconds\": %.6f,\n"
                   "  \"system_seconds\": %.6f,\n"
                   "  \"max_rss_kib\": %ld,\n"
                   "  \"exit_code\": %d,\n"
                   "  \"process_exit_status\": %s,\n"
                   "  \"process_signal\": %s,\n"
                   "  \"timed_out\": %s\n"
                   "}\n",
                   (double) (now_usec () - ctx->trace.t_start) / 1e6, seconds (ru.ru_utime), seconds (ru.ru_stime),
                   ru.ru_maxrss, exit_code, status, sig, ctx->timed_out ? "true" : "false");
  if (write_file (path, json, strlen (json), err) < 0)
    return fmr_error_prefix (err, "--stats");
  return 0;
}
