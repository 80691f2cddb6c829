/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "sandbox/caps.h"
#include "bundle/names.h"

int
caps_keep_across_setuid (fmr_error_t *err)
{
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return fmr_error_set (err, errno, "process.capabilities: prctl PR_SET_KEEPCAPS");
  return 0;
}

static bool
has (const struct fmr_process *p, enum fmr_cap_set set, int cap)
{
  return (p->caps[set] >> cap) & 1;
}

static int
drop_bounding (const struct fmr_process *p, int last, fmr_error_t *err)
{
  for (int c = 0; c <= last; c++)
    if (!has (p, FMR_CAP_BOUNDING, c) && prctl (PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      return fmr_error_set (err, errno, "process.capabilities.bounding: drop %s", fmr_cap_name (c));
  return 0;
}

static int
set_process_caps (const struct fmr_process *p, int last, fmr_error_t *err)
{
  cap_t caps = cap_init ();
  if (caps == NULL)
    return fmr_error_set (err, errno, "process.capabilities: cap_init");
  static const struct
  {
    enum fmr_cap_set set;
    cap_flag_t flag;
  } sets[] = {
    { FMR_CAP_EFFECTIVE, CAP_EFFECTIVE },
    { FMR_CAP_PERMITTED, CAP_PERMITTED },
    { FMR_CAP_INHERITABLE, CAP_INHERITABLE },
  };
  for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++)
    for (int c = 0; c <= last; c++)
      if (has (p, sets[s].set, c))
        {
          cap_value_t v = c;
          cap_set_flag (caps, sets[s].flag, 1, &v, CAP_SET);
        }
  int r = cap_set_proc (caps);
  int saved = errno;
  cap_free (caps);
  if (r < 0)
    return fmr_error_set (err, saved, "process.capabilities: cap_set_proc");
  return 0;
}

static int
set_ambient (const struct fmr_process *p, int last, fmr_error_t *err)
{
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return fmr_error_set (err, errno, "process.capabilities.ambient: clear");
  for (int c = 0; c <= last; c++)
    if (has (p, FMR_CAP_AMBIENT, c) && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      return fmr_error_set (err, errno, "process.capabilities.ambient: raise %s", fmr_cap_name (c));
  return 0;
}

/* libcap probes the running kernel's last capability once, when it is
 * loaded (PR_CAPBSET_READ); no need to read /proc/sys in the payload. */
static int
last_cap (void)
{
  return (int) cap_max_bits () - 1;
}

int
caps_drop_bounding (const struct fmr_process *p, fmr_error_t *err)
{
  return drop_bounding (p, last_cap (), err);
}

int
caps_apply (const struct fmr_process *p, fmr_error_t *err)
{
  int last = last_cap ();
  if (set_process_caps (p, last, err) < 0)
    return -1;
  return set_ambient (p, last, err);
}
