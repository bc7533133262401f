"""The events server for bench/polls.py with its clock sped up ``PE_TIME_SCALE`` times:
a stream's 10 minutes and the 45 s heartbeat shrink alike, so one hour of an idle
phone's traffic takes 36 s at 100×. The bytes of each request, heartbeat and reconnect
are those of the real server; only the waits are shorter. Benchmark only."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
application = get_asgi_application()

from workshops.views import events  # noqa: E402  (after Django is set up)

SCALE = float(os.environ.get("PE_TIME_SCALE", "1"))
events.STREAM_SECONDS /= SCALE
events.HEARTBEAT_SECONDS /= SCALE
