"""Free TCP ports on 127.0.0.1.

A port is found by binding port 0 and reading what the kernel chose. All ports of one
request are held open together, so they are distinct from each other; another program may
still take one between the moment it is released and the moment a component binds it.
Callers detect that clash (:func:`is_port_clash` on the component's log) and retry with
fresh ports.
"""

from __future__ import annotations

import contextlib
import socket

__all__ = ["LOOPBACK", "free_ports", "is_port_clash", "port_is_open"]

LOOPBACK = "127.0.0.1"

_CLASH_MARKERS = ("address already in use", "bind: address already in use", "errno 98")


def free_ports(count: int) -> list[int]:
    """Return ``count`` distinct ports that were free on 127.0.0.1 a moment ago."""
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((LOOPBACK, 0))
            ports.append(sock.getsockname()[1])
        return ports


def is_port_clash(log_text: str) -> bool:
    """True when a component's log says it could not bind its port."""
    lowered = log_text.lower()
    return any(marker in lowered for marker in _CLASH_MARKERS)


def port_is_open(port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=timeout):
            return True
    except OSError:
        return False
