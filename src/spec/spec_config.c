/* SPDX-License-Identifier: Apache-2.0 */
/* config.json of `fmr-run spec`: the recommended sandbox for one wheel
 * build step, written with keys in a fixed order so that a person can read,
 * diff and edit it. */
#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include <yajl/yajl_tree.h>

#include "bundle/bundle.h"
#include "spec/spec.h"
#include "common/jsongen.h"
#include "common/util.h"

/* schemas/seccomp-default.json, embedded at build time (schemas/local.mk). */
static const char seccomp_default_json[] = {
#include "spec/seccomp-default.inc"
};

static const char *const no_caps[] = { NULL };

static const char *const masked_paths[] = {
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/sys/firmware",
  "/sys/devices/virtual/powercap",
  NULL,
};

static const char *const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const char *const namespaces[] = { "user", "mount", "pid", "network", "ipc", "uts", "cgroup", NULL };

static void
gen_rlimit (struct jgen *j, const char *type, long long hard, long long soft)
{
  jgen_map_open (j);
  jgen_kv_str (j, "type", type);
  jgen_kv_int (j, "hard", hard);
  jgen_kv_int (j, "soft", soft);
  jgen_map_close (j);
}

/* RLIMIT_NPROC counts the processes and threads of the payload's user in
 * the sandbox, and through kernel.pid_max also bounds a sandbox root
 * starts (src/pidlimit.c).  4096: a build runs a few tasks per job (make's
 * shell, the compiler driver, cc1, as; ninja, cargo and rustc hold to their
 * -j or jobserver too), a few hundred at -j128, plus tens of threads per
 * JVM or Python worker pool; that leaves an order of magnitude of room,
 * while a fork bomb stops at 4096 tasks, an eighth of the 32768 pids of a
 * host that keeps the kernel's default pid_max.  Never above the caller's
 * own hard limit: raising it needs CAP_SYS_RESOURCE on the host, and the
 * kernel's default (RAM / 256 KiB) is below 4096 on a host with less than
 * 1 GiB, where `run` would otherwise fail. */
#define SPEC_NPROC 4096

static long long
spec_nproc (void)
{
  struct rlimit rl;
  if (getrlimit (RLIMIT_NPROC, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < SPEC_NPROC)
    return (long long) rl.rlim_max;
  return SPEC_NPROC;
}

static void
gen_process (struct jgen *j, const struct spec_options *o)
{
  static const char *const cap_sets[] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
  jgen_str (j, "process");
  jgen_map_open (j);
  jgen_kv_bool (j, "terminal", false);
  jgen_str (j, "user");
  jgen_map_open (j);
  jgen_kv_int (j, "uid", o->uid);
  jgen_kv_int (j, "gid", o->gid);
  jgen_kv_int (j, "umask", 022);
  jgen_map_close (j);
  jgen_kv_strv (j, "args", (const char *const *) o->args);
  jgen_str (j, "env");
  jgen_array_open (j);
  for (size_t i = 0; i < o->n_env; i++)
    jgen_str (j, o->env[i]);
  jgen_array_close (j);
  jgen_kv_str (j, "cwd", o->cwd);
  jgen_str (j, "capabilities");
  jgen_map_open (j);
  for (size_t i = 0; i < ARRAY_SIZE (cap_sets); i++)
    jgen_kv_strv (j, cap_sets[i], no_caps);
  jgen_map_close (j);
  jgen_str (j, "rlimits");
  jgen_array_open (j);
  gen_rlimit (j, "RLIMIT_NOFILE", 1024, 1024);
  gen_rlimit (j, "RLIMIT_CORE", 0, 0);
  gen_rlimit (j, "RLIMIT_NPROC", spec_nproc (), spec_nproc ());
  jgen_array_close (j);
  jgen_kv_bool (j, "noNewPrivileges", true);
  jgen_map_close (j);
}

static void
gen_mount (struct jgen *j, const char *destination, const char *type, const char *source, const char *const *options)
{
  jgen_map_open (j);
  jgen_kv_str (j, "destination", destination);
  jgen_kv_str (j, "type", type);
  jgen_kv_str (j, "source", source);
  jgen_kv_strv (j, "options", options);
  jgen_map_close (j);
}

static void gen_id_mapping (struct jgen *j, const char *key, long long container_id, long long host_id);

/* A bind of the caller's with a build uid: idmapped (OCI 1.1), so that the
 * caller's ids on disk are the payload's inside, and what the payload
 * writes is the caller's on the host. */
static void
gen_idmapped_bind (struct jgen *j, const struct spec_options *o, const struct spec_bind *bind)
{
  static const char *const ro_tree[] = { "rbind", "ro", "nosuid", "nodev", "ridmap", NULL };
  static const char *const rw_tree[] = { "rbind", "rw", "nosuid", "nodev", "ridmap", NULL };
  jgen_map_open (j);
  jgen_kv_str (j, "destination", bind->path);
  jgen_kv_str (j, "type", "bind");
  jgen_kv_str (j, "source", bind->path);
  jgen_kv_strv (j, "options", bind->writable ? rw_tree : ro_tree);
  gen_id_mapping (j, "uidMappings", o->uid, o->host_uid);
  gen_id_mapping (j, "gidMappings", o->gid, o->host_gid);
  jgen_map_close (j);
}

/* A fresh proc of the sandbox's pid namespace, or where the host refuses
 * one (spec_proc.c) the outer /proc bound read-only with what is mounted
 * below it; the masked and read-only paths apply to either. */
static void
gen_proc_mount (struct jgen *j, enum spec_proc proc)
{
  if (proc == SPEC_PROC_BIND)
    gen_mount (j, "/proc", "bind", "/proc", (const char *[]){ "rbind", "ro", "nosuid", "nodev", "noexec", NULL });
  else if (proc != SPEC_PROC_NONE)
    gen_mount (j, "/proc", "proc", "proc", (const char *[]){ "nosuid", "noexec", "nodev", NULL });
}

static void
gen_kernel_mounts (struct jgen *j, const struct spec_options *o)
{
  gen_proc_mount (j, o->proc);
  gen_mount (j, "/dev", "tmpfs", "tmpfs", (const char *[]){ "nosuid", "strictatime", "mode=755", "size=65536k", NULL });
  gen_mount (j, "/dev/pts", "devpts", "devpts",
             (const char *[]){ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL });
  gen_mount (j, "/dev/shm", "tmpfs", "shm",
             (const char *[]){ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL });
  gen_mount (j, "/dev/mqueue", "mqueue", "mqueue", (const char *[]){ "nosuid", "noexec", "nodev", NULL });
  /* Not noexec: configure scripts, CMake's try_run and pip's build
   * isolation compile and run programs under /tmp.  The size bounds the
   * memory a runaway build can pin in tmpfs pages; a builder that needs
   * more binds a real directory with --rw. */
  gen_mount (j, "/tmp", "tmpfs", "tmpfs", (const char *[]){ "nosuid", "nodev", "mode=1777", "size=4g", NULL });
}

static void
gen_mounts (struct jgen *j, const struct spec_options *o, const struct spec_host *h)
{
  static const char *const ro_tree[] = { "rbind", "ro", "nosuid", "nodev", NULL };
  static const char *const rw_tree[] = { "rbind", "rw", "nosuid", "nodev", NULL };
  static const char *const ro_file[] = { "bind", "ro", "nosuid", "nodev", NULL };
  jgen_str (j, "mounts");
  jgen_array_open (j);
  gen_kernel_mounts (j, o);
  for (size_t i = 0; i < h->n_system_dirs; i++)
    gen_mount (j, h->system_dirs[i], "bind", h->system_dirs[i], ro_tree);
  for (size_t i = 0; i < h->n_etc_files; i++)
    gen_mount (j, h->etc_files[i], "bind", h->etc_files[i], ro_file);
  for (size_t i = 0; i < o->n_binds; i++)
    if (o->idmap_binds)
      gen_idmapped_bind (j, o, &o->binds[i]);
    else
      gen_mount (j, o->binds[i].path, "bind", o->binds[i].path, o->binds[i].writable ? rw_tree : ro_tree);
  for (size_t i = 0; i < o->n_tmpfs; i++)
    gen_mount (j, o->tmpfs[i], "tmpfs", "tmpfs", (const char *[]){ "nosuid", "nodev", "mode=700", NULL });
  jgen_array_close (j);
}

static void
gen_id_mapping (struct jgen *j, const char *key, long long container_id, long long host_id)
{
  jgen_str (j, key);
  jgen_array_open (j);
  jgen_map_open (j);
  jgen_kv_int (j, "containerID", container_id);
  jgen_kv_int (j, "hostID", host_id);
  jgen_kv_int (j, "size", 1);
  jgen_map_close (j);
  jgen_array_close (j);
}

/* Without /proc (--proc none) the paths below it name nothing. */
static void
gen_paths (struct jgen *j, const char *key, const char *const *paths, bool no_proc)
{
  jgen_str (j, key);
  jgen_array_open (j);
  for (size_t i = 0; paths[i]; i++)
    if (!no_proc || strncmp (paths[i], "/proc/", 6) != 0)
      jgen_str (j, paths[i]);
  jgen_array_close (j);
}

static int
gen_seccomp (struct jgen *j, fmr_error_t *err)
{
  char errbuf[256] = "";
  yajl_val tree = yajl_tree_parse (seccomp_default_json, errbuf, sizeof errbuf);
  if (tree == NULL)
    return fmr_error_set (err, 0, "built-in seccomp profile: %s", errbuf);
  jgen_str (j, "seccomp");
  jgen_tree (j, tree);
  yajl_tree_free (tree);
  return 0;
}

static int
gen_linux (struct jgen *j, const struct spec_options *o, fmr_error_t *err)
{
  jgen_str (j, "linux");
  jgen_map_open (j);
  gen_id_mapping (j, "uidMappings", o->uid, o->host_uid);
  gen_id_mapping (j, "gidMappings", o->gid, o->host_gid);
  jgen_str (j, "namespaces");
  jgen_array_open (j);
  for (size_t i = 0; namespaces[i]; i++)
    {
      /* --network shares the host's network: no namespace of its own. */
      if (o->network && strcmp (namespaces[i], "network") == 0)
        continue;
      jgen_map_open (j);
      jgen_kv_str (j, "type", namespaces[i]);
      jgen_map_close (j);
    }
  jgen_array_close (j);
  gen_paths (j, "maskedPaths", masked_paths, o->proc == SPEC_PROC_NONE);
  gen_paths (j, "readonlyPaths", readonly_paths, o->proc == SPEC_PROC_NONE);
  if (gen_seccomp (j, err) < 0)
    return -1;
  jgen_map_close (j);
  return 0;
}

int
spec_config_generate (const struct spec_options *o, const struct spec_host *h, char **out, size_t *len,
                      fmr_error_t *err)
{
  cleanup_jgen struct jgen j;
  jgen_init (&j);
  jgen_map_open (&j);
  jgen_kv_str (&j, "ociVersion", "1.0.2");
  gen_process (&j, o);
  jgen_str (&j, "root");
  jgen_map_open (&j);
  jgen_kv_str (&j, "path", "rootfs");
  jgen_kv_bool (&j, "readonly", true);
  jgen_map_close (&j);
  if (!o->no_hostname)
    jgen_kv_str (&j, "hostname", o->hostname ? o->hostname : "localhost");
  gen_mounts (&j, o, h);
  if (gen_linux (&j, o, err) < 0)
    return -1;
  if (o->timeout || o->n_notes || o->build_note || o->owners_note)
    {
      jgen_str (&j, "annotations");
      jgen_map_open (&j);
      if (o->timeout)
        jgen_kv_str (&j, FMR_ANNOTATION_PREFIX "timeout", o->timeout);
      for (size_t i = 0; i < o->n_notes; i++)
        jgen_kv_str (&j, o->notes[i].key, o->notes[i].value);
      if (o->build_note)
        jgen_kv_str (&j, FMR_ANNOTATION_PREFIX "note.build-uid", o->build_note);
      if (o->owners_note)
        jgen_kv_str (&j, FMR_ANNOTATION_PREFIX "note.owners", o->owners_note);
      jgen_map_close (&j);
    }
  jgen_map_close (&j);
  return jgen_finish (&j, out, len, err);
}
