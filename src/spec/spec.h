/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SPEC_H
#define FMR_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

/* `fmr-run spec`: what the options ask for (spec_options), what the host
 * has (spec_host), and the two outputs made from them: config.json and
 * rootfs/. */

struct spec_bind
{
  char *path; /* absolute, bound at the same path inside */
  bool writable;
};

/* How /proc gets into the sandbox (spec_proc.c). */
enum spec_proc
{
  SPEC_PROC_AUTO,  /* fresh when this host allows it, else bind */
  SPEC_PROC_FRESH, /* a new proc of the sandbox's pid namespace */
  SPEC_PROC_BIND,  /* the outer /proc, bound read-only */
  SPEC_PROC_NONE,  /* no /proc */
};

/* An annotation of the bundle that says what spec chose and why. */
struct spec_note
{
  const char *key; /* "run.fmr.note.proc" */
  char *value;
};

#define SPEC_MAX_NOTES 4

struct spec_options
{
  struct spec_bind *binds; /* --ro and --rw in command-line order */
  size_t n_binds;
  char **env; /* "NAME=VALUE"; a later NAME replaces an earlier one */
  size_t n_env;
  char *cwd;
  char *const *args;   /* NULL-terminated */
  const char *timeout; /* NULL: no annotation */
  bool network;
  /* Who the payload is (spec_ids.c): uid and gid inside (the caller's),
   * mapped to host_uid and host_gid on the host: the caller's own, or a
   * build uid for a root caller. */
  uid_t uid;
  gid_t gid;
  /* Set by spec_environment_decide (spec_proc.c). */
  enum spec_proc proc;
  bool no_hostname; /* sethostname is refused in a new uts namespace */
  struct spec_note notes[SPEC_MAX_NOTES];
  size_t n_notes;
  /* --keep-env / --delete-env patterns ("NAME" or "PREFIX*") */
  char **keep_env;
  size_t n_keep_env;
  char **delete_env;
  size_t n_delete_env;
  char **tmpfs; /* --tmpfs: private empty directories, after the binds */
  size_t n_tmpfs;
  char *hostname; /* NULL: "localhost" */
  uid_t host_uid;
  gid_t host_gid;
  bool idmap_binds;         /* --ro/--rw binds idmapped: the caller's ids on disk shown as host_uid */
  char *build_note;         /* run.fmr.note.build-uid: what was chosen and why; NULL for an unprivileged caller */
  const char *build_source; /* where the build uid came from */
  bool privileged;          /* root, or CAP_SETUID: may map and chown */
  bool quiet;               /* no stderr line on a fallback (check) */
  char *owners_note;        /* run.fmr.note.owners: the writable trees made the caller's (spec_owners.c) */
  bool build_uid_given;     /* --build-uid UID[:GID] */
  bool ids_given;           /* --uid or --gid: those ids mapped to themselves, no build uid */
  uid_t build_uid;
  gid_t build_gid;
};

/* Top-level directories that usr-merged distributions turn into links. */
#define SPEC_MAX_TOPDIRS 6

struct spec_host
{
  struct
  {
    const char *name; /* "bin" */
    char *target;     /* "usr/bin" */
  } links[SPEC_MAX_TOPDIRS];
  size_t n_links;
  const char *system_dirs[SPEC_MAX_TOPDIRS + 1]; /* "/usr", then real /lib64 ... */
  size_t n_system_dirs;
  const char *etc_files[32]; /* "/etc/passwd" ... those present on the host */
  size_t n_etc_files;
};

void spec_options_release (struct spec_options *o);
/* Set NAME=VALUE, replacing an earlier NAME. */
void spec_env_set (struct spec_options *o, const char *name_value);

/* Fill uid, gid, host_uid, host_gid, idmap_binds and build_note for the
 * caller and the binds (after the options are parsed).  A fallback to
 * the caller's own ids is said on stderr. */
int spec_ids_choose (struct spec_options *o, fmr_error_t *err);

/* A privileged caller's --rw trees: every entry of another owner made the
 * caller's (owners_note says what was done). */
int spec_owners_normalise (struct spec_options *o, fmr_error_t *err);

int spec_host_probe (struct spec_host *h, bool network, fmr_error_t *err);
void spec_host_release (struct spec_host *h);
/* Create DIR/rootfs with the host's usr-merge links (rootfs may exist). */
int spec_rootfs_write (const char *dir, const struct spec_host *h, fmr_error_t *err);
/* With a build uid, the mount points in DIR/rootfs: PID 1 takes the
 * payload's ids before it mounts, and those may not create anything in a
 * rootfs of the caller's. */
int spec_rootfs_mount_points (const char *dir, const struct spec_options *o, const struct spec_host *h,
                              fmr_error_t *err);

/* --proc fresh|bind|none|auto into O->proc. */
int spec_proc_parse (struct spec_options *o, const char *arg, fmr_error_t *err);
/* Try, in a throw-away child with new user, pid, mount and uts
 * namespaces, what the bundle will ask of the kernel: a fresh proc mount
 * (unless --proc chose) and sethostname.  Sets O->proc and O->no_hostname
 * and adds a note (annotation and one stderr line) for each thing left
 * out or done differently.  Never fails: a host where not even the
 * probe can start keeps the full bundle, and `run` then says why. */
void spec_environment_decide (struct spec_options *o);
void spec_notes_release (struct spec_options *o);
/* The environment filter (spec_env.c). */
enum spec_env_verdict
{
  SPEC_ENV_DROP,
  SPEC_ENV_KEEP,         /* kept explicitly: value unchanged */
  SPEC_ENV_KEEP_CLEANED, /* allowed: URL credentials removed from the value */
};
/* NAME (LEN bytes) decided with O's keep/delete patterns and SCRUB, the
 * value of FROMAGER_SCRUB_ENV_VARS (or NULL). */
enum spec_env_verdict spec_env_decide (const struct spec_options *o, const char *scrub, const char *name, size_t len);
/* VALUE without the user:password@ part of any URL in it (allocated). */
char *spec_env_strip_credentials (const char *value);
/* Add the variables of ENVIRON_ that the filter keeps, except the names
 * in EXPLICIT_NAMES (set by --env, which wins). */
void spec_env_pass (struct spec_options *o, char **environ_, const char *const *explicit_names, size_t n_explicit);
/* Comma-separated patterns of option OPT appended to *LIST. */
int spec_env_add_patterns (char ***list, size_t *n, const char *arg, const char *opt, fmr_error_t *err);

/* --python PATH: its venv and base installation as read-only binds. */
int spec_add_python (struct spec_options *o, const char *path, fmr_error_t *err);
/* The binds in mount order (parents first, read-only wins, redundant ones
 * dropped); refuses writable system trees and binds of /proc, /dev, /sys. */
int spec_check_binds (struct spec_options *o, fmr_error_t *err);

/* Refuse a bundle directory DIR (may not exist yet) that lies inside a
 * writable bind: its step could rewrite the bundle before the next run. */
int spec_check_bundle_dir (const struct spec_options *o, const char *dir, fmr_error_t *err);

/* config.json's text. */
int spec_config_generate (const struct spec_options *o, const struct spec_host *h, char **out, size_t *len,
                          fmr_error_t *err);

#endif
