/* SPDX-License-Identifier: Apache-2.0 */
/* `explain`: a bundle's grants in a reviewer's terms (see explain.h). */
#include "config.h"

#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/explain.h"
#include "bundle/names.h"
#include "common/util.h"

/* id in the sandbox -> host id through a user namespace's maps. */
static bool
map_to_host (const struct fmr_id_mapping *m, size_t n, uint32_t id, uint32_t *host)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
      {
        *host = m[i].host_id + (id - m[i].container_id);
        return true;
      }
  return false;
}

static bool
host_id_mapped (const struct fmr_id_mapping *m, size_t n, uint32_t host)
{
  for (size_t i = 0; i < n; i++)
    if (host >= m[i].host_id && host - m[i].host_id < m[i].size)
      return true;
  return false;
}

static bool
new_ns (const struct fmr_bundle *b, int type)
{
  return (b->clone_flags & type) != 0;
}

static struct explain_path *
add_path (struct bundle_explain *e, const char *path)
{
  e->paths = xreallocarray (e->paths, e->n_paths + 1, sizeof *e->paths);
  struct explain_path *p = &e->paths[e->n_paths++];
  *p = (struct explain_path){ .path = path };
  return p;
}

static void
add_weaker (struct bundle_explain *e, char *what, char *why)
{
  e->weaker = xreallocarray (e->weaker, e->n_weaker + 1, sizeof *e->weaker);
  e->weaker[e->n_weaker++] = (struct explain_note){ what, why };
}

static void
add_line (char ***v, size_t *n, char *line)
{
  *v = xreallocarray (*v, *n + 1, sizeof **v);
  (*v)[(*n)++] = line;
}

static bool
under (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Writable binds and root: whose files the step writes there, and
 * whether the sandbox maps the owner of what is there already. */
/* ID as an idmapped mount's mapping M shows it (containerID -> hostID);
 * false when M does not map it. */
static bool
through_idmap (const struct fmr_id_mapping *m, size_t n, uint32_t id, uint32_t *out)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container_id && id - m[i].container_id < m[i].size)
      {
        *out = m[i].host_id + (id - m[i].container_id);
        return true;
      }
  return false;
}

/* The reverse: the id on disk of what HOST_ID writes through M. */
static bool
back_through_idmap (const struct fmr_id_mapping *m, size_t n, uint32_t host_id, uint32_t *out)
{
  for (size_t i = 0; i < n; i++)
    if (host_id >= m[i].host_id && host_id - m[i].host_id < m[i].size)
      {
        *out = m[i].container_id + (host_id - m[i].host_id);
        return true;
      }
  return false;
}

/* M (NULL for the root): an idmapped bind with no mapping of its own uses
 * the sandbox's. */
static void
owners (const struct bundle_explain *e, const struct fmr_bundle *b, const struct fmr_mount *m, struct explain_path *p)
{
  p->has_owner = e->host_uid_mapped;
  p->owner_uid = e->host_uid;
  p->owner_gid = e->host_gid;
  bool idmap = m && m->idmap;
  const struct fmr_id_mapping *um = idmap && m->n_uid_mappings ? m->uid_mappings : b->uid_mappings;
  size_t un = idmap && m->n_uid_mappings ? m->n_uid_mappings : b->n_uid_mappings;
  const struct fmr_id_mapping *gm = idmap && m->n_gid_mappings ? m->gid_mappings : b->gid_mappings;
  size_t gn = idmap && m->n_gid_mappings ? m->n_gid_mappings : b->n_gid_mappings;
  if (idmap && p->has_owner)
    {
      uint32_t u = 0, g = 0;
      p->has_owner = back_through_idmap (um, un, (uint32_t) p->owner_uid, &u)
                     && back_through_idmap (gm, gn, (uint32_t) p->owner_gid, &g);
      p->owner_uid = u;
      p->owner_gid = g;
    }
  struct stat st;
  if (p->source && stat (p->source, &st) == 0)
    {
      p->source_known = true;
      p->source_uid = st.st_uid;
      uint32_t shown = st.st_uid;
      p->source_uid_mapped = !e->user_ns
                             || ((!idmap || through_idmap (um, un, st.st_uid, &shown))
                                 && host_id_mapped (b->uid_mappings, b->n_uid_mappings, shown));
    }
}

/* The uid in the sandbox that owns what PID 1 mounts (a tmpfs's root):
 * the caller's own uid as the sandbox's maps show it (the one who runs
 * explain is taken to be the one who will run the bundle). */
static bool
mounter_is_step (const struct fmr_bundle *b, const struct bundle_explain *e)
{
  uint32_t caller = (uint32_t) geteuid ();
  if (!(b->clone_flags & CLONE_NEWUSER))
    return caller == e->uid;
  for (size_t i = 0; i < b->n_uid_mappings; i++)
    {
      const struct fmr_id_mapping *m = &b->uid_mappings[i];
      if (caller >= m->host_id && caller - m->host_id < m->size)
        return m->container_id + (caller - m->host_id) == e->uid;
    }
  /* The caller is not mapped (a root caller's build uid): PID 1 takes the
   * payload's ids before it mounts (sandbox.c, take_mapped_ids). */
  return true;
}

/* Whether the step can create files at the top of m (apart from the
 * read-only flag): never in proc, sysfs or devpts, nor in a bind of the
 * host's /proc or /sys; in a tmpfs whose mode lacks o+w, only as its
 * owner (the step holds no capability to override modes). */
static bool
creatable (const struct fmr_bundle *b, const struct bundle_explain *e, const struct fmr_mount *m)
{
  switch (m->kind)
    {
    case FMR_MOUNT_PROC:
    case FMR_MOUNT_SYSFS:
    case FMR_MOUNT_DEVPTS: return false;
    case FMR_MOUNT_BIND: return !under (m->source, "/proc") && !under (m->source, "/sys");
    case FMR_MOUNT_TMPFS:
      {
        const char *mode = m->data ? strstr (m->data, "mode=") : NULL;
        if (mode == NULL || (strtoul (mode + 5, NULL, 8) & 0002))
          return true;
        return mounter_is_step (b, e);
      }
    default: return true;
    }
}

static char *
mount_what (const struct fmr_bundle *b, const struct fmr_mount *m)
{
  switch (m->kind)
    {
    case FMR_MOUNT_BIND:
      if (under (m->source, "/proc"))
        return xasprintf ("bind of the host's %s: every host process, with its command line", m->source);
      return xstrdup (m->recursive ? "bind, with the mounts below it" : "bind");
    case FMR_MOUNT_TMPFS:
      return xasprintf ("tmpfs: empty, private, gone after the run%s%s%s", m->data ? " (" : "", m->data ? m->data : "",
                        m->data ? ")" : "");
    case FMR_MOUNT_PROC:
      return xstrdup (new_ns (b, CLONE_NEWPID) ? "fresh proc: only the sandbox's own processes"
                                               : "proc of the host's pid namespace: every host process");
    case FMR_MOUNT_DEVPTS: return xstrdup ("devpts: the sandbox's own terminals");
    case FMR_MOUNT_MQUEUE:
      return xstrdup (new_ns (b, CLONE_NEWIPC) ? "mqueue of its own ipc namespace"
                                               : "mqueue: the host's POSIX message queues");
    case FMR_MOUNT_SYSFS: return xstrdup ("sysfs: the host's devices and kernel settings");
    }
  return xstrdup ("mount");
}

static void
explain_paths (const struct fmr_bundle *b, struct bundle_explain *e)
{
  struct explain_path *root = add_path (e, "/");
  root->source = xstrdup (b->root_path);
  root->what = xstrdup ("the bundle's root directory");
  root->writable = !b->root_readonly;
  if (root->writable)
    owners (e, b, NULL, root);
  for (size_t i = 0; i < b->n_mounts; i++)
    {
      const struct fmr_mount *m = &b->mounts[i];
      bool shadowed = false;
      for (size_t j = i + 1; j < b->n_mounts; j++)
        shadowed |= strcmp (b->mounts[j].destination, m->destination) == 0;
      if (shadowed)
        continue; /* a later mount at the same place is what the step sees */
      struct explain_path *p = add_path (e, m->destination);
      p->what = mount_what (b, m);
      p->writable = !(m->flags & MS_RDONLY) && creatable (b, e, m);
      if (m->kind == FMR_MOUNT_BIND)
        {
          p->source = xstrdup (m->source);
          if (p->writable)
            owners (e, b, m, p);
        }
      if (m->kind == FMR_MOUNT_TMPFS && strcmp (m->destination, "/dev") == 0)
        {
          char *w = xasprintf ("%s; fmr-run adds null, zero, full, random, urandom, tty and the ptmx, fd and "
                               "std* links",
                               p->what);
          free (p->what);
          p->what = w;
        }
    }
  for (size_t i = 0; i < b->n_readonly_paths; i++)
    {
      struct explain_path *p = add_path (e, b->readonly_paths[i]);
      p->what = xstrdup ("made read-only where it exists (linux.readonlyPaths)");
    }
  for (size_t i = 0; i < b->n_masked_paths; i++)
    {
      struct explain_path *p = add_path (e, b->masked_paths[i]);
      p->what = xstrdup ("hidden where it exists (linux.maskedPaths)");
      p->hidden = true;
    }
}

static const struct fmr_mount *
last_mount_at (const struct fmr_bundle *b, const char *dest)
{
  const struct fmr_mount *found = NULL;
  for (size_t i = 0; i < b->n_mounts; i++)
    if (strcmp (b->mounts[i].destination, dest) == 0)
      found = &b->mounts[i];
  return found;
}

static void
explain_network (const struct fmr_bundle *b, struct bundle_explain *e)
{
  const struct fmr_namespace *net = fmr_bundle_namespace (b, CLONE_NEWNET);
  if (net && net->path == NULL)
    {
      e->network = xstrdup ("none: its own network namespace, with only the loopback interface lo");
      return;
    }
  if (net)
    {
      e->network = xasprintf ("the network namespace at %s, and whatever it reaches", net->path);
      return;
    }
  e->network_host = true;
  e->network = xstrdup ("the host's: every interface, address and listening socket the host has, "
                        "and every network the host reaches");
  struct if_nameindex *ifs = if_nameindex ();
  for (struct if_nameindex *i = ifs; i && i->if_name; i++)
    add_line (&e->interfaces, &e->n_interfaces, xstrdup (i->if_name));
  if (ifs)
    if_freenameindex (ifs);
  add_weaker (e, xstrdup ("no network namespace"),
              xstrdup ("the step reaches the host's network and the services listening on its loopback"));
}

static void
explain_processes (const struct fmr_bundle *b, struct bundle_explain *e)
{
  const struct fmr_mount *proc = last_mount_at (b, "/proc");
  bool pid_ns = new_ns (b, CLONE_NEWPID);
  bool host_proc = proc && proc->kind == FMR_MOUNT_BIND && under (proc->source, "/proc");
  e->host_processes_visible = !pid_ns || host_proc;
  if (!pid_ns)
    {
      e->processes = xstrdup ("every host process: it shares the host's pid namespace, lists them in /proc "
                              "and can signal those of its own uid");
      add_weaker (e, xstrdup ("no pid namespace"),
                  xstrdup ("the step sees the host's processes and can signal "
                           "those running as its uid"));
    }
  else if (host_proc)
    {
      e->processes = xasprintf ("every host process is listed in /proc (a bind of the host's %s), with its "
                                "command line; it can signal only its own",
                                proc->source);
      add_weaker (e, xasprintf ("/proc is a bind of the host's %s, not a fresh proc", proc->source),
                  xstrdup ("the step lists every host process and reads their command lines"));
    }
  else if (proc == NULL)
    e->processes = xstrdup ("only its own (its own pid namespace; no /proc is mounted)");
  else
    e->processes = xstrdup ("only its own: its own pid namespace and a fresh /proc");
  e->ipc = xstrdup (new_ns (b, CLONE_NEWIPC) ? "its own System V IPC and POSIX message queues"
                                             : "the host's System V IPC (shared memory, semaphores, queues)");
  if (!new_ns (b, CLONE_NEWIPC))
    add_weaker (e, xstrdup ("no ipc namespace"), xstrdup ("the step reaches the host's System V IPC objects"));
  if (new_ns (b, CLONE_NEWUTS))
    e->hostname = xasprintf ("its own: \"%s\"", b->hostname ? b->hostname : "(the host's name, copied)");
  else
    e->hostname = xstrdup ("the host's");
}

static char *
limit_text (uint64_t v)
{
  return v == (uint64_t) RLIM_INFINITY ? xstrdup ("unlimited") : xasprintf ("%llu", (unsigned long long) v);
}

static void
explain_limits (const struct fmr_bundle *b, struct bundle_explain *e)
{
  for (size_t i = 0; i < b->process.n_rlimits; i++)
    {
      const struct fmr_rlimit *r = &b->process.rlimits[i];
      cleanup_free char *soft = limit_text (r->soft), *hard = limit_text (r->hard);
      add_line (&e->limits, &e->n_limits, xasprintf ("%s soft %s, hard %s", r->type, soft, hard));
    }
  if (b->timeout_sec > 0)
    add_line (&e->limits, &e->n_limits, xasprintf ("stopped after %g s (run.fmr.timeout)", b->timeout_sec));
  else
    add_line (&e->limits, &e->n_limits, xstrdup ("no timeout (only `run --timeout`)"));
}

static void
explain_privileges (const struct fmr_bundle *b, struct bundle_explain *e)
{
  const struct fmr_process *p = &b->process;
  uint64_t any = 0;
  for (int s = 0; s < FMR_CAP_NSETS; s++)
    any |= p->caps[s];
  char *caps;
  if (!p->has_capabilities)
    caps = xstrdup ("capabilities: the defaults of its uid (process.capabilities is absent)");
  else if (any == 0)
    caps = xstrdup ("no capabilities");
  else
    {
      char *buf = NULL;
      size_t size = 0;
      FILE *f = open_memstream (&buf, &size);
      fputs ("capabilities (bounding set):", f);
      for (int c = 0; c < 64; c++)
        if (p->caps[FMR_CAP_BOUNDING] & (1ULL << c))
          fprintf (f, " %s", fmr_cap_name (c) ? fmr_cap_name (c) : "?");
      fclose (f);
      caps = buf;
      add_weaker (e, xstrdup ("capabilities"), xasprintf ("the step holds %s", caps));
    }
  e->privileges = xasprintf ("%s; %s", caps,
                             p->no_new_privileges ? "no new privileges (setuid binaries do not "
                                                    "raise them)"
                                                  : "setuid binaries can raise privileges");
  free (caps);
  if (!p->no_new_privileges)
    add_weaker (e, xstrdup ("process.noNewPrivileges is false"),
                xstrdup ("a setuid binary bound into the sandbox can raise the step's privileges"));
}

static const char *
action_text (enum fmr_seccomp_action a, bool has_errno, unsigned errno_ret, char *buf, size_t n)
{
  switch (a)
    {
    case FMR_SCMP_KILL_THREAD: return "kill the thread";
    case FMR_SCMP_KILL_PROCESS: return "kill the process";
    case FMR_SCMP_TRAP: return "SIGSYS";
    case FMR_SCMP_ERRNO:
      snprintf (buf, n, "refused with %s", strerrorname_np ((int) (has_errno ? errno_ret : 1)) ?: "an errno");
      return buf;
    case FMR_SCMP_TRACE: return "handed to a tracer";
    case FMR_SCMP_LOG: return "allowed and logged";
    case FMR_SCMP_ALLOW: return "allowed";
    }
  return "?";
}

/* Whether rule j's k-th name appeared in a rule of the same action before
 * (a call with several argument conditions has several rules). */
static bool
named_before (const struct fmr_seccomp *s, size_t j, size_t k)
{
  const struct fmr_seccomp_rule *q = &s->rules[j];
  for (size_t i = 0; i <= j; i++)
    {
      const struct fmr_seccomp_rule *r = &s->rules[i];
      if (r->action != q->action || r->errno_ret != q->errno_ret)
        continue;
      for (size_t n = 0; n < (i == j ? k : r->n_names); n++)
        if (strcmp (r->names[n], q->names[k]) == 0)
          return true;
    }
  return false;
}

/* One line per distinct action of the rules: the action and the calls. */
static void
explain_seccomp (const struct fmr_bundle *b, struct bundle_explain *e)
{
  const struct fmr_seccomp *s = b->seccomp;
  char buf[64];
  if (s == NULL)
    {
      e->seccomp = xstrdup ("no filter: every system call is allowed");
      add_weaker (e, xstrdup ("no seccomp filter"),
                  xstrdup ("mount, unshare, ptrace, keyctl, bpf and the like reach the kernel"));
      return;
    }
  e->seccomp
      = xasprintf ("a filter; calls no rule names are %s",
                   action_text (s->default_action, s->has_default_errno_ret, s->default_errno_ret, buf, sizeof buf));
  bool *done = xcalloc (s->n_rules + 1, sizeof *done);
  for (size_t i = 0; i < s->n_rules; i++)
    {
      if (done[i])
        continue;
      const struct fmr_seccomp_rule *r = &s->rules[i];
      char *names = NULL;
      size_t size = 0, count = 0;
      bool conditional = false;
      FILE *f = open_memstream (&names, &size);
      for (size_t j = i; j < s->n_rules; j++)
        {
          const struct fmr_seccomp_rule *q = &s->rules[j];
          if (q->action != r->action || q->has_errno_ret != r->has_errno_ret
              || (q->has_errno_ret && q->errno_ret != r->errno_ret))
            continue;
          done[j] = true;
          conditional |= q->n_args > 0;
          for (size_t k = 0; k < q->n_names; k++)
            if (!named_before (s, j, k))
              fprintf (f, "%s%s", count++ ? " " : "", q->names[k]);
        }
      fclose (f);
      char head[96];
      snprintf (head, sizeof head, "%s", action_text (r->action, r->has_errno_ret, r->errno_ret, buf, sizeof buf));
      add_line (&e->seccomp_rules, &e->n_seccomp_rules,
                xasprintf ("%s (%zu call%s%s): %s", head, count, count == 1 ? "" : "s",
                           conditional ? ", some only with certain arguments" : "", names));
      free (names);
    }
  free (done);
}

static void
explain_user (const struct fmr_bundle *b, struct bundle_explain *e)
{
  e->uid = b->process.uid;
  e->gid = b->process.gid;
  e->user_ns = new_ns (b, CLONE_NEWUSER) || fmr_bundle_namespace (b, CLONE_NEWUSER) != NULL;
  uint32_t hu = e->uid, hg = e->gid;
  if (new_ns (b, CLONE_NEWUSER))
    {
      e->host_uid_mapped = map_to_host (b->uid_mappings, b->n_uid_mappings, e->uid, &hu);
      e->host_gid_mapped = map_to_host (b->gid_mappings, b->n_gid_mappings, e->gid, &hg);
      for (size_t i = 0; i < b->n_uid_mappings; i++)
        e->n_uids_mapped += b->uid_mappings[i].size;
    }
  else
    {
      e->host_uid_mapped = e->host_gid_mapped = true;
      if (!e->user_ns)
        add_weaker (e, xstrdup ("no user namespace"),
                    xasprintf ("the step runs as host uid %u itself, with that uid's access to every file "
                               "bound in",
                               (unsigned) e->uid));
    }
  e->host_uid = hu;
  e->host_gid = hg;
}

static void
explain_rest (const struct fmr_bundle *b, struct bundle_explain *e)
{
  if (!new_ns (b, CLONE_NEWUTS))
    add_weaker (e, xstrdup ("no uts namespace"), xstrdup ("the step can read the host's name (not change it)"));
  if (!new_ns (b, CLONE_NEWCGROUP))
    add_weaker (e, xstrdup ("no cgroup namespace"), xstrdup ("the step sees the host's cgroup paths"));
  if (!b->root_readonly)
    add_weaker (e, xstrdup ("root.readonly is false"), xasprintf ("the step can write into %s", b->root_path));
  for (size_t i = 0; i < b->n_mounts; i++)
    if (b->mounts[i].kind == FMR_MOUNT_SYSFS)
      add_weaker (e, xasprintf ("mounts[%zu]: sysfs at %s", i, b->mounts[i].destination),
                  xstrdup ("the step reads the host's device and kernel settings"));
  const size_t plen = strlen (FMR_ANNOTATION_PREFIX);
  for (size_t i = 0; i < b->n_annotations; i++)
    {
      const struct fmr_annotation *a = &b->annotations[i];
      if (strncmp (a->key, FMR_ANNOTATION_PREFIX, plen) != 0 || strcmp (a->key + plen, "timeout") == 0
          || strcmp (a->key + plen, "kill-after") == 0)
        continue;
      e->degraded = xreallocarray (e->degraded, e->n_degraded + 1, sizeof *e->degraded);
      e->degraded[e->n_degraded++] = a;
    }
}

void
bundle_explain (const struct fmr_bundle *b, struct bundle_explain *e)
{
  *e = (struct bundle_explain){ 0 };
  e->args = (const char *const *) b->process.args;
  e->cwd = b->process.cwd;
  explain_user (b, e);
  explain_paths (b, e);
  explain_network (b, e);
  explain_processes (b, e);
  e->env_names = xcalloc (b->process.n_env + 1, sizeof *e->env_names);
  for (size_t i = 0; i < b->process.n_env; i++)
    e->env_names[e->n_env++] = xstrndup (b->process.env[i], strcspn (b->process.env[i], "="));
  explain_limits (b, e);
  explain_privileges (b, e);
  explain_seccomp (b, e);
  explain_rest (b, e);
}

static void
free_lines (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

void
bundle_explain_release (struct bundle_explain *e)
{
  for (size_t i = 0; i < e->n_paths; i++)
    {
      free (e->paths[i].source);
      free (e->paths[i].what);
    }
  free (e->paths);
  for (size_t i = 0; i < e->n_weaker; i++)
    {
      free (e->weaker[i].what);
      free (e->weaker[i].why);
    }
  free (e->weaker);
  free (e->degraded);
  free_lines (e->interfaces, e->n_interfaces);
  free_lines (e->env_names, e->n_env);
  free_lines (e->limits, e->n_limits);
  free_lines (e->seccomp_rules, e->n_seccomp_rules);
  free (e->network);
  free (e->processes);
  free (e->ipc);
  free (e->hostname);
  free (e->privileges);
  free (e->seccomp);
  *e = (struct bundle_explain){ 0 };
}
