/* SPDX-License-Identifier: Apache-2.0 */
/* Who the payload is on the host.  An unprivileged caller's payload is the
 * caller (its only id, mapped to itself).  A root caller's payload (uid 0,
 * or CAP_SETUID over its user namespace) is a build uid instead: the
 * caller's ids inside, mapped to an unprivileged uid and gid on the host,
 * never 0, so that nothing root owns in view is the payload's, the kernel
 * applies RLIMIT_NPROC, and a kernel bug reached from inside lands
 * unprivileged.  The caller's own binds are idmapped so that what the
 * step writes still belongs to the caller on the host. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "bundle/config_load.h"
#include "rootfs/mounts.h"
#include "sandbox/idmap.h"
#include "spec/spec.h"
#include "common/util.h"

/* The fixed build ids, when the caller has no subordinate range: the first
 * that the caller's user namespace maps and no process of it runs as.
 * 2147000000 lies in the range systemd documents as unused
 * (1879048192-2147352575: above its container ranges, below its dynamic
 * and foreign ranges) and above the subordinate ranges useradd hands out
 * (up to 600100000); 65520 is for a container whose user namespace maps
 * only 0-65535, in the range 65520-65533 systemd leaves unused. */
static const uid_t fixed_ids[] = { 2147000000u, 65520u };

static bool
caller_may_map (void)
{
  return geteuid () == 0 || caller_has_cap (CAP_SETUID);
}

/* ID is inside a range of FILE (/proc/self/uid_map): mapped in the
 * caller's user namespace, so it can be mapped again below it. */
static bool
id_mapped (const char *file, unsigned long id)
{
  FILE *f = fopen (file, "re");
  if (f == NULL)
    return false;
  unsigned long inside, outside, count;
  bool found = false;
  while (!found && fscanf (f, "%lu %lu %lu", &inside, &outside, &count) == 3)
    found = id >= inside && id - inside < count;
  fclose (f);
  return found;
}

static bool
same_user_ns (const char *pid, const char *own)
{
  char path[300], link[128];
  snprintf (path, sizeof path, "/proc/%s/ns/user", pid);
  ssize_t n = readlink (path, link, sizeof link - 1);
  if (n < 0)
    return true; /* cannot tell: count it */
  link[n] = '\0';
  return strcmp (link, own) == 0;
}

/* "Uid:\tR\tE\tS\tF" (or Gid:) of /proc/PID/status holds ID. */
static bool
status_has (const char *status, const char *key, unsigned long id)
{
  const char *p = strstr (status, key);
  if (p == NULL)
    return false;
  p += strlen (key);
  for (int i = 0; i < 4; i++)
    {
      char *end;
      unsigned long v = strtoul (p, &end, 10);
      if (end == p)
        return false;
      if (v == id)
        return true;
      p = end;
    }
  return false;
}

/* The pid of a process of the caller's user namespace that runs with UID
 * or GID (real, effective, saved or file system id), or 0.  Processes in
 * user namespaces below it (other sandboxes that use the same build uid)
 * are not counted: they own nothing on the host. */
static long
id_in_use (uid_t uid, gid_t gid)
{
  char own[128];
  ssize_t n = readlink ("/proc/self/ns/user", own, sizeof own - 1);
  own[n > 0 ? n : 0] = '\0';
  DIR *d = opendir ("/proc");
  if (d == NULL)
    return 0;
  long found = 0;
  for (struct dirent *e; found == 0 && (e = readdir (d)) != NULL;)
    {
      if (!isdigit ((unsigned char) e->d_name[0]))
        continue;
      char path[300], buf[4096];
      snprintf (path, sizeof path, "/proc/%s/status", e->d_name);
      cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
      ssize_t len = fd < 0 ? -1 : read (fd, buf, sizeof buf - 1);
      if (len <= 0)
        continue;
      buf[len] = '\0';
      if ((status_has (buf, "\nUid:", uid) || status_has (buf, "\nGid:", gid)) && same_user_ns (e->d_name, own))
        found = strtol (e->d_name, NULL, 10);
    }
  closedir (d);
  return found;
}

/* The user name of UID into NAME; false when no user has it.  The static
 * binary (configure --enable-static-binary, the wheel's) reads /etc/passwd
 * itself: glibc's getpwuid loads the host's NSS modules at run time, which a
 * statically linked program cannot do safely.  There, a user known only
 * through LDAP or sssd must be listed by uid in /etc/subuid, and an id such
 * a directory assigns is not seen as taken. */
static bool
user_name (uid_t uid, char *name, size_t size)
{
#ifdef FMR_STATIC_BINARY
  FILE *f = fopen ("/etc/passwd", "re");
  if (f == NULL)
    return false;
  char line[1024];
  bool found = false;
  while (!found && fgets (line, sizeof line, f))
    {
      /* name:password:uid:...; the password field may be empty. */
      char *c1 = strchr (line, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL, *end = NULL;
      if (c2 == NULL || !isdigit ((unsigned char) c2[1]))
        continue;
      unsigned long id = strtoul (c2 + 1, &end, 10);
      if (*end != ':' || id != (unsigned long) uid)
        continue;
      size_t len = (size_t) (c1 - line);
      if (len == 0 || len >= size)
        continue;
      memcpy (name, line, len);
      name[len] = '\0';
      found = true;
    }
  fclose (f);
  return found;
#else
  struct passwd *pw = getpwuid (uid);
  if (pw != NULL)
    snprintf (name, size, "%s", pw->pw_name);
  return pw != NULL;
#endif
}

/* The first id of the caller's range in /etc/subuid or /etc/subgid
 * ("name:start:count" or "uid:start:count"). */
static bool
subordinate_start (const char *file, unsigned long caller, unsigned long *start)
{
  char name[256];
  bool named = user_name ((uid_t) caller, name, sizeof name);
  char num[32];
  snprintf (num, sizeof num, "%lu", caller);
  FILE *f = fopen (file, "re");
  if (f == NULL)
    return false;
  char line[512];
  bool found = false;
  while (!found && fgets (line, sizeof line, f))
    {
      char *save = NULL, *who = strtok_r (line, ":", &save), *first = strtok_r (NULL, ":", &save),
           *count = strtok_r (NULL, ":\n", &save);
      if (who == NULL || first == NULL || count == NULL || strtoul (count, NULL, 10) == 0)
        continue;
      if (strcmp (who, num) == 0 || (named && strcmp (who, name) == 0))
        {
          *start = strtoul (first, NULL, 10);
          found = *start != 0;
        }
    }
  fclose (f);
  return found;
}

/* Why UID:GID cannot be the build ids, or NULL. */
static char *
unusable (uid_t uid, gid_t gid)
{
  if (uid == 0 || gid == 0)
    return xstrdup ("0 is root: the build uid must not be");
  if (uid == (uid_t) -1 || gid == (gid_t) -1 || uid == 65535 || gid == 65535 || uid == 65534 || gid == 65534)
    return xstrdup ("-1, 65535 and nobody (65534) are not usable ids");
  if (uid == geteuid ())
    return xstrdup ("it is the caller's own uid");
  if (!id_mapped ("/proc/self/uid_map", uid) || !id_mapped ("/proc/self/gid_map", gid))
    return xstrdup ("not mapped in the caller's user namespace (/proc/self/uid_map, gid_map)");
  long pid = id_in_use (uid, gid);
  if (pid)
    return xasprintf ("process %ld of this host runs with it", pid);
  return NULL;
}

static int
pick_build_ids (struct spec_options *o, uid_t caller_uid, gid_t caller_gid, fmr_error_t *err)
{
  if (o->build_uid_given)
    {
      cleanup_free char *why = unusable (o->build_uid, o->build_gid);
      if (why)
        return fmr_error_set (err, 0, "--build-uid %u:%u: %s", (unsigned) o->build_uid, (unsigned) o->build_gid, why);
      o->host_uid = o->build_uid;
      o->host_gid = o->build_gid;
      o->build_source = "--build-uid";
      return 0;
    }
  unsigned long su, sg;
  if (subordinate_start ("/etc/subuid", caller_uid, &su) && subordinate_start ("/etc/subgid", caller_uid, &sg))
    {
      (void) caller_gid;
      cleanup_free char *why = unusable ((uid_t) su, (gid_t) sg);
      if (why == NULL)
        {
          o->host_uid = (uid_t) su;
          o->host_gid = (gid_t) sg;
          o->build_source = "the caller's range in /etc/subuid and /etc/subgid";
          return 0;
        }
    }
  for (size_t i = 0; i < ARRAY_SIZE (fixed_ids); i++)
    {
      cleanup_free char *why = unusable (fixed_ids[i], fixed_ids[i]);
      char name[256];
      if (why == NULL && !user_name (fixed_ids[i], name, sizeof name))
        {
          o->host_uid = fixed_ids[i];
          o->host_gid = fixed_ids[i];
          o->build_source = "fmr-run's fixed build uid";
          return 0;
        }
    }
  return fmr_error_set (err, 0,
                        "no build uid: none of 2147000000 and 65520 is mapped here and free (choose one "
                        "with --build-uid UID[:GID], or give the caller a range in /etc/subuid)");
}

/* Can each bind of the caller be idmapped (caller's ids on disk shown as
 * the build ids)?  The same calls `run` makes, on detached copies that
 * are closed again: nothing is mounted.  NULL, or why not. */
static char *
idmap_refused (const struct spec_options *o)
{
  if (o->n_binds == 0)
    return NULL;
  struct fmr_id_mapping u = { o->uid, o->host_uid, 1 }, g = { o->gid, o->host_gid, 1 };
  cleanup_error fmr_error_t err = NULL;
  cleanup_close int userns = idmap_userns_open (&u, &g, &err);
  if (userns < 0)
    return xasprintf ("idmapped mounts: %s: %s", err->msg, strerror (err->errnum));
  for (size_t i = 0; i < o->n_binds; i++)
    {
      int tree = mount_idmap_tree (AT_FDCWD, o->binds[i].path, o->binds[i].path, true, true, userns, &err);
      if (tree < 0)
        return xasprintf ("%s: %s", err->msg, strerror (err->errnum));
      close (tree);
    }
  return NULL;
}

int
spec_ids_choose (struct spec_options *o, fmr_error_t *err)
{
  if (!o->ids_given)
    {
      o->uid = geteuid ();
      o->gid = getegid ();
    }
  o->host_uid = o->uid;
  o->host_gid = o->gid;
  o->privileged = caller_may_map ();
  if (o->ids_given && o->build_uid_given)
    return fmr_error_set (err, 0, "--build-uid: not with --uid or --gid (those map the ids given to themselves)");
  if (o->ids_given)
    return 0;
  if (!o->privileged)
    {
      if (o->build_uid_given)
        return fmr_error_set (err, 0, "--build-uid: only root (or a caller with CAP_SETUID) can map another uid");
      return 0;
    }
  if (pick_build_ids (o, o->uid, o->gid, err) < 0)
    return -1;
  cleanup_free char *why = idmap_refused (o);
  if (why == NULL)
    {
      o->idmap_binds = o->n_binds > 0;
      o->build_note = xasprintf ("%u:%u (%s)%s", (unsigned) o->host_uid, (unsigned) o->host_gid, o->build_source,
                                 o->idmap_binds ? "; the binds are idmapped: the caller's ids on disk" : "");
      return 0;
    }
  /* Without idmapped binds, what the step writes would belong to the
   * build uid on the host, and the caller's files would not be its own:
   * today's mapping, said once. */
  o->build_note = xasprintf ("unused: %s; the payload is the caller (uid %u) on the host", why, (unsigned) o->uid);
  if (!o->quiet)
    fprintf (stderr, "fmr-run: spec: no build uid, the step runs as the caller (uid %u) on the host: %s\n",
             (unsigned) o->uid, why);
  o->host_uid = o->uid;
  o->host_gid = o->gid;
  return 0;
}
