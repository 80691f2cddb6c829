/* SPDX-License-Identifier: Apache-2.0 */
/* Id maps written from the parent into a real new user namespace (a
 * forked child that unshared one), as root and as an unprivileged user. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/idmap.h"
#include "common/util.h"

/* A child in its own new user namespace, waiting until its pipe closes. */
struct userns_child
{
  pid_t pid;
  int hold;
};

static struct userns_child
start_child (void)
{
  int ready[2], hold[2];
  cr_assert_eq (pipe2 (ready, O_CLOEXEC), 0);
  cr_assert_eq (pipe2 (hold, O_CLOEXEC), 0);
  pid_t pid = fork ();
  cr_assert_geq (pid, 0);
  if (pid == 0)
    {
      char c = unshare (CLONE_NEWUSER) == 0 ? 'y' : 'n';
      if (write (ready[1], &c, 1) != 1)
        _exit (1);
      close (hold[1]);
      (void) !read (hold[0], &c, 1);
      _exit (0);
    }
  close (ready[1]);
  close (hold[0]);
  char c = 0;
  cr_assert_eq (read (ready[0], &c, 1), 1);
  close (ready[0]);
  if (c != 'y')
    {
      close (hold[1]);
      waitpid (pid, NULL, 0);
      cr_skip_test ("unshare(CLONE_NEWUSER) is not allowed here");
    }
  return (struct userns_child){ pid, hold[1] };
}

static void
stop_child (struct userns_child *c)
{
  close (c->hold);
  cr_assert_eq (waitpid (c->pid, NULL, 0), c->pid);
}

static char *
proc_file (pid_t pid, const char *name)
{
  cleanup_free char *path = xasprintf ("/proc/%d/%s", (int) pid, name);
  char *text = NULL;
  size_t len;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (read_file_limited (path, 4096, &text, &len, &err), 0);
  return text;
}

/* "0 1000 1\n" -> the three numbers of each line, whitespace folded. */
static char *
folded (const char *map)
{
  char *out = xzalloc (strlen (map) + 1), *o = out;
  bool space = true;
  for (const char *p = map; *p; p++)
    if (*p == ' ' || *p == '\t' || *p == '\n')
      {
        if (!space)
          *o++ = ' ';
        space = true;
      }
    else
      {
        *o++ = *p;
        space = false;
      }
  if (o > out && o[-1] == ' ')
    o[-1] = '\0';
  return out;
}

Test (idmap, the_callers_own_id)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  struct fmr_id_mapping um = { 0, uid, 1 }, gm = { 0, gid, 1 };
  struct fmr_bundle b = { .uid_mappings = &um, .n_uid_mappings = 1, .gid_mappings = &gm, .n_gid_mappings = 1 };
  struct userns_child c = start_child ();
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (idmap_write (c.pid, &b, uid == 0, uid, gid, &err), 0, "%s", err ? err->msg : "");
  cleanup_free char *u = proc_file (c.pid, "uid_map"), *g = proc_file (c.pid, "gid_map");
  cleanup_free char *s = proc_file (c.pid, "setgroups");
  cleanup_free char *uf = folded (u), *gf = folded (g);
  cleanup_free char *uw = xasprintf ("0 %u 1", (unsigned) uid), *gw = xasprintf ("0 %u 1", (unsigned) gid);
  cr_assert_str_eq (uf, uw);
  cr_assert_str_eq (gf, gw);
  /* Unprivileged, the kernel takes a gid_map only after "deny". */
  cr_assert_str_eq (s, uid == 0 ? "allow\n" : "deny\n");
  stop_child (&c);
}

Test (idmap, several_ranges)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  struct fmr_id_mapping um[] = { { 0, uid, 1 }, { 1000, 200000, 100 } };
  struct fmr_id_mapping gm[] = { { 0, gid, 1 }, { 1000, 200000, 100 } };
  struct fmr_bundle b = { .uid_mappings = um, .n_uid_mappings = 2, .gid_mappings = gm, .n_gid_mappings = 2 };
  struct userns_child c = start_child ();
  cleanup_error fmr_error_t err = NULL;
  int r = idmap_write (c.pid, &b, uid == 0, uid, gid, &err);
  if (uid == 0)
    {
      cr_assert_eq (r, 0, "%s", err ? err->msg : "");
      cleanup_free char *u = proc_file (c.pid, "uid_map");
      cleanup_free char *uf = folded (u);
      cr_assert_str_eq (uf, "0 0 1 1000 200000 100");
    }
  else
    {
      /* Unprivileged: only newuidmap could, and nobody has /etc/subuid
       * ranges here, or the tool is missing: either way one clear line. */
      cr_assert_lt (r, 0);
      cr_assert_not_null (strstr (err->msg, "linux.uidMappings"), "%s", err->msg);
      cr_assert_not_null (strstr (err->msg, "newuidmap"), "%s", err->msg);
    }
  stop_child (&c);
}
