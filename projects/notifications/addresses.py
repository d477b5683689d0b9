"""Outgoing webhooks reach public addresses only (issue 17).

A URL a PM typed may name an internal address, directly (`https://127.0.0.1:8443/`, `[::1]`,
`169.254.169.254`) or through DNS (a name that resolves to loopback, or that changes its answer
between a check and the request). So the host is resolved once, every address it resolves to must be
public, and the connection is made to the address that was checked — TLS still verifies the
certificate against the host's name — with no second lookup. Nothing about the network (refused,
reset, certificate errors) is shown to the person: that would make the delivery list a port scanner.
"""

import http.client
import ipaddress
import socket
import urllib.parse

from django.conf import settings

# http to this machine, for development and the tests' stand-in chat servers (CHAT_WEBHOOK_ALLOW_LOCAL).
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


class AddressNotAllowed(Exception):
    """The host is, or resolves to, an address that is not public."""

    def __str__(self) -> str:
        return "address not allowed"


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_link_local)


def local_allowed(parts: urllib.parse.SplitResult) -> bool:
    return settings.CHAT_WEBHOOK_ALLOW_LOCAL and parts.scheme == "http" and (parts.hostname or "") in LOCAL_HOSTS


def checked_address(host: str, port: int) -> str:
    """The one address to connect to: every address `host` resolves to must be public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressNotAllowed from error
    addresses = [info[4][0] for info in infos]
    if not addresses or not all(is_public(address) for address in addresses):
        raise AddressNotAllowed
    return addresses[0]


def check_url(url: str) -> None:
    """At saving: refuse a URL whose host is, or resolves to, an address that is not public. A name
    that does not resolve now cannot be judged; every delivery checks it again before connecting."""
    parts = urllib.parse.urlsplit(url)
    if local_allowed(parts):
        return
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        try:
            socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return  # unresolvable today (or no DNS here): refused or not at delivery
    checked_address(host, parts.port or (443 if parts.scheme == "https" else 80))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, *, timeout: float, limit: int) -> tuple[int, bytes]:
    """POST to the checked address of `url`'s host; (status, the first `limit` bytes of the answer).
    No redirect is followed: a robot's address never moves."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    address = host if local_allowed(parts) else checked_address(host, port)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=timeout)
    try:
        path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(limit)
    finally:
        connection.close()
