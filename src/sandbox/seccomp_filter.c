/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bundle/names.h"
#include "sandbox/seccomp_filter.h"
#include "common/util.h"

static uint32_t
action_of (enum fmr_seccomp_action a, bool has_errno, unsigned errno_ret)
{
  switch (a)
    {
    case FMR_SCMP_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
    case FMR_SCMP_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
    case FMR_SCMP_TRAP: return SCMP_ACT_TRAP;
    case FMR_SCMP_ERRNO: return SCMP_ACT_ERRNO (has_errno ? errno_ret : EPERM);
    case FMR_SCMP_TRACE: return SCMP_ACT_TRACE (has_errno ? errno_ret : EPERM);
    case FMR_SCMP_LOG: return SCMP_ACT_LOG;
    case FMR_SCMP_ALLOW: return SCMP_ACT_ALLOW;
    }
  return SCMP_ACT_KILL_PROCESS;
}

/* Resolved once by the validator: libseccomp's number, a pseudo-syscall
 * for names only another architecture has, or for a syscall newer than
 * libseccomp (r->newer) its unified number, which goes in the prefix. */
static int
syscall_number (const struct fmr_seccomp_rule *r, size_t i)
{
  return r->syscall_nrs ? r->syscall_nrs[i] : seccomp_syscall_resolve_name (r->names[i]);
}

/* OCI ANDs all args of a rule; libseccomp refuses two comparisons of the
 * same argument in one rule, so a rule that has them is split in one rule
 * per comparison of the repeated argument, as crun does.  Validation
 * refused more than FMR_SECCOMP_MAX_ARGS comparisons. */
static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, const struct fmr_seccomp_rule *r)
{
  struct scmp_arg_cmp cmp[FMR_SECCOMP_MAX_ARGS];
  unsigned n = 0;
  bool seen[FMR_SECCOMP_MAX_ARGS] = { false };
  bool repeated = false;
  for (size_t a = 0; a < r->n_args && n < FMR_SECCOMP_MAX_ARGS; a++)
    {
      if (seen[r->args[a].index])
        repeated = true;
      seen[r->args[a].index] = true;
      cmp[n++] = (struct scmp_arg_cmp){ r->args[a].index, r->args[a].op, r->args[a].value, r->args[a].value_two };
    }
  if (!repeated)
    return seccomp_rule_add_array (ctx, action, nr, n, cmp);
  for (unsigned a = 0; a < n; a++)
    {
      int rc = seccomp_rule_add_array (ctx, action, nr, 1, &cmp[a]);
      if (rc < 0)
        return rc;
    }
  return 0;
}

static int
add_rules (scmp_filter_ctx ctx, const struct fmr_seccomp *s, uint32_t default_action, fmr_error_t *err)
{
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct fmr_seccomp_rule *r = &s->rules[i];
      uint32_t action = action_of (r->action, r->has_errno_ret, r->errno_ret);
      if (action == default_action)
        continue; /* libseccomp refuses a rule equal to the default */
      for (size_t k = 0; k < r->n_names; k++)
        {
          int nr = syscall_number (r, k);
          if (nr == __NR_SCMP_ERROR || (r->newer && r->newer[k]))
            continue; /* not a syscall of this architecture, or in the prefix */
          int rc = add_rule (ctx, action, nr, r);
          if (rc == -EEXIST)
            return fmr_error_set (err, -rc,
                                  "linux.seccomp.syscalls[%zu]: `%s` with the same args has another "
                                  "action in an earlier rule, which libseccomp refuses",
                                  i, r->names[k]);
          if (rc < 0)
            return fmr_error_set (err, -rc, "linux.seccomp.syscalls[%zu].names[%zu]: add rule for `%s`", i, k,
                                  r->names[k]);
        }
    }
  return 0;
}

/* More than every libseccomp architecture. */
#define FMR_SECCOMP_MAX_FILTER_ARCHES 32

/* Architectures the running kernel can execute: the native one and its
 * compat modes.  The kernel never hands a filter a syscall of any other
 * architecture (a foreign binary runs through an emulator that makes
 * native syscalls), so filter code for one could never match: leaving it
 * out weakens nothing and makes the filter smaller and faster to build. */
static bool
arch_runs_here (uint32_t arch, uint32_t native)
{
  static const uint32_t families[][4] = {
    { SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32, 0 },
    { SCMP_ARCH_AARCH64, SCMP_ARCH_ARM, 0, 0 },
    { SCMP_ARCH_S390X, SCMP_ARCH_S390, 0, 0 },
    { SCMP_ARCH_PPC64, SCMP_ARCH_PPC64LE, SCMP_ARCH_PPC, 0 },
    { SCMP_ARCH_MIPS64, SCMP_ARCH_MIPS64N32, SCMP_ARCH_MIPS, 0 },
    { SCMP_ARCH_MIPSEL64, SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_MIPSEL, 0 },
  };
  int fam_arch = -1, fam_native = -1;
  for (size_t f = 0; f < ARRAY_SIZE (families); f++)
    for (size_t k = 0; k < 4 && families[f][k]; k++)
      {
        if (families[f][k] == arch)
          fam_arch = (int) f;
        if (families[f][k] == native)
          fam_native = (int) f;
      }
  /* An architecture this table does not know is kept: keeping is always
   * safe, only leaving out needs to be sure. */
  return arch == native || fam_arch < 0 || fam_native < 0 || fam_arch == fam_native;
}

/* The architectures of the filter: the native one, which libseccomp
 * always has, and those of linux.seccomp.architectures that run here.
 * Returns how many were stored in ARCHES. */
static size_t
filter_arches (const struct fmr_seccomp *s, uint32_t *arches, size_t max)
{
  uint32_t native = seccomp_arch_native ();
  size_t n = 0;
  arches[n++] = native;
  for (size_t i = 0; i < s->n_arches && n < max; i++)
    {
      bool dup = false;
      for (size_t k = 0; k < n; k++)
        dup |= arches[k] == s->arches[i];
      if (!dup && arch_runs_here (s->arches[i], native))
        arches[n++] = s->arches[i];
    }
  return n;
}

static int
add_arches (scmp_filter_ctx ctx, const struct fmr_seccomp *s, fmr_error_t *err)
{
  uint32_t native = seccomp_arch_native ();
  for (size_t i = 0; i < s->n_arches; i++)
    {
      if (!arch_runs_here (s->arches[i], native))
        continue;
      int rc = seccomp_arch_add (ctx, s->arches[i]);
      if (rc < 0 && rc != -EEXIST)
        return fmr_error_set (err, -rc, "linux.seccomp.architectures[%zu]: seccomp_arch_add", i);
    }
  return 0;
}

/* Syscalls newer than libseccomp (mseal for libseccomp 2.5.4).  libseccomp
 * puts a number it has no name for only into a one-architecture filter of
 * the native architecture: for any other architecture it translates the
 * number through its native table, finds nothing and fails (EFAULT).  So
 * the rules for these syscalls (validation allows them no args) become a
 * short program in front of libseccomp's, one block per architecture, with
 * each architecture's own number (fmr_syscall_unified_nr_arch):
 *
 *   A = arch; if (A != ARCH) skip the block; A = nr;
 *   if (A == NR1) return ACTION1; if (A == NR2) return ACTION2; ...
 *
 * A syscall it does not match falls through to libseccomp's program, which
 * loads what it compares itself.  Jumps are relative, so prepending leaves
 * libseccomp's program valid. */
struct newer_entry
{
  uint32_t nr, action;
};

/* Jump offsets are 8 bits: a block holds at most this many entries. */
#define PREFIX_BLOCK_ENTRIES 100

/* x32 syscalls reach the filter as AUDIT_ARCH_X86_64 with the x32 bit in
 * the number (which fmr_syscall_unified_nr_arch includes). */
static uint32_t
audit_arch (uint32_t arch)
{
  return arch == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : arch;
}

static void
emit (struct sock_filter *prog, size_t *n, struct sock_filter insn)
{
  prog[(*n)++] = insn;
}

static void
emit_block (struct sock_filter *prog, size_t *n, uint32_t arch, const struct newer_entry *e, size_t count)
{
  emit (prog, n, (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch)));
  emit (prog, n, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, audit_arch (arch), 0, 1 + 2 * count));
  emit (prog, n, (struct sock_filter) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)));
  for (size_t i = 0; i < count; i++)
    {
      emit (prog, n, (struct sock_filter) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, e[i].nr, 0, 1));
      emit (prog, n, (struct sock_filter) BPF_STMT (BPF_RET | BPF_K, e[i].action));
    }
}

/* The entries of ARCH, first rule first (the first match returns). */
static int
newer_entries (const struct fmr_seccomp *s, uint32_t arch, uint32_t default_action, struct newer_entry *out, size_t *n,
               fmr_error_t *err)
{
  *n = 0;
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct fmr_seccomp_rule *r = &s->rules[i];
      uint32_t action = action_of (r->action, r->has_errno_ret, r->errno_ret);
      for (size_t k = 0; r->newer && k < r->n_names; k++)
        {
          if (!r->newer[k] || action == default_action)
            continue;
          int nr = fmr_syscall_unified_nr_arch (arch, r->names[k]);
          if (nr < 0)
            return fmr_error_set (err, ENOSYS,
                                  "linux.seccomp.syscalls[%zu].names[%zu]: no number for `%s` on "
                                  "architecture 0x%x",
                                  i, k, r->names[k], arch);
          out[(*n)++] = (struct newer_entry){ (uint32_t) nr, action };
        }
    }
  return 0;
}

static size_t
count_newer (const struct fmr_seccomp *s)
{
  size_t n = 0;
  for (size_t i = 0; i < s->n_rules; i++)
    for (size_t k = 0; s->rules[i].newer && k < s->rules[i].n_names; k++)
      n += s->rules[i].newer[k];
  return n;
}

/* Put the prefix for the newer syscalls in front of OUT's program. */
static int
prepend_newer (const struct fmr_seccomp *s, uint32_t default_action, struct fmr_bpf *out, fmr_error_t *err)
{
  size_t n_newer = count_newer (s);
  if (n_newer == 0)
    return 0;
  uint32_t arches[FMR_SECCOMP_MAX_FILTER_ARCHES];
  size_t n_arches = filter_arches (s, arches, ARRAY_SIZE (arches));
  cleanup_free struct newer_entry *entries = xcalloc (n_newer, sizeof *entries);
  size_t blocks = n_arches * (n_newer / PREFIX_BLOCK_ENTRIES + 1);
  size_t cap = blocks * 3 + n_newer * 2 * n_arches + out->len;
  if (cap > BPF_MAXINSNS)
    return fmr_error_set (err, E2BIG, "linux.seccomp: the filter needs %zu BPF instructions, the kernel takes %d", cap,
                          BPF_MAXINSNS);
  struct sock_filter *prog = xcalloc (cap, sizeof *prog);
  size_t len = 0;
  for (size_t a = 0; a < n_arches; a++)
    {
      size_t n;
      if (newer_entries (s, arches[a], default_action, entries, &n, err) < 0)
        {
          free (prog);
          return -1;
        }
      for (size_t first = 0; first < n; first += PREFIX_BLOCK_ENTRIES)
        emit_block (prog, &len, arches[a], entries + first,
                    n - first < PREFIX_BLOCK_ENTRIES ? n - first : PREFIX_BLOCK_ENTRIES);
    }
  memcpy (prog + len, out->insns, out->len * sizeof *prog);
  len += out->len;
  free (out->insns);
  out->insns = prog;
  out->len = (unsigned short) len;
  return 0;
}

/* linux.seccomp.flags become flags of the seccomp(2) call that loads the
 * filter; the validator accepted only these names. */
static int
load_flags (const struct fmr_seccomp *s, unsigned *flags, fmr_error_t *err)
{
  static const struct
  {
    const char *name;
    unsigned flag;
  } known[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
    { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  };
  *flags = 0;
  for (size_t i = 0; i < s->n_flags; i++)
    {
      size_t k = 0;
      while (k < ARRAY_SIZE (known) && strcmp (known[k].name, s->flags[i]) != 0)
        k++;
      if (k == ARRAY_SIZE (known))
        return fmr_error_set (err, EINVAL, "linux.seccomp.flags[%zu]: %s", i, s->flags[i]);
      *flags |= known[k].flag;
    }
  return 0;
}

/* libseccomp 2.5 exports only to a descriptor: export into a memfd and
 * read the program back. */
static int
export_bpf (scmp_filter_ctx ctx, struct fmr_bpf *out, fmr_error_t *err)
{
  cleanup_close int fd = memfd_create ("fmr-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return fmr_error_set (err, errno, "linux.seccomp: memfd_create");
  int rc = seccomp_export_bpf (ctx, fd);
  if (rc < 0)
    return fmr_error_set (err, -rc, "linux.seccomp: seccomp_export_bpf");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return fmr_error_set (err, errno, "linux.seccomp: fstat");
  size_t n = (size_t) st.st_size / sizeof (struct sock_filter);
  if (n == 0 || (size_t) st.st_size % sizeof (struct sock_filter) != 0)
    return fmr_error_set (err, EPROTO, "linux.seccomp: libseccomp exported %lld bytes", (long long) st.st_size);
  if (n > BPF_MAXINSNS)
    return fmr_error_set (err, E2BIG, "linux.seccomp: the filter needs %zu BPF instructions, the kernel takes %d", n,
                          BPF_MAXINSNS);
  out->insns = xcalloc (n, sizeof (struct sock_filter));
  out->len = (unsigned short) n;
  if (pread (fd, out->insns, n * sizeof (struct sock_filter), 0) != (ssize_t) (n * sizeof (struct sock_filter)))
    {
      seccomp_bpf_free (out);
      return fmr_error_set (err, errno ? errno : EIO, "linux.seccomp: read back the filter");
    }
  return 0;
}

int
seccomp_compile_libseccomp (const struct fmr_seccomp *s, struct fmr_bpf *out, fmr_error_t *err)
{
  *out = (struct fmr_bpf){ 0 };
  uint32_t def = action_of (s->default_action, s->has_default_errno_ret, s->default_errno_ret);
  scmp_filter_ctx ctx = seccomp_init (def);
  if (ctx == NULL)
    return fmr_error_set (err, EINVAL, "linux.seccomp.defaultAction: seccomp_init");
  int r = load_flags (s, &out->flags, err);
  if (r == 0)
    r = add_arches (ctx, s, err);
  if (r == 0)
    r = add_rules (ctx, s, def, err);
  if (r == 0)
    r = export_bpf (ctx, out, err);
  if (r == 0)
    r = prepend_newer (s, def, out, err);
  if (r < 0)
    seccomp_bpf_free (out);
  seccomp_release (ctx);
  return r;
}

/* The canonical form: fixed-width fields, either written into a growing
 * buffer (the generator) or compared as they come against an expected
 * one (run: no copy is made). */
struct canon
{
  unsigned char *buf;
  size_t len, cap;
  const unsigned char *expect; /* compare mode when not NULL */
  size_t expect_len;
  bool differs;
};

static void
canon_put (struct canon *c, const void *p, size_t n)
{
  if (c->expect)
    {
      if (c->differs || c->len + n > c->expect_len || memcmp (c->expect + c->len, p, n) != 0)
        c->differs = true;
      else
        c->len += n;
      return;
    }
  if (c->len + n > c->cap)
    {
      c->cap = (c->len + n) * 2 + 256;
      c->buf = xrealloc (c->buf, c->cap);
    }
  memcpy (c->buf + c->len, p, n);
  c->len += n;
}

static void
canon_u64 (struct canon *c, uint64_t v)
{
  canon_put (c, &v, sizeof v);
}

static void
canon_str (struct canon *c, const char *str)
{
  size_t n = strlen (str);
  canon_u64 (c, n);
  canon_put (c, str, n);
}

static void
canon_write (struct canon *c, const struct fmr_seccomp *s)
{
  canon_str (c, "fmr-seccomp-1");
  canon_u64 (c, s->default_action);
  canon_u64 (c, s->has_default_errno_ret);
  canon_u64 (c, s->default_errno_ret);
  canon_u64 (c, s->n_arches);
  for (size_t i = 0; i < s->n_arches; i++)
    canon_u64 (c, s->arches[i]);
  canon_u64 (c, s->n_flags);
  for (size_t i = 0; i < s->n_flags; i++)
    canon_str (c, s->flags[i]);
  canon_u64 (c, s->n_rules);
  for (size_t i = 0; i < s->n_rules && !c->differs; i++)
    {
      const struct fmr_seccomp_rule *r = &s->rules[i];
      canon_u64 (c, r->action);
      canon_u64 (c, r->has_errno_ret);
      canon_u64 (c, r->errno_ret);
      canon_u64 (c, r->n_names);
      for (size_t k = 0; k < r->n_names; k++)
        {
          canon_str (c, r->names[k]);
          canon_u64 (c, (uint64_t) (int64_t) syscall_number (r, k));
        }
      canon_u64 (c, r->n_args);
      for (size_t a = 0; a < r->n_args; a++)
        {
          canon_u64 (c, r->args[a].index);
          canon_u64 (c, (uint64_t) (int64_t) r->args[a].op);
          canon_u64 (c, r->args[a].value);
          canon_u64 (c, r->args[a].value_two);
        }
    }
}

unsigned char *
seccomp_canonical (const struct fmr_seccomp *s, size_t *len)
{
  struct canon c = { 0 };
  canon_write (&c, s);
  *len = c.len;
  return c.buf;
}

bool
seccomp_precompiled_take (const struct fmr_seccomp *s, const struct fmr_precompiled_bpf *p, struct fmr_bpf *out)
{
  if (p->len == 0 || p->arch != seccomp_arch_native ())
    return false;
  const struct scmp_version *v = seccomp_version ();
  if (v == NULL || v->major != p->lib_major || v->minor != p->lib_minor || v->micro != p->lib_micro)
    return false;
  struct canon c = { .expect = p->canonical, .expect_len = p->canonical_len };
  canon_write (&c, s);
  if (c.differs || c.len != p->canonical_len)
    return false;
  fmr_error_t ignored = NULL;
  unsigned flags;
  if (load_flags (s, &flags, &ignored) < 0)
    {
      fmr_error_release (&ignored);
      return false; /* libseccomp's path reports it */
    }
  out->insns = xcalloc (p->len, sizeof (struct sock_filter));
  memcpy (out->insns, p->insns, p->len * sizeof (struct sock_filter));
  out->len = p->len;
  out->flags = flags;
  out->precompiled = true;
  return true;
}

int
seccomp_compile (const struct fmr_seccomp *s, struct fmr_bpf *out, fmr_error_t *err)
{
  *out = (struct fmr_bpf){ 0 };
  if (seccomp_precompiled_take (s, &fmr_seccomp_default_bpf, out))
    return 0;
  return seccomp_compile_libseccomp (s, out, err);
}

int
seccomp_load_bpf (const struct fmr_bpf *bpf, fmr_error_t *err)
{
  struct sock_fprog prog = { .len = bpf->len, .filter = bpf->insns };
  if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, bpf->flags, &prog) == 0)
    return 0;
  if (errno == EACCES)
    return fmr_error_set (err, errno,
                          "linux.seccomp: loading a filter needs process.noNewPrivileges "
                          "or CAP_SYS_ADMIN in process.capabilities");
  if (errno == EINVAL && bpf->flags)
    return fmr_error_set (err, errno, "linux.seccomp.flags: seccomp(SECCOMP_SET_MODE_FILTER, 0x%x)", bpf->flags);
  return fmr_error_set (err, errno, "linux.seccomp: seccomp(SECCOMP_SET_MODE_FILTER)");
}

void
seccomp_bpf_free (struct fmr_bpf *bpf)
{
  free (bpf->insns);
  *bpf = (struct fmr_bpf){ 0 };
}

int
seccomp_apply (const struct fmr_seccomp *s, fmr_error_t *err)
{
  if (s == NULL)
    return 0;
  struct fmr_bpf bpf;
  if (seccomp_compile (s, &bpf, err) < 0)
    return -1;
  int r = seccomp_load_bpf (&bpf, err);
  seccomp_bpf_free (&bpf);
  return r;
}
