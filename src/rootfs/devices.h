/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_DEVICES_H
#define FMR_DEVICES_H

#include "common/error.h"

/* The OCI default devices in the tmpfs the bundle mounted on /dev (DEV_FD,
 * resolved inside the new root, before pivot_root): null, zero, full,
 * random, urandom and tty bound from the host's /dev onto empty files (no
 * mknod in a user namespace; binds work as root too), and the links fd,
 * stdin, stdout, stderr and ptmx.  An entry the bundle already provides is
 * left alone.  Errors name "/dev/NAME". */
int devices_setup (int dev_fd, fmr_error_t *err);

#endif
