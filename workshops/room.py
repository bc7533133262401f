"""``make room``: the machine's address on the local network, for phones on the same Wi-Fi."""

from __future__ import annotations

import socket


def lan_address() -> str:
    """The primary IPv4 address, found by routing a UDP socket (nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP only picks a route
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


if __name__ == "__main__":  # pragma: no cover - used by the Makefile
    print(lan_address())
