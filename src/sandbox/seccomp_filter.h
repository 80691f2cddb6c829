/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SECCOMP_FILTER_H
#define FMR_SECCOMP_FILTER_H

#include <linux/filter.h>

#include "bundle/bundle.h"
#include "common/error.h"

/* linux.seccomp compiled to classic BPF, as seccomp(2) takes it.  Built
 * with libseccomp once, so that it can be made before the sandbox needs it
 * and loaded with one system call, last before exec. */
struct fmr_bpf
{
  struct sock_filter *insns;
  unsigned short len;
  unsigned flags; /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
};

/* Translate linux.seccomp with libseccomp: default action (with its
 * errno), the architectures this kernel can run (a foreign one can never
 * reach the filter), every rule with its argument comparisons. */
int seccomp_compile (const struct fmr_seccomp *s, struct fmr_bpf *out, fmr_error_t *err);
/* Load into the calling thread; needs no_new_privs or CAP_SYS_ADMIN. */
int seccomp_load_bpf (const struct fmr_bpf *bpf, fmr_error_t *err);
void seccomp_bpf_free (struct fmr_bpf *bpf);

/* Compile and load in one go; a NULL s (no linux.seccomp) does nothing. */
int seccomp_apply (const struct fmr_seccomp *s, fmr_error_t *err);

#endif
