/* SPDX-License-Identifier: Apache-2.0 */
/* Attacks 1-3: credentials of the caller and of the host. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

extern char **environ;

static const char *const home_files[][2] = {
  { "netrc", ".netrc" },
  { "pypirc", ".pypirc" },
  { "pip.conf", ".config/pip/pip.conf" },
  { "id_ed25519", ".ssh/id_ed25519" },
};

/* The files planted in the caller's HOME, by their host path and under the
 * sandbox's own HOME. */
ATTACK (home_credentials, "home-credentials", "HOST_HOME");
static int
home_credentials (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  const char *home = getenv ("HOME");
  for (size_t i = 0; i < sizeof home_files / sizeof home_files[0]; i++)
    {
      char path[4096], what[64];
      snprintf (path, sizeof path, "%s/%s", argv[1], home_files[i][1]);
      snprintf (what, sizeof what, "host-home/%s", home_files[i][0]);
      try_open (what, path, O_RDONLY);
      snprintf (path, sizeof path, "%s/%s", home ? home : "/", home_files[i][1]);
      snprintf (what, sizeof what, "home/%s", home_files[i][0]);
      try_open (what, path, O_RDONLY);
    }
  try_open ("host-home", argv[1], O_RDONLY | O_DIRECTORY);
  return 0;
}

ATTACK (host_secrets, "host-secrets", "");
static int
host_secrets (int argc, char **argv)
{
  (void) argc, (void) argv;
  try_open ("/root", "/root", O_RDONLY | O_DIRECTORY);
  try_open ("/home", "/home", O_RDONLY | O_DIRECTORY);
  try_open ("/etc/shadow", "/etc/shadow", O_RDONLY);
  try_open ("/etc/gshadow", "/etc/gshadow", O_RDONLY);
  try_open ("/etc/pip.conf", "/etc/pip.conf", O_RDONLY);
  try_open ("/etc/ssh", "/etc/ssh", O_RDONLY | O_DIRECTORY);
  return 0;
}

/* How many of the sandbox's /proc/PID/environ files hold SECRET, and how
 * many could not be read at all. */
static void
scan_proc_environ (const char *secret)
{
  DIR *d = opendir ("/proc");
  int found = 0, unreadable = 0;
  struct dirent *e;
  while (d && (e = readdir (d)))
    {
      if (e->d_name[0] < '0' || e->d_name[0] > '9')
        continue;
      char path[300];
      static char buf[1 << 20];
      snprintf (path, sizeof path, "/proc/%s/environ", e->d_name);
      long n = read_file (path, buf, sizeof buf);
      if (n < 0)
        unreadable++;
      else if (memmem (buf, (size_t) n, secret, strlen (secret)))
        found++;
    }
  if (d)
    closedir (d);
  report_value ("proc-environ-found", "%d", found);
  report_value ("proc-environ-unreadable", "%d", unreadable);
}

/* SECRET is the value of a credential the caller had in its environment;
 * the emitter was to leave it out of process.env. */
ATTACK (env_credential, "env-credential", "SECRET");
static int
env_credential (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  const char *secret = argv[1];
  int found = 0;
  for (char **e = environ; *e; e++)
    found += strstr (*e, secret) != NULL;
  report_value ("environ-found", "%d", found);
  scan_proc_environ (secret);
  char buf[4096];
  long n = read_file ("/proc/1/environ", buf, sizeof buf);
  report_errno ("/proc/1/environ", n < 0 ? (int) -n : 0);
  return 0;
}
