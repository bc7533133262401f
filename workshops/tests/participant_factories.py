"""Helpers for participant tests: a phone that has joined a workshop."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from workshops.choices import Category, Source
from workshops.models import Participant
from workshops.services.contributions import submit_contribution


def phone_for(participant: Participant, **client_kwargs) -> Client:
    """A test client whose cookie is ``participant``'s device token (a fresh one)."""
    token = participant.issue_token()
    if participant.consent_at is None:
        participant.consent_at = timezone.now()
    participant.save()
    client = Client(**client_kwargs)
    client.cookies[settings.PARTICIPANT_COOKIE_NAME] = token
    return client


def consent_data(client: Client, workshop) -> dict:
    """What "I agree" sends: the one-time key of the consent page, drawn as a phone does."""
    url = reverse("participant:consent", kwargs={"code": workshop.join_code})
    page = client.get(url).content.decode()
    return {"consent_key": re.search(r'name="consent_key" value="([^"]+)"', page).group(1)}


def session_url(session, name: str = "session") -> str:
    return reverse(
        f"participant:{name}",
        kwargs={"code": session.workshop.join_code, "session_id": session.pk},
    )


def send_data(text: str = "Young people have no work.", **extra) -> dict:
    return {
        "client_id": uuid.uuid4().hex,
        "category": Category.DRIVER,
        "text": text,
        "horizon": "long_term",
        **extra,
    }


def contribution_of(participant, session, text="The state is absent.", **extra):
    return submit_contribution(
        workshop=session.workshop,
        session=session,
        client_id=extra.pop("client_id", uuid.uuid4().hex),
        text=text,
        category=extra.pop("category", Category.DRIVER),
        source=Source.PHONE,
        author=participant,
        **extra,
    ).contribution
