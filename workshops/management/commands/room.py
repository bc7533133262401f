"""``manage.py room``: print the room's address and the join QR, then serve (``make room``)."""

from __future__ import annotations

import os

import segno
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from workshops.links import absolute_url
from workshops.models import Workshop
from workshops.room import lan_address


class Command(BaseCommand):
    help = "Serve the demo on the local network (DEBUG off) and print the join address and QR."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("ROOM_HOST") or "")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument("--no-serve", action="store_true", help="Print, do not serve.")

    def handle(self, *args, host: str, port: int, no_serve: bool, **options) -> None:
        host = host or lan_address()
        base = f"http://{host}:{port}"
        workshop = Workshop.objects.order_by("-pk").first()
        out = self.stdout
        out.write(f"The room: phones on the same Wi-Fi open {base}/")
        if settings.DEBUG:
            out.write("  Warning: DEBUG is on; `make room` switches it off.")
        if workshop is not None:
            url = absolute_url(workshop.join_url(), fallback=base)
            out.write(f"  Participants join with code {workshop.join_code}: {url}")
            qr = segno.make(url, error="m")
            qr.terminal(out=out._out, compact=True)
        if not no_serve:
            call_command("runserver", f"0.0.0.0:{port}", insecure=True, use_reloader=False)
