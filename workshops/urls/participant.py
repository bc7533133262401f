"""Participant pages: join by code, consent, profile, contribute, vote, wipe."""

from django.urls import path

from workshops.views import participant

app_name = "participant"

urlpatterns = [
    path("", participant.join, name="join"),
    path("<str:code>/", participant.join_code, name="join_code"),
]
