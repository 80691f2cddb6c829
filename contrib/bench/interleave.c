/* SPDX-License-Identifier: Apache-2.0 */
/* The timer behind contrib/bench/startup.  A shared machine's load drifts
 * by more than the differences measured here, so the commands are never
 * timed in blocks one after the other: every round runs each command once,
 * the first one rotating, and the medians compare runs that saw the same
 * load.  No shell between the timer and the command.
 *
 *   interleave [--runs N] [--warmup W] [--out FILE] NAME=CMD...
 *       one run at a time; FILE gets one line per run: NAME, wall-clock
 *       microseconds, peak RSS KiB (wait4: the largest of the process, the
 *       descendants it reaped and any that outlived it: those are
 *       reparented to this one, their subreaper, and waited for after the
 *       timing), exit status, CPU microseconds (user and system, the same
 *       processes), how many outlived it
 *   interleave --parallel P --runs N [--rounds R] [--watch DIR]... NAME=CMD...
 *       throughput: P workers share N runs of one command, the commands
 *       taking turns in R rounds; prints NAME runs seconds failures per
 *       round and how many of its processes outlived their parent (exited,
 *       reparented to this one, their subreaper, and reaped here), then the
 *       leftover check: processes still alive, mount table lines added,
 *       entries added to each DIR
 *
 * CMD is split at spaces (the script quotes nothing with a space in it);
 * `{}` in it becomes a number unique to the run (crun's container id).
 * stdin is an empty pipe: never the host's /dev/null (crun chowns it). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd
{
  const char *name;
  char **argv;
  int id_arg; /* index of the argument holding {}, or -1 */
  char *id_fmt;
};

static atomic_long next_id;
static int empty_stdin;

static double
now_sec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void
parse_cmd (struct cmd *c, char *spec)
{
  char *eq = strchr (spec, '=');
  if (eq == NULL)
    {
      fprintf (stderr, "interleave: %s: not NAME=CMD\n", spec);
      exit (2);
    }
  *eq = '\0';
  c->name = spec;
  size_t n = 0;
  c->argv = calloc (strlen (eq + 1) / 2 + 2, sizeof (char *));
  c->id_arg = -1;
  for (char *tok = strtok (eq + 1, " "); tok; tok = strtok (NULL, " "))
    {
      char *brace = strstr (tok, "{}");
      if (brace)
        {
          c->id_arg = (int) n;
          /* {} -> %ld; the rest is taken literally */
          if (asprintf (&c->id_fmt, "%.*s%%ld%s", (int) (brace - tok), tok, brace + 2) < 0)
            exit (2);
        }
      c->argv[n++] = tok;
    }
}

/* One run: wall seconds, peak RSS, CPU seconds (user and system, of the
 * command and the descendants it reaped), wait status (-1: could not
 * spawn). */
static int
run_once (const struct cmd *c, double *secs, long *rss_kib, double *cpu)
{
  char idbuf[256];
  char **argv = c->argv;
  char *copy[64];
  if (c->id_arg >= 0)
    {
      size_t i = 0;
      for (; c->argv[i] && i < 63; i++)
        copy[i] = c->argv[i];
      copy[i] = NULL;
      snprintf (idbuf, sizeof idbuf, c->id_fmt, (long) atomic_fetch_add (&next_id, 1));
      copy[c->id_arg] = idbuf;
      argv = copy;
    }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, empty_stdin, 0);
  double t0 = now_sec ();
  pid_t pid;
  int rc = posix_spawn (&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  if (rc != 0)
    {
      fprintf (stderr, "interleave: %s: %s\n", argv[0], strerror (rc));
      return -1;
    }
  int st;
  struct rusage ru;
  while (wait4 (pid, &st, 0, &ru) < 0)
    if (errno != EINTR)
      return -1;
  *secs = now_sec () - t0;
  *rss_kib = ru.ru_maxrss;
  *cpu = (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  return st;
}

struct batch
{
  const struct cmd *c;
  atomic_int left;
  atomic_int failures;
};

static void *
worker (void *arg)
{
  struct batch *b = arg;
  while (atomic_fetch_sub (&b->left, 1) > 0)
    {
      double s, cpu;
      long rss;
      int st = run_once (b->c, &s, &rss, &cpu);
      if (st != 0)
        {
          if (atomic_fetch_add (&b->failures, 1) < 5)
            fprintf (stderr, "interleave: %s failed: status 0x%x\n", b->c->name, st);
        }
    }
  return NULL;
}

static long
count_lines (const char *path)
{
  FILE *f = fopen (path, "re");
  if (f == NULL)
    return -1;
  long n = 0;
  int ch;
  while ((ch = getc (f)) != EOF)
    n += ch == '\n';
  fclose (f);
  return n;
}

static long
count_entries (const char *dir)
{
  DIR *d = opendir (dir);
  if (d == NULL)
    return -1;
  long n = 0;
  struct dirent *e;
  while ((e = readdir (d)))
    n += strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0;
  closedir (d);
  return n;
}

/* Processes orphaned by the commands are reparented to this subreaper.
 * Those that have exited are reaped and counted in *reaped: they outlived
 * their parent, but are gone.  Returns how many still live (listed in any
 * thread's children), 0 when none is left. */
static long
orphans (long *reaped)
{
  pid_t pid;
  while ((pid = waitpid (-1, NULL, WNOHANG | __WALL)) > 0)
    (*reaped)++;
  if (pid < 0)
    return 0; /* ECHILD: nobody is left */
  long live = 0;
  DIR *d = opendir ("/proc/self/task");
  struct dirent *e;
  while (d && (e = readdir (d)))
    {
      if (e->d_name[0] == '.')
        continue;
      char path[300];
      snprintf (path, sizeof path, "/proc/self/task/%s/children", e->d_name);
      FILE *f = fopen (path, "re");
      int child;
      while (f && fscanf (f, "%d", &child) == 1)
        live++;
      if (f)
        fclose (f);
    }
  if (d)
    closedir (d);
  return live > 0 ? live : 1;
}

int
main (int argc, char **argv)
{
  int runs = 100, warmup = 10, parallel = 0, rounds = 4;
  const char *out = NULL;
  const char *watch[16];
  int n_watch = 0;
  struct cmd cmds[16];
  int n = 0;
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--runs") == 0 && i + 1 < argc)
        runs = atoi (argv[++i]);
      else if (strcmp (argv[i], "--warmup") == 0 && i + 1 < argc)
        warmup = atoi (argv[++i]);
      else if (strcmp (argv[i], "--parallel") == 0 && i + 1 < argc)
        parallel = atoi (argv[++i]);
      else if (strcmp (argv[i], "--rounds") == 0 && i + 1 < argc)
        rounds = atoi (argv[++i]);
      else if (strcmp (argv[i], "--out") == 0 && i + 1 < argc)
        out = argv[++i];
      else if (strcmp (argv[i], "--watch") == 0 && i + 1 < argc && n_watch < 16)
        watch[n_watch++] = argv[++i];
      else if (n < 16)
        parse_cmd (&cmds[n++], argv[i]);
    }
  if (n == 0 || runs <= 0 || rounds <= 0)
    {
      fprintf (stderr, "usage: interleave [--runs N] [--warmup W] [--out FILE] [--parallel P [--rounds R] "
                       "[--watch DIR]...] NAME=CMD...\n");
      return 2;
    }
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return 125;
  close (p[1]);
  empty_stdin = p[0];
  atomic_store (&next_id, (long) getpid () * 100000);
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  int failures = 0;

  if (parallel <= 0)
    {
      FILE *f = out ? fopen (out, "we") : stdout;
      if (f == NULL)
        return perror (out), 125;
      for (int r = -warmup; r < runs; r++)
        for (int k = 0; k < n; k++)
          {
            const struct cmd *c = &cmds[((r < 0 ? -r : r) + k) % n];
            double s, cpu;
            long rss;
            int st = run_once (c, &s, &rss, &cpu);
            if (st != 0)
              {
                failures++;
                fprintf (stderr, "interleave: %s failed: status 0x%x\n", c->name, st);
              }
            /* What outlived the command is reparented here: wait for it
             * (not timed) and count its CPU time and peak RSS with the
             * command's. */
            int outlived = 0;
            struct rusage ru;
            while (wait4 (-1, NULL, 0, &ru) > 0)
              {
                outlived++;
                if (ru.ru_maxrss > rss)
                  rss = ru.ru_maxrss;
                cpu += (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
                       + (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
              }
            if (r >= 0)
              fprintf (f, "%s %.1f %ld %d %.1f %d\n", c->name, s * 1e6, rss, st, cpu * 1e6, outlived);
          }
      if (f != stdout)
        fclose (f);
      return failures ? 1 : 0;
    }

  long mounts0 = count_lines ("/proc/self/mountinfo");
  long entries0[16];
  for (int w = 0; w < n_watch; w++)
    entries0[w] = count_entries (watch[w]);
  pthread_t *th = calloc ((size_t) parallel, sizeof *th);
  for (int r = 0; r < rounds; r++)
    for (int k = 0; k < n; k++)
      {
        struct batch b = { .c = &cmds[(r + k) % n] };
        int share = runs / rounds + (r < runs % rounds);
        atomic_store (&b.left, share);
        double t0 = now_sec ();
        for (int t = 0; t < parallel; t++)
          pthread_create (&th[t], NULL, worker, &b);
        for (int t = 0; t < parallel; t++)
          pthread_join (th[t], NULL);
        double secs = now_sec () - t0;
        failures += atomic_load (&b.failures);
        /* Its processes that outlived their commands are reparented here:
         * each is counted with this batch once it has exited (up to 2 s). */
        long reaped = 0;
        for (int tries = 0; tries < 20 && orphans (&reaped) > 0; tries++)
          usleep (100000);
        printf ("%s %d %.3f %d %ld\n", b.c->name, share, secs, atomic_load (&b.failures), reaped);
        fflush (stdout);
      }
  /* What a command left running is reparented here; give a killed
   * namespace a moment to go before counting it as left behind. */
  long left = 0, reaped = 0;
  for (int tries = 0; tries < 20 && (left = orphans (&reaped)) > 0; tries++)
    usleep (100000);
  printf ("leftover processes %ld\n", left);
  printf ("leftover mounts %ld\n", count_lines ("/proc/self/mountinfo") - mounts0);
  for (int w = 0; w < n_watch; w++)
    printf ("leftover entries %ld %s\n", count_entries (watch[w]) - entries0[w], watch[w]);
  return failures || left ? 1 : 0;
}
