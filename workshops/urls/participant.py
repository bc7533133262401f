"""Participant pages: join by code, consent, profile, contribute, vote, wipe."""

from django.urls import path

from workshops.views import events, participant

app_name = "participant"

urlpatterns = [
    path("", participant.join, name="join"),
    path("sw.js", participant.service_worker, name="sw"),
    path("<str:code>/", participant.start, name="start"),
    # The QR code's link (kept for the workshop model's join_url()).
    path("<str:code>/", participant.start, name="join_code"),
    path("<str:code>/consent/", participant.consent, name="consent"),
    path("<str:code>/profile/", participant.profile, name="profile"),
    path("<str:code>/home/", participant.home, name="home"),
    path("<str:code>/s/<int:session_id>/", participant.session, name="session"),
    path("<str:code>/s/<int:session_id>/vote/", participant.vote, name="vote"),
    path("<str:code>/c/<int:contribution_id>/edit/", participant.edit, name="edit"),
    path("<str:code>/c/<int:contribution_id>/withdraw/", participant.withdraw, name="withdraw"),
    path("<str:code>/wipe/", participant.wipe, name="wipe"),
    path("<str:code>/status/", participant.status, name="status"),
    # Served by the ASGI server in production (docs/deploy.md); the JSON above is the fallback.
    path("<str:code>/events/", events.status_events, name="events"),
]
