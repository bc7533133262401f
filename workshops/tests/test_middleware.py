"""The client's address behind our own reverse proxy (TRUSTED_PROXIES), for the rate limits
and the sign-in lockout; a forwarded header from anyone else is never believed."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from workshops.middleware import TrustedProxyMiddleware, client_address

PASSWORD = "correct horse battery staple"  # noqa: S105 - conftest's personas
PROXIES = [ip_network("172.16.0.0/12"), ip_network("127.0.0.1")]


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("172.18.0.5", "203.0.113.7", "203.0.113.7"),  # Caddy in compose
        ("172.18.0.5", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a client wrote the first
        ("127.0.0.1", "203.0.113.7, 172.18.0.5", "203.0.113.7"),  # two proxies of ours
        ("198.51.100.2", "203.0.113.7", "198.51.100.2"),  # not through our proxy
        ("172.18.0.5", "", "172.18.0.5"),  # the proxy itself (health checks)
        ("172.18.0.5", "not-an-address", "172.18.0.5"),
        ("172.18.0.5", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_first_hop_not_ours_from_the_right(peer, forwarded, client):
    meta = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(meta, PROXIES) == client


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return None

    TrustedProxyMiddleware(view)(
        type("R", (), {"META": {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}})
    )
    assert seen["address"] == "10.0.0.1"


def test_a_wrong_trusted_proxy_setting_stops_the_start(settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        TrustedProxyMiddleware(lambda request: None)


def _log_in(client, username, password, forwarded):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_behind_the_proxy_one_address_guessing_does_not_lock_out_another(
    organiser, workshop, settings
):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    attacker, owner = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(attacker, "olivia", "wrong", "203.0.113.66")
    assert _log_in(attacker, "olivia", PASSWORD, "203.0.113.66").status_code == 429
    # a forged header does not move the attacker elsewhere: our proxy appends the real one
    assert _log_in(attacker, "olivia", PASSWORD, "198.51.100.9, 203.0.113.66").status_code == 429
    assert _log_in(owner, "olivia", PASSWORD, "203.0.113.10").status_code == 302


def test_without_the_setting_everyone_behind_the_proxy_is_one_address(
    organiser, workshop, settings
):
    settings.TRUSTED_PROXIES = []
    attacker, owner = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(attacker, "olivia", "wrong", "203.0.113.66")
    assert _log_in(owner, "olivia", PASSWORD, "203.0.113.10").status_code == 429
