"""Loopback TCP helpers: free ports and waiting for a listener.

Why: devstack never assumes a well-known port (a developer may run their own
Kafka on 9092 or Redis on 6379), so it asks the kernel for free ports, and it
must know when a freshly started server accepts connections.
"""

import socket
import time
from collections.abc import Callable

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def port_accepts(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    """Tell whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(
    port: int,
    *,
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
    host: str = LOOPBACK,
) -> bool:
    """Wait until ``host:port`` accepts connections; stop early once ``alive()`` is false.

    Returns True when the port answered, False on timeout or when the process
    that should listen died, so callers can report the process log.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_accepts(port, host):
            return True
        if not alive():
            return False
        time.sleep(0.1)
    return False
