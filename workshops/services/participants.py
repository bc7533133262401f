"""What participants do besides sending contributions: join, profile, edit, vote, wipe.

Sending a contribution goes through ``submit_contribution`` (exactly-once rule);
these services cover the other writes of the participant pages.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from workshops.choices import ModerationStatus, OrganisationKind, SessionStatus, VoiceKind
from workshops.models import (
    BreakoutSession,
    Contribution,
    Organisation,
    Participant,
    Vote,
    Workshop,
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


def join_workshop(*, workshop: Workshop, language: str) -> tuple[Participant, str]:
    """A new participant who has given consent, and the device token for their cookie."""
    participant = Participant(
        workshop=workshop,
        kind=VoiceKind.PARTICIPANT,
        language=language,
        consent_at=timezone.now(),
    )
    token = participant.issue_token()
    with transaction.atomic():
        participant.save()
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


def forget_device(*, participant: Participant) -> None:
    """Wipe this phone: the device token stops working; what was said stays, anonymously."""
    participant.token_hash = None
    with transaction.atomic():
        participant.save(update_fields=["token_hash", "updated_at"])
