"""`make room`: the LAN address, the join QR in the terminal, PUBLIC_BASE_URL for links."""

from io import StringIO

from django.core.management import call_command

from workshops.links import absolute_url
from workshops.room import lan_address


def test_the_lan_address_is_an_ipv4_address():
    parts = lan_address().split(".")
    assert len(parts) == 4 and all(part.isdigit() for part in parts)


def test_the_room_command_prints_the_address_and_the_join_qr(workshop, settings):
    settings.PUBLIC_BASE_URL = ""
    out = StringIO()
    call_command("room", host="192.168.1.20", port=8151, no_serve=True, stdout=out)
    text = out.getvalue()
    assert "http://192.168.1.20:8151/" in text
    assert f"http://192.168.1.20:8151{workshop.join_url()}" in text
    assert workshop.join_code in text
    assert "█" in text or "▀" in text  # the QR drawn with block characters


def test_the_room_command_detects_the_address_when_none_is_given(workshop, monkeypatch):
    monkeypatch.setattr("workshops.management.commands.room.lan_address", lambda: "10.0.0.7")
    monkeypatch.delenv("ROOM_HOST", raising=False)
    out = StringIO()
    call_command("room", port=8000, no_serve=True, stdout=out)
    assert "http://10.0.0.7:8000/" in out.getvalue()


def test_links_use_the_public_base_url_when_configured(settings, rf):
    settings.PUBLIC_BASE_URL = "https://exchange.example.org/"
    assert absolute_url("/j/ABC/", rf.get("/")) == "https://exchange.example.org/j/ABC/"
    settings.PUBLIC_BASE_URL = ""
    assert absolute_url("/j/ABC/", rf.get("/")) == "http://testserver/j/ABC/"
    assert absolute_url("/j/ABC/", fallback="http://10.0.0.7:8000") == "http://10.0.0.7:8000/j/ABC/"


def test_the_join_page_qr_uses_the_public_base_url(organiser, workshop, client, settings):
    settings.PUBLIC_BASE_URL = "https://exchange.example.org"
    client.force_login(organiser)
    response = client.get(f"/w/{workshop.slug}/join-code/")
    assert response.status_code == 200
    assert f"https://exchange.example.org{workshop.join_url()}" in response.content.decode()


def test_the_join_sheet_carries_french_and_english_on_one_page(organiser, workshop, client):
    client.force_login(organiser)
    response = client.get(f"/w/{workshop.slug}/join-code/sheet/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Share your analysis from your phone" in text
    assert "Partagez votre analyse depuis votre téléphone" in text
    assert "No account needed." in text and "Aucun compte nécessaire." in text
