"""The one home for absolute links printed or encoded in a QR code (join sheet, seed_demo).

``PUBLIC_BASE_URL`` (e.g. ``https://exchange.example.org``, or the LAN address that
``make room`` sets) wins; without it a link is built from the request that asked.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def absolute_url(
    path: str, request: HttpRequest | None = None, fallback: str = "http://127.0.0.1:8000"
) -> str:
    """``path`` under PUBLIC_BASE_URL, else under the request's host, else under ``fallback``."""
    base = (settings.PUBLIC_BASE_URL or "").rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return fallback.rstrip("/") + path
