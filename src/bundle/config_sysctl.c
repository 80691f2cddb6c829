/* SPDX-License-Identifier: Apache-2.0 */
/* linux.sysctl, for the sysctls a namespace of the sandbox owns: what the
 * sandbox writes there changes nothing outside it.  Every other sysctl
 * reaches the whole host, and is refused. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bundle/config_load.h"
#include "bundle/config_parse.h"
#include "common/util.h"

void
parse_sysctl (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b)
{
  b->sysctls = json_alloc_array (pc->doc, (size_t) n->len + 1, sizeof *b->sysctls);
  for (size_t i = 0; i < n->len; i++)
    {
      const struct json_node *v = &n->items[i];
      cleanup_free char *p = path_join ("linux.sysctl", v->key);
      if (!json_want (pc, v, JSON_STRING, p))
        continue;
      if (strlen (v->str) != v->len)
        {
          diag_error (pc->d, p, "holds a NUL byte");
          continue;
        }
      b->sysctls[b->n_sysctls++] = (struct fmr_sysctl){ v->key, v->str };
    }
}

/* The namespace that owns KEY, or 0 when no namespace does. */
static int
owner_namespace (const char *key)
{
  static const struct
  {
    const char *prefix;
    int type;
  } owned[] = {
    { "net.", CLONE_NEWNET },
    { "kernel.shm", CLONE_NEWIPC },
    { "kernel.msg", CLONE_NEWIPC },
    { "fs.mqueue.", CLONE_NEWIPC },
  };
  if (strcmp (key, "kernel.sem") == 0 || strcmp (key, "kernel.sem_next_id") == 0)
    return CLONE_NEWIPC;
  for (size_t i = 0; i < ARRAY_SIZE (owned); i++)
    if (strncmp (key, owned[i].prefix, strlen (owned[i].prefix)) == 0)
      return owned[i].type;
  return 0;
}

/* Dots between names of [A-Za-z0-9_-]: the key becomes a path under
 * /proc/sys, so "..", "/" or an empty component must not get there. */
static bool
well_formed (const char *key)
{
  if (key[0] == '\0' || key[0] == '.')
    return false;
  for (const char *p = key; *p; p++)
    {
      bool name
          = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
      if (!(name || (*p == '.' && p[1] != '.' && p[1] != '\0')))
        return false;
    }
  return true;
}

char *
fmr_sysctl_path (const char *key)
{
  char *path = xasprintf ("/proc/sys/%s", key);
  for (char *p = path + strlen ("/proc/sys/"); *p; p++)
    if (*p == '.')
      *p = '/';
  return path;
}

static bool
kernel_at_least (int major, int minor)
{
  struct utsname u;
  int ma, mi;
  if (uname (&u) < 0 || sscanf (u.release, "%d.%d", &ma, &mi) != 2)
    return true; /* unknown: let run say */
  return ma > major || (ma == major && mi >= minor);
}

/* Whether the caller's own uid is uid 0 in the new user namespace. */
static bool
caller_is_root_inside (const struct fmr_bundle *b)
{
  uid_t me = geteuid ();
  for (size_t i = 0; i < b->n_uid_mappings; i++)
    {
      const struct fmr_id_mapping *m = &b->uid_mappings[i];
      if (me >= m->host_id && (uint64_t) me < (uint64_t) m->host_id + m->size)
        return m->container_id + (me - m->host_id) == 0;
    }
  return false;
}

static void
check_one (const struct fmr_bundle *b, const struct fmr_sysctl *s, struct diag_list *d)
{
  cleanup_free char *field = path_join ("linux.sysctl", s->key);
  int type = well_formed (s->key) ? owner_namespace (s->key) : -1;
  if (type < 0)
    {
      diag_error (d, field, "not a sysctl name (names separated by dots)");
      return;
    }
  if (type == 0)
    {
      diag_error (d, field,
                  "not a namespaced sysctl: fmr-run sets net.* (with a network namespace) and "
                  "kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* (with an ipc namespace) only");
      return;
    }
  const struct fmr_namespace *ns = fmr_bundle_namespace (b, type);
  if (ns == NULL || ns->path)
    {
      diag_error (d, field, "needs a new %s namespace in linux.namespaces (it would change the %s one)",
                  type == CLONE_NEWNET ? "network" : "ipc", ns ? "joined" : "host's");
      return;
    }
  /* The kernel lets the ipc sysctls of a namespace be written by its user
   * namespace's uid 0 only, whatever the capabilities: PID 1 runs as the
   * container id of the caller's own uid. */
  const struct fmr_namespace *user = fmr_bundle_namespace (b, CLONE_NEWUSER);
  if (type == CLONE_NEWIPC && user && user->path == NULL && !caller_is_root_inside (b))
    {
      diag_error (d, field,
                  "an ipc sysctl is written by uid 0 of the user namespace: map containerID 0 to this "
                  "caller's uid %u in linux.uidMappings",
                  (unsigned) geteuid ());
      return;
    }
  /* Before 5.17 the ipc sysctls answered to the host's uid 0 only. */
  if (type == CLONE_NEWIPC && user && user->path == NULL && geteuid () != 0 && !kernel_at_least (5, 17))
    {
      diag_error (d, field, "an ipc sysctl in a user namespace needs Linux 5.17 or later, or the host's root");
      return;
    }
  /* Spelling mistakes, found on the host's /proc/sys (every namespaced
   * sysctl is there too). */
  cleanup_free char *path = fmr_sysctl_path (s->key);
  struct stat st;
  if (stat (path, &st) < 0 && errno == ENOENT)
    diag_error (d, field, "no such sysctl (%s)", path);
  else if (stat (path, &st) == 0 && !S_ISREG (st.st_mode))
    diag_error (d, field, "not a sysctl but a directory of them (%s)", path);
}

void
config_validate_sysctl (const struct fmr_bundle *b, struct diag_list *d)
{
  for (size_t i = 0; i < b->n_sysctls; i++)
    check_one (b, &b->sysctls[i], d);
  if (b->n_sysctls == 0)
    return;
  /* Written through the sandbox's own /proc/sys (see rootfs/sysctl.c). */
  const struct fmr_mount *proc = NULL;
  for (size_t i = 0; i < b->n_mounts; i++)
    if (strcmp (b->mounts[i].destination, "/proc") == 0)
      proc = &b->mounts[i];
  if (proc == NULL || proc->kind != FMR_MOUNT_PROC)
    diag_error (d, "linux.sysctl", "needs a proc mount on /proc, through which the sandbox writes them");
  else if (proc->flags & MS_RDONLY)
    diag_error (d, "linux.sysctl",
                "needs the proc mount on /proc writable (no \"ro\"): linux.readonlyPaths "
                "\"/proc/sys\" makes it read-only after the sysctls are written");
}
