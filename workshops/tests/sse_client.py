"""A phone's event stream over a plain socket, for the loopback tests and bench/polls.py:
it counts every byte sent and received (headers, cookies, chunk framing included), as
they go over the wire, and decodes the server-sent events."""

from __future__ import annotations

import socket
import time

# What a phone's browser sends with an EventSource request (Chrome on Android, measured
# from Chromium's request headers), plus the cookies a joined phone carries.
PHONE_HEADERS = {
    "Accept": "text/event-stream",
    "Cache-Control": "no-cache",
    "User-Agent": (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
    "Accept-Encoding": "gzip, deflate, br, zstd",
    "Accept-Language": "fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7",
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Dest": "empty",
    "X-Forwarded-Proto": "https",  # what the proxy adds (the app server is behind Caddy)
}


class Stream:
    """One ``GET`` of an event stream; ``events()`` yields (id, data) as they arrive."""

    def __init__(self, base: str, path: str, *, cookies: str = "", last_event_id: str = ""):
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        headers = {"Host": f"{host}:{port}", **PHONE_HEADERS}
        if cookies:
            headers["Cookie"] = cookies
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        request = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        data = (request + "\r\n").encode()
        self.sock.sendall(data)
        self.sent, self.received = len(data), 0
        self.buffer, self.body, self.closed = b"", b"", False
        self.status, self.headers = self._head()
        self.chunked = self.headers.get("transfer-encoding", "") == "chunked"

    def _read(self) -> bool:
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return True
        if not data:
            self.closed = True
            return False
        self.received += len(data)
        self.buffer += data
        return True

    def _head(self) -> tuple[int, dict[str, str]]:
        while b"\r\n\r\n" not in self.buffer:
            if not self._read() or self.closed:
                raise ConnectionError("closed before the headers")
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), headers

    def _decode(self) -> None:
        if not self.chunked:
            self.body += self.buffer
            self.buffer = b""
            return
        while b"\r\n" in self.buffer:
            size_line, rest = self.buffer.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return
            if size == 0:
                self.closed = True
            self.body += rest[:size]
            self.buffer = rest[size + 2 :]

    def events(self, seconds: float):
        """(id, data) of each event within ``seconds``; ``("", "")`` for a comment."""
        deadline = time.monotonic() + seconds
        while True:
            self._decode()
            while b"\n\n" in self.body:
                block, self.body = self.body.split(b"\n\n", 1)
                fields = {}
                for line in block.decode().split("\n"):
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                if "data" in fields:
                    yield fields.get("id", ""), fields["data"]
                elif "" in fields:
                    yield "", ""
            left = deadline - time.monotonic()
            if self.closed or left <= 0:
                return
            self.sock.settimeout(max(0.01, min(0.5, left)))
            self._read()

    def close(self) -> None:
        self.sock.close()
