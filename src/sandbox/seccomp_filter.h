/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SECCOMP_FILTER_H
#define FMR_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle/bundle.h"
#include "common/error.h"

/* linux.seccomp compiled to classic BPF, as seccomp(2) takes it.  Built
 * with libseccomp once, so that it can be made before the sandbox needs it
 * and loaded with one system call, last before exec. */
struct fmr_bpf
{
  struct sock_filter *insns;
  unsigned short len;
  unsigned flags;   /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
  bool precompiled; /* taken from the build's default program, not libseccomp */
};

/* The default profile (schemas/seccomp-default.json) compiled at build
 * time by gen_seccomp_default for the build's native architecture, with
 * the canonical form of the rule list it was made from.  It stands in for
 * libseccomp only for a linux.seccomp whose canonical form is the same
 * byte for byte, on the same native architecture, with the same libseccomp
 * version: anything else is compiled as usual. */
struct fmr_precompiled_bpf
{
  const unsigned char *canonical;
  size_t canonical_len;
  const struct sock_filter *insns;
  unsigned short len; /* 0: none (cross-compiled, or the generator itself) */
  uint32_t arch;      /* seccomp_arch_native () of the build */
  unsigned lib_major, lib_minor, lib_micro;
};
/* Defined by the generated src/sandbox/seccomp-default-bpf.c, linked into
 * fmr-run and the tests (src/libfmr_bpf.a). */
extern const struct fmr_precompiled_bpf fmr_seccomp_default_bpf;

/* Every field of a parsed and validated linux.seccomp that the compiled
 * program depends on, in a fixed order, the syscall numbers as resolved:
 * equal bytes, equal program.  Freed by the caller. */
unsigned char *seccomp_canonical (const struct fmr_seccomp *s, size_t *len);
/* True when p was made from s, here: then *out is a copy of it. */
bool seccomp_precompiled_take (const struct fmr_seccomp *s, const struct fmr_precompiled_bpf *p, struct fmr_bpf *out);
/* libseccomp, never the precompiled program. */
int seccomp_compile_libseccomp (const struct fmr_seccomp *s, struct fmr_bpf *out, fmr_error_t *err);

/* Translate linux.seccomp: the precompiled default program when it is the
 * default profile, else with libseccomp: default action (with its errno),
 * the architectures this kernel can run (a foreign one can never reach the
 * filter), every rule with its argument comparisons. */
int seccomp_compile (const struct fmr_seccomp *s, struct fmr_bpf *out, fmr_error_t *err);
/* Load into the calling thread; needs no_new_privs or CAP_SYS_ADMIN. */
int seccomp_load_bpf (const struct fmr_bpf *bpf, fmr_error_t *err);
void seccomp_bpf_free (struct fmr_bpf *bpf);

/* Compile and load in one go; a NULL s (no linux.seccomp) does nothing. */
int seccomp_apply (const struct fmr_seccomp *s, fmr_error_t *err);

#endif
