# SPDX-License-Identifier: Apache-2.0
"""Attacks 4-6: a service on the host's loopback, the outside network and
name resolution, and an abstract unix socket of the host.  The sandbox has a
network namespace of its own: only its own lo, and abstract unix sockets
belong to the network namespace too."""

import json
import os
import socket

from hostile import MODE, HostileTest

# Resolves each name given and prints "getaddrinfo:NAME ok" or the EAI_*
# name of the failure.  localhost comes from /etc/hosts (bound read-only),
# showing that the lookup itself works where nothing needs the network.
RESOLVE = """
import socket, sys
codes = {getattr(socket, n): n for n in dir(socket) if n.startswith("EAI_")}
for name in sys.argv[1:]:
    try:
        socket.getaddrinfo(name, 443)
        print(f"getaddrinfo:{name} ok")
    except socket.gaierror as e:
        print(f"getaddrinfo:{name} {codes.get(e.errno, e.errno)}")
"""


class Network(HostileTest):
    maxDiff = None

    def listener(self, family, kind, address):
        """A non-blocking socket bound to ADDRESS (listening if a stream),
        closed at the end of the test."""
        s = socket.socket(family, kind)
        self.addCleanup(s.close)
        s.bind(address)
        if kind == socket.SOCK_STREAM:
            s.listen(8)
        s.setblocking(False)
        return s

    def assertNothingArrived(self, *sockets):
        for s in sockets:
            with self.assertRaises(BlockingIOError, msg=f"{s} got something"):
                if s.type == socket.SOCK_STREAM:
                    s.accept()[0].close()
                else:
                    s.recv(64)

    def assertArrived(self, stream, dgram):
        conn, _ = stream.accept()
        conn.close()
        self.assertEqual(dgram.recv(64), b"fmr-hostile")

    def test_04_connect_to_a_tcp_service_on_the_host_loopback(self):
        tcp = self.listener(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 0))
        udp = self.listener(socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", 0))
        ports = (str(tcp.getsockname()[1]), str(udp.getsockname()[1]))
        # The sandbox's own lo takes the datagram ("send ok") and answers
        # that nobody listens there.
        self.assertEqual(self.attack("host-loopback", *ports),
                         {"tcp:127.0.0.1": "ECONNREFUSED", "udp:127.0.0.1:send": "ok",
                          "udp:127.0.0.1:answer": "ECONNREFUSED"})
        self.assertNothingArrived(tcp, udp)
        # On the host both reach the test's sockets (which never reply).
        self.assertEqual(self.unconfined("host-loopback", *ports),
                         {"tcp:127.0.0.1": "ok", "udp:127.0.0.1:send": "ok", "udp:127.0.0.1:answer": "ETIMEDOUT"})
        self.assertArrived(tcp, udp)

    def resolve(self, *names):
        """RESOLVE run by the Python of the host's /usr (bound read-only) as
        the command of the default bundle."""
        r = self.run_fmr("spec", "--force", self.bundle, "--", "/usr/bin/python3", "-c", RESOLVE, *names)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.bundle, "config.json")) as f:
            config = json.load(f)
        return self.attack(config=config)

    def test_05_reach_the_outside_network_and_resolve_a_host_name(self):
        # No control on the host: nothing may leave this machine for an
        # outside address.  The attack itself sends nothing unless the only
        # interface it sees is lo.
        self.assertEqual(self.attack("outside-network"),
                         {"interfaces": "lo",
                          "tcp:192.0.2.1:80": "ENETUNREACH",
                          "tcp:1.1.1.1:443": "ENETUNREACH",
                          "tcp:[2606:4700:4700::1111]:443": "ENETUNREACH",
                          "udp:8.8.8.8:53:send": "ENETUNREACH",
                          "udp:[2001:4860:4860::8888]:53:send": "ENETUNREACH"})
        # No resolv.conf is bound: the resolver asks 127.0.0.1, the
        # sandbox's own lo, where no server listens.
        self.assertEqual(self.resolve("pypi.org", "files.pythonhosted.org", "localhost"),
                         {"getaddrinfo:pypi.org": "EAI_AGAIN", "getaddrinfo:files.pythonhosted.org": "EAI_AGAIN",
                          "getaddrinfo:localhost": "ok"})

    def test_06_connect_to_an_abstract_unix_socket_of_the_host(self):
        name = f"fmr-hostile-{os.getpid()}-{MODE}-{os.urandom(4).hex()}"
        stream = self.listener(socket.AF_UNIX, socket.SOCK_STREAM, "\0" + name)
        dgram = self.listener(socket.AF_UNIX, socket.SOCK_DGRAM, "\0" + name + "-dgram")
        self.assertEqual(self.attack("abstract-socket", name),
                         {"abstract-stream": "ECONNREFUSED", "abstract-dgram": "ECONNREFUSED"})
        self.assertNothingArrived(stream, dgram)
        # Abstract sockets have no permission check: nobody reaches root's.
        self.assertEqual(self.unconfined("abstract-socket", name), {"abstract-stream": "ok", "abstract-dgram": "ok"})
        self.assertArrived(stream, dgram)
