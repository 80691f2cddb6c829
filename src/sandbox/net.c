/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/net.h"
#include "common/util.h"

/* Two ioctls on a datagram socket do what `ip link set lo up` does with
 * netlink, without a helper program. */
int
net_loopback_up (fmr_error_t *err)
{
  cleanup_close int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return fmr_error_set (err, errno, "linux.namespaces: network: socket");
  struct ifreq ifr;
  memset (&ifr, 0, sizeof ifr);
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (s, SIOCGIFFLAGS, &ifr) < 0)
    return fmr_error_set (err, errno, "linux.namespaces: network: SIOCGIFFLAGS lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (s, SIOCSIFFLAGS, &ifr) < 0)
    return fmr_error_set (err, errno, "linux.namespaces: network: SIOCSIFFLAGS lo up");
  return 0;
}

int
net_set_names (const struct fmr_bundle *b, fmr_error_t *err)
{
  if (b->hostname && sethostname (b->hostname, strlen (b->hostname)) < 0)
    return fmr_error_set (err, errno, "hostname: sethostname `%s`", b->hostname);
  if (b->domainname && setdomainname (b->domainname, strlen (b->domainname)) < 0)
    return fmr_error_set (err, errno, "domainname: setdomainname `%s`", b->domainname);
  return 0;
}
