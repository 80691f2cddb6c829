/* SPDX-License-Identifier: Apache-2.0 */
/* Checks that need more than one field, or the host: run after parsing,
 * before anything is created. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "bundle/config_load.h"
#include "bundle/config_parse.h"
#include "common/util.h"

static int
cmp_container (const void *a, const void *b)
{
  const struct fmr_id_mapping *x = a, *y = b;
  return x->container_id < y->container_id ? -1 : x->container_id > y->container_id;
}

static int
cmp_host (const void *a, const void *b)
{
  const struct fmr_id_mapping *x = a, *y = b;
  return x->host_id < y->host_id ? -1 : x->host_id > y->host_id;
}

/* Overlaps on either side, found in O(n log n) on sorted copies. */
static void
check_overlaps (struct diag_list *d, const char *field, const struct fmr_id_mapping *m, size_t n)
{
  if (n < 2)
    return;
  cleanup_free struct fmr_id_mapping *s = xcalloc (n, sizeof *s);
  for (int side = 0; side < 2; side++)
    {
      memcpy (s, m, n * sizeof *s);
      qsort (s, n, sizeof *s, side ? cmp_host : cmp_container);
      for (size_t i = 1; i < n; i++)
        {
          uint64_t prev_end
              = side ? (uint64_t) s[i - 1].host_id + s[i - 1].size : (uint64_t) s[i - 1].container_id + s[i - 1].size;
          uint64_t start = side ? s[i].host_id : s[i].container_id;
          if (start < prev_end)
            {
              diag_error (d, field, "ranges overlap on the %s side at id %llu", side ? "host" : "container",
                          (unsigned long long) start);
              return;
            }
        }
    }
}

static bool
covered (const struct fmr_id_mapping *m, size_t n, uint32_t id)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && (uint64_t) id < (uint64_t) m[i].container_id + m[i].size)
      return true;
  return false;
}

static void
validate_user_namespace (struct fmr_bundle *b, struct diag_list *d)
{
  const struct fmr_namespace *user = fmr_bundle_namespace (b, CLONE_NEWUSER);
  bool maps = b->n_uid_mappings || b->n_gid_mappings;
  if (user == NULL || user->path)
    {
      if (maps)
        diag_error (d, "linux.uidMappings", "id mappings need a new user namespace in linux.namespaces");
      return;
    }
  if (b->n_uid_mappings == 0)
    diag_error (d, "linux.uidMappings", "a new user namespace needs at least one uid mapping");
  if (b->n_gid_mappings == 0)
    diag_error (d, "linux.gidMappings", "a new user namespace needs at least one gid mapping");
  check_overlaps (d, "linux.uidMappings", b->uid_mappings, b->n_uid_mappings);
  check_overlaps (d, "linux.gidMappings", b->gid_mappings, b->n_gid_mappings);
  if (b->n_uid_mappings && !covered (b->uid_mappings, b->n_uid_mappings, b->process.uid))
    diag_error (d, "process.user.uid", "%u is not covered by linux.uidMappings", (unsigned) b->process.uid);
  if (b->n_gid_mappings && !covered (b->gid_mappings, b->n_gid_mappings, b->process.gid))
    diag_error (d, "process.user.gid", "%u is not covered by linux.gidMappings", (unsigned) b->process.gid);
  for (size_t i = 0; i < b->process.n_additional_gids; i++)
    if (b->n_gid_mappings && !covered (b->gid_mappings, b->n_gid_mappings, b->process.additional_gids[i]))
      {
        cleanup_free char *p = xasprintf ("process.user.additionalGids[%zu]", i);
        diag_error (d, p, "%u is not covered by linux.gidMappings", (unsigned) b->process.additional_gids[i]);
      }
}

/* Plain decimal text ("30", "2.5", ".5", "1e3"), as the schema says:
 * strtod alone would also take " 30", "+30" and hexadecimal "0x1e". */
static bool
decimal_text (const char *s)
{
  static const char digits[] = "0123456789";
  size_t whole = strspn (s, digits);
  const char *p = s + whole;
  size_t frac = 0;
  if (*p == '.')
    {
      frac = strspn (p + 1, digits);
      p += 1 + frac;
    }
  if (whole + frac == 0)
    return false;
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      size_t exp = strspn (p, digits);
      if (exp == 0)
        return false;
      p += exp;
    }
  return *p == '\0';
}

static void
validate_annotations (struct fmr_bundle *b, struct diag_list *d)
{
  b->kill_after_sec = -1;
  for (size_t i = 0; i < b->n_annotations; i++)
    {
      const struct fmr_annotation *a = &b->annotations[i];
      if (strncmp (a->key, FMR_ANNOTATION_PREFIX, strlen (FMR_ANNOTATION_PREFIX)) != 0)
        continue;
      cleanup_free char *p = xasprintf ("annotations.%s", a->key);
      const char *name = a->key + strlen (FMR_ANNOTATION_PREFIX);
      /* run.fmr.note.*: what `spec` chose and why, for people; run ignores it. */
      if (strncmp (name, "note.", 5) == 0)
        continue;
      double *dest = strcmp (name, "timeout") == 0      ? &b->timeout_sec
                     : strcmp (name, "kill-after") == 0 ? &b->kill_after_sec
                                                        : NULL;
      if (dest == NULL)
        diag_error (d, p,
                    "unknown fmr-run annotation (known: " FMR_ANNOTATION_PREFIX "timeout, " FMR_ANNOTATION_PREFIX
                    "kill-after, " FMR_ANNOTATION_PREFIX "note.*)");
      else if (!decimal_text (a->value) || !parse_seconds (a->value, dest))
        diag_error (d, p, "\"%s\" is not a positive number of seconds", a->value);
    }
}

static void
validate_root (struct fmr_bundle *b, struct diag_list *d)
{
  if (b->root_path == NULL)
    return;
  struct stat st;
  if (stat (b->root_path, &st) < 0)
    diag_error (d, "root.path", "%s: %s", b->root_path, strerror (errno));
  else if (!S_ISDIR (st.st_mode))
    diag_error (d, "root.path", "%s is not a directory", b->root_path);
}

/* A bind of a proc file system shows the processes of the pid namespace
 * it belongs to.  Only the sandbox's own user namespace keeps their
 * environ, mem, root and fd unreadable (ptrace access to a task of an
 * outer user namespace needs a capability there), and only its own pid
 * namespace keeps them out of kill's reach. */
static void
validate_proc_binds (struct fmr_bundle *b, struct diag_list *d)
{
  const struct fmr_namespace *user = fmr_bundle_namespace (b, CLONE_NEWUSER);
  const struct fmr_namespace *pid = fmr_bundle_namespace (b, CLONE_NEWPID);
  bool new_user = user && user->path == NULL, new_pid = pid && pid->path == NULL;
  if (new_user && new_pid)
    return;
  for (size_t i = 0; i < b->n_mounts; i++)
    {
      const struct fmr_mount *m = &b->mounts[i];
      struct statfs sfs;
      if (m->kind != FMR_MOUNT_BIND || m->source == NULL || statfs (m->source, &sfs) < 0
          || sfs.f_type != PROC_SUPER_MAGIC)
        continue;
      cleanup_free char *p = xasprintf ("mounts[%zu].source", i);
      diag_error (d, p,
                  "%s is a proc file system: binding it needs new %s%s%s namespaces in linux.namespaces (add "
                  "%s%s%s), which keep the outer processes' environ, mem, root and fd unreadable and out of "
                  "kill's reach; or mount a fresh proc (type \"proc\")",
                  m->source, new_user ? "" : "user", new_user || new_pid ? "" : " and ", new_pid ? "" : "pid",
                  new_user ? "" : "{\"type\": \"user\"}", new_user || new_pid ? "" : " and ",
                  new_pid ? "" : "{\"type\": \"pid\"}");
    }
}

int
config_validate (struct fmr_bundle *b, struct diag_list *d)
{
  size_t before = d->n_errors;
  validate_root (b, d);
  const struct fmr_namespace *mnt = fmr_bundle_namespace (b, CLONE_NEWNS);
  if (mnt == NULL || mnt->path)
    diag_error (d, "linux.namespaces", "fmr-run needs a new mount namespace (type \"mount\", no path)");
  validate_user_namespace (b, d);
  validate_proc_binds (b, d);
  validate_mount_idmaps (b, d);
  const struct fmr_namespace *uts = fmr_bundle_namespace (b, CLONE_NEWUTS);
  bool new_uts = uts && uts->path == NULL;
  if (b->hostname && !new_uts)
    diag_error (d, "hostname", "needs a new uts namespace in linux.namespaces");
  if (b->domainname && !new_uts)
    diag_error (d, "domainname", "needs a new uts namespace in linux.namespaces");
  validate_annotations (b, d);
  config_validate_sysctl (b, d);
  config_validate_kernel (b, d);
  return d->n_errors > before ? -1 : 0;
}
