"""Storing a contribution exactly once, whoever sends it and however often.

Every contribution carries a client-generated id, unique per workshop in the
database. A repeat with the same content returns the stored contribution; a
repeat with different content is refused and the stored one is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from workshops.choices import ModerationStatus, Source
from workshops.models import (
    BreakoutSession,
    Contribution,
    Participant,
    Workshop,
    saved_without_creation_record,
    skip_creation_record,
)


class ClientIdConflict(Exception):
    """The client id is already stored with different content, or by another sender.

    It carries nothing of the stored row: an answer built from it must never show
    another phone's words or demographics (issue 12, item 6).
    """

    def __init__(self):
        super().__init__("client id already used with different content")


@dataclass(frozen=True)
class Submission:
    contribution: Contribution
    created: bool


def initial_status(workshop: Workshop, source: str) -> str:
    """Phones wait for a facilitator when the workshop pre-moderates; staff notes do not."""
    if workshop.premoderation and source == Source.PHONE:
        return ModerationStatus.PENDING
    return ModerationStatus.PUBLISHED


def submit_contribution(
    *,
    workshop: Workshop,
    client_id: str,
    text: str,
    category: str,
    source: str,
    session: BreakoutSession | None = None,
    horizon: str = "",
    audience: str = "",
    language: str = "fr",
    quotable: bool = False,
    author: Participant | None = None,
    created_by=None,
    zone=None,
    region=None,
    gender: str = "",
    themes=(),
    status: str | None = None,
    interview=None,
) -> Submission:
    """Store a contribution once. Raises ClientIdConflict on a conflicting repeat.

    Demographics come from ``author`` when given (a snapshot of the profile as it
    is now), otherwise from ``zone``/``region``/``gender`` (a note-taker's pick).

    A phone's send is the hot path: one INSERT, nothing else. The history's creation
    record is written on the first change (``workshops/models/history.py``), and a
    single INSERT outside any transaction needs no ``BEGIN``/``COMMIT`` of its own:
    it is atomic, and when it fails on the unique client id the connection is still
    usable. Inside a caller's transaction, or with themes to add, a savepoint keeps
    the caller's transaction usable and the contribution and its themes together.
    """
    horizon, audience = Contribution.kept_details(category, horizon, audience)
    candidate = Contribution(
        workshop=workshop,
        session=session,
        client_id=client_id,
        text=text,
        category=category,
        horizon=horizon,
        audience=audience,
        language=language,
        quotable=quotable,
        source=source,
        author=author,
        created_by=created_by,
        interview=interview,
        status=status or initial_status(workshop, source),
    )
    if author is not None:
        candidate.snapshot_author()
    else:
        candidate.region = region
        candidate.zone = zone if zone is not None else workshop.zone_of(region)
        candidate.gender = gender or ""
    skip_creation_record(candidate)
    try:
        if themes or connection.in_atomic_block:
            with transaction.atomic():
                candidate.save()
                if themes:
                    candidate.themes.add(*themes)
        else:
            candidate.save()
    except IntegrityError:
        stored = Contribution.objects.filter(workshop=workshop, client_id=client_id).first()
        if stored is None:  # the integrity error was about something else
            raise
        if not stored.same_content_as(candidate):
            raise ClientIdConflict from None
        return Submission(stored, created=False)
    finally:
        saved_without_creation_record(candidate)
    return Submission(candidate, created=True)
