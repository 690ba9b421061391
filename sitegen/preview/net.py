"""Listening sockets for the preview: only on the address asked for, the next port if busy."""

from __future__ import annotations

import errno
import ipaddress
import socket

PORT_ATTEMPTS = 20  # how many ports from the one asked for to try


class PortError(Exception):
    """No port could be bound."""


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses, which other machines cannot reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """The host as it goes into a URL; a wildcard address becomes the loopback one."""
    bare = host.strip("[]")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return host
    if address.is_unspecified:
        return "127.0.0.1" if address.version == 4 else "[::1]"
    return f"[{bare}]" if address.version == 6 else bare


def bind_sockets(host: str, port: int) -> tuple[list[socket.socket], int]:
    """Listening sockets on every address of `host` (only those) at `port`; and the port."""
    try:
        infos = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise PortError(f"cannot listen on {host!r}: {exc.strerror}") from None
    sockets: list[socket.socket] = []
    seen: set[tuple[int, object]] = set()
    try:
        for family, kind, proto, _name, address in infos:
            if (family, address[0]) in seen:
                continue
            seen.add((family, address[0]))
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.setblocking(False)
            # With port 0 the first bind picks the port; the other addresses take the same one.
            sock.bind((address[0], port, *address[2:]))
            port = sock.getsockname()[1]
            sock.listen(128)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets, port


def bind_first_free(
    host: str, port: int, attempts: int = PORT_ATTEMPTS
) -> tuple[list[socket.socket], int, list[int]]:
    """Bind `port`, or the next free one after it; the sockets, the port, and the busy ports."""
    busy: list[int] = []
    for candidate in range(port, min(port + attempts, 65536)):
        try:
            sockets, bound = bind_sockets(host, candidate)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or port == 0:
                raise PortError(
                    f"cannot listen on {host} port {candidate}: {exc.strerror}"
                ) from None
            busy.append(candidate)
            continue
        return sockets, bound, busy
    raise PortError(
        f"ports {port}-{port + attempts - 1} are all in use on {host}; choose another with --port"
    )
