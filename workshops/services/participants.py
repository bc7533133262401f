"""What participants do besides sending contributions: join, profile, edit, vote, wipe.

Sending a contribution goes through ``submit_contribution`` (exactly-once rule);
these services cover the other writes of the participant pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from workshops import changes
from workshops.choices import ModerationStatus, OrganisationKind, SessionStatus, VoiceKind
from workshops.models import (
    BreakoutSession,
    Contribution,
    Organisation,
    Participant,
    Vote,
    Workshop,
    hash_token,
)
from workshops.models.history import mark_text_changed


class VoteRefused(Exception):
    """A vote that breaks the voting rule; the message is for people."""


class VotingClosed(VoteRefused):
    """The session does not take votes now."""

    def __init__(self):
        super().__init__(_("Voting is not open in this session."))


class TooManyVotes(VoteRefused):
    """More votes than the workshop gives each participant."""

    def __init__(self, dots: int):
        super().__init__(
            _("You have %(dots)s votes: choose at most %(dots)s ideas.") % {"dots": dots}
        )


class NotInTheRoom(VoteRefused):
    """Survey respondents and interviewees are voices, but they do not vote."""

    def __init__(self):
        super().__init__(_("Only workshop participants vote."))


def check_votes(*, session: BreakoutSession, count: int, dots: int) -> None:
    """The voting rule: the session is voting, and at most ``dots`` choices."""
    if session.status != SessionStatus.VOTING:
        raise VotingClosed
    if count > dots:
        raise TooManyVotes(dots)


def device_token_for(*, workshop: Workshop, consent_key: str) -> str:
    """The device token a consent with this key gets: the same on every retry. It is
    derived with the secret key, so the stored hash of the key does not give it away."""
    value = f"{workshop.pk}:{consent_key}"
    return salted_hmac("workshops.consent", value, algorithm="sha256").hexdigest()


def participant_for_consent(
    *, workshop: Workshop, consent_key: str
) -> tuple[Participant, str] | None:
    """The participant an earlier answer to this consent form created, and its device
    token (the same cookie again), or None when this key has not consented yet. A
    participant unlinked from its phone (wiped, or anonymised at the end of retention)
    is never linked again by replaying the form."""
    participant = Participant.objects.filter(
        workshop=workshop, consent_key=hash_token(consent_key), token_hash__isnull=False
    ).first()
    if participant is None:
        return None
    token = device_token_for(workshop=workshop, consent_key=consent_key)
    if participant.token_hash != hash_token(token):  # the secret key changed since
        participant.token_hash = hash_token(token)
        with transaction.atomic():
            participant.save(update_fields=["token_hash", "updated_at"])
    return participant, token


class JoinRefused(Exception):
    """No new participant now (a cap is full); the message is for people."""


def join_workshop(
    *,
    workshop: Workshop,
    language: str,
    consent_key: str,
    admit: Callable[[], str | None] = lambda: None,
) -> tuple[Participant, str]:
    """The participant who gave consent with this form's one-time key, and the device
    token for their cookie. A retried answer (the first reply was lost on the way) finds
    the participant the first one created, with the same token: one person, one row.

    Only a new participant is asked of ``admit`` (the caller's caps): it returns why
    not, or None; a refusal raises ``JoinRefused``. A retry is never refused."""
    found = participant_for_consent(workshop=workshop, consent_key=consent_key)
    if found is not None:
        return found
    refusal = admit()
    if refusal:
        raise JoinRefused(refusal)
    token = device_token_for(workshop=workshop, consent_key=consent_key)
    participant = Participant(
        workshop=workshop,
        kind=VoiceKind.PARTICIPANT,
        language=language,
        consent_at=timezone.now(),
        consent_key=hash_token(consent_key),
        token_hash=hash_token(token),
    )
    try:
        with transaction.atomic():
            # An unlinked participant keeps no claim on the key: the replay is a new one.
            Participant.objects.filter(
                workshop=workshop, consent_key=participant.consent_key, token_hash__isnull=True
            ).update(consent_key="")
            participant.save()
    except IntegrityError:  # the same key at the same moment, through another worker
        found = participant_for_consent(workshop=workshop, consent_key=consent_key)
        if found is None:
            raise
        return found
    return participant, token


def update_profile(
    *,
    participant: Participant,
    display_name: str,
    organisation: Organisation | str | None,
    region,
    gender: str,
) -> Participant:
    """Save the optional profile. ``organisation`` may be the string "other"."""
    participant.display_name = display_name.strip()
    if isinstance(organisation, Organisation):
        participant.organisation = organisation
        participant.organisation_kind = organisation.kind
    else:
        participant.organisation = None
        participant.organisation_kind = OrganisationKind.OTHER if organisation else ""
    participant.region = region
    participant.gender = gender
    with transaction.atomic():
        participant.save(
            update_fields=[
                "display_name",
                "organisation",
                "organisation_kind",
                "region",
                "gender",
                "updated_at",
            ]
        )
    return participant


def edit_contribution(
    *, contribution: Contribution, text: str, horizon: str = "", audience: str = "", quotable: bool
) -> Contribution:
    if text != contribution.text:
        mark_text_changed(contribution)  # the history records that, never the old words
    contribution.text = text
    contribution.horizon, contribution.audience = Contribution.kept_details(
        contribution.category, horizon, audience
    )
    contribution.quotable = quotable
    with transaction.atomic():
        contribution.save()
    return contribution


# What stays of a withdrawn contribution that others were merged into (not translated: it
# is stored, and shown to staff only as a hidden row).
WITHDRAWN_TEXT = "—"


def withdraw_contribution(*, contribution: Contribution) -> None:
    """Remove a contribution its author no longer wants. If others were merged into it, the
    row must stay for them: it is hidden and its words are replaced, so they are gone too."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                contribution.delete()
        except ProtectedError:
            mark_text_changed(contribution)
            contribution.status = ModerationStatus.HIDDEN
            contribution.text = WITHDRAWN_TEXT
            contribution.save(update_fields=["status", "text", "updated_at"])


def cast_votes(
    *, participant: Participant, session: BreakoutSession, contributions: list[Contribution]
) -> None:
    """Replace the participant's votes in ``session`` by one vote on each of ``contributions``."""
    if participant.kind != VoiceKind.PARTICIPANT:
        raise NotInTheRoom
    check_votes(
        session=session, count=len(contributions), dots=session.workshop.dots_per_participant
    )
    with transaction.atomic():
        Vote.objects.filter(participant=participant, contribution__session=session).delete()
        Vote.objects.bulk_create(
            [Vote(participant=participant, contribution=c) for c in contributions]
        )
    changes.bump(session.workshop_id)  # votes change the results boards show


def forget_device(*, participant: Participant) -> None:
    """Wipe this phone: the device token stops working; what was said stays, anonymously.
    The consent key goes too, so replaying the old consent form cannot link it again."""
    participant.token_hash = None
    participant.consent_key = ""
    with transaction.atomic():
        participant.save(update_fields=["token_hash", "consent_key", "updated_at"])
