/* SPDX-License-Identifier: Apache-2.0 */
/* Attacks 4-6: the host's network and loopback services.  Every attempt
 * is bounded in time (non-blocking, then poll), so a hole shows as "ok"
 * or a timeout rather than a hung step. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hostile.h"

#define WAIT_MS 1000

/* Wait for fd to become ready for EVENTS; 0, or -errno (-ETIMEDOUT). */
static int
wait_for (int fd, short events)
{
  struct pollfd p = { .fd = fd, .events = events };
  int n = poll (&p, 1, WAIT_MS);
  if (n < 0)
    return -errno;
  return n == 0 ? -ETIMEDOUT : 0;
}

/* connect(2) on a non-blocking socket, waiting at most WAIT_MS: 0 or -errno. */
static int
connect_bounded (int fd, const struct sockaddr *sa, socklen_t len)
{
  if (fcntl (fd, F_SETFL, O_NONBLOCK) < 0)
    return -errno;
  if (connect (fd, sa, len) == 0)
    return 0;
  if (errno != EINPROGRESS)
    return -errno;
  int r = wait_for (fd, POLLOUT);
  if (r < 0)
    return r;
  int err = 0;
  socklen_t elen = sizeof err;
  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
    return -errno;
  return -err;
}

/* An IPv4 or IPv6 socket address for a numeric ADDR; its length or 0. */
static socklen_t
inet_address (const char *addr, int port, struct sockaddr_storage *ss)
{
  memset (ss, 0, sizeof *ss);
  struct sockaddr_in *in4 = (struct sockaddr_in *) ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;
  if (inet_pton (AF_INET, addr, &in4->sin_addr) == 1)
    {
      in4->sin_family = AF_INET;
      in4->sin_port = htons ((uint16_t) port);
      return sizeof *in4;
    }
  if (inet_pton (AF_INET6, addr, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons ((uint16_t) port);
      return sizeof *in6;
    }
  return 0;
}

static void
tcp_connect (const char *what, const char *addr, int port)
{
  struct sockaddr_storage ss;
  socklen_t len = inet_address (addr, port, &ss);
  int fd = socket (ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (len == 0 || fd < 0)
    {
      report_errno (what, len == 0 ? EINVAL : errno);
      return;
    }
  report_errno (what, -connect_bounded (fd, (struct sockaddr *) &ss, len));
  close (fd);
}

/* A datagram to ADDR:PORT on a connected UDP socket, then a wait for an
 * answer: a port nobody listens on answers ECONNREFUSED (ICMP), a listener
 * that does not reply leaves ETIMEDOUT. */
static void
udp_exchange (const char *what, const char *addr, int port, const void *msg, size_t size)
{
  char name[128];
  struct sockaddr_storage ss;
  socklen_t len = inet_address (addr, port, &ss);
  int fd = socket (ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (len == 0 || fd < 0)
    {
      report_errno (what, len == 0 ? EINVAL : errno);
      return;
    }
  snprintf (name, sizeof name, "%s:send", what);
  int sent = report (name, connect (fd, (struct sockaddr *) &ss, len) < 0 ? -1 : send (fd, msg, size, 0));
  if (sent == 0)
    {
      char buf[512];
      int r = wait_for (fd, POLLIN);
      snprintf (name, sizeof name, "%s:answer", what);
      report_errno (name, r < 0 ? -r : recv (fd, buf, sizeof buf, 0) < 0 ? errno : 0);
    }
  close (fd);
}

ATTACK (host_loopback, "host-loopback", "TCP_PORT UDP_PORT");
static int
host_loopback (int argc, char **argv)
{
  if (argc < 3)
    return 2;
  tcp_connect ("tcp:127.0.0.1", "127.0.0.1", atoi (argv[1]));
  udp_exchange ("udp:127.0.0.1", "127.0.0.1", atoi (argv[2]), "fmr-hostile", 11);
  return 0;
}

/* The names of the network interfaces, comma-separated, in index order. */
static int
interfaces (char *buf, size_t size)
{
  struct if_nameindex *ifs = if_nameindex ();
  if (!ifs)
    return -errno;
  buf[0] = '\0';
  for (struct if_nameindex *i = ifs; i->if_index; i++)
    snprintf (buf + strlen (buf), size - strlen (buf), "%s%s", buf[0] ? "," : "", i->if_name);
  if_freenameindex (ifs);
  return 0;
}

/* A DNS query for the A record of pypi.org. */
static const unsigned char dns_query[] = {
  0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* header, RD */
  4,    'p',  'y',  'p',  'i',  3,    'o',  'r',  'g',  0,    0x00, 0x01, 0x00, 0x01, /* pypi.org A IN */
};

/* Outside addresses.  This machine must send nothing to them, so the
 * attempts are made only where the interfaces are the sandbox's own (only
 * lo): anything else fails the test on "interfaces" without a packet. */
ATTACK (outside_network, "outside-network", "");
static int
outside_network (int argc, char **argv)
{
  (void) argc, (void) argv;
  char ifs[1024];
  int r = interfaces (ifs, sizeof ifs);
  if (r < 0)
    report_errno ("interfaces", -r);
  else
    report_value ("interfaces", "%s", ifs);
  if (r < 0 || strcmp (ifs, "lo") != 0)
    {
      report_value ("outside", "not-tried");
      return 1;
    }
  tcp_connect ("tcp:192.0.2.1:80", "192.0.2.1", 80);
  tcp_connect ("tcp:1.1.1.1:443", "1.1.1.1", 443);
  tcp_connect ("tcp:[2606:4700:4700::1111]:443", "2606:4700:4700::1111", 443);
  udp_exchange ("udp:8.8.8.8:53", "8.8.8.8", 53, dns_query, sizeof dns_query);
  udp_exchange ("udp:[2001:4860:4860::8888]:53", "2001:4860:4860::8888", 53, dns_query, sizeof dns_query);
  return 0;
}

/* A stream connect and a datagram to the abstract unix socket @NAME (and
 * @NAME-dgram). */
ATTACK (abstract_socket, "abstract-socket", "NAME");
static int
abstract_socket (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  static const int types[] = { SOCK_STREAM, SOCK_DGRAM };
  for (int i = 0; i < 2; i++)
    {
      struct sockaddr_un sun = { .sun_family = AF_UNIX };
      int n = snprintf (sun.sun_path + 1, sizeof sun.sun_path - 1, "%s%s", argv[1], i ? "-dgram" : "");
      socklen_t len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + 1 + (size_t) n);
      const char *what = i ? "abstract-dgram" : "abstract-stream";
      int fd = socket (AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
      if (fd < 0)
        {
          report_errno (what, errno);
          continue;
        }
      if (i == 0)
        report_errno (what, -connect_bounded (fd, (struct sockaddr *) &sun, len));
      else
        report (what, sendto (fd, "fmr-hostile", 11, 0, (struct sockaddr *) &sun, len));
      close (fd);
    }
  return 0;
}
