"""Moderation of contributions: publish or hide, edit, merge duplicates, tag themes.

Nothing is ever deleted. Every change goes through ``save()`` so that the
contribution's history (django-simple-history) records who changed what.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from workshops import changes
from workshops.analysis import suggest
from workshops.choices import ModerationStatus
from workshops.models import Contribution, Theme, Vote, Workshop
from workshops.models.history import mark_text_changed


class ModerationError(Exception):
    """An action that would break a moderation rule; the message is for people."""


def check_merge(contributions: Iterable[Contribution]) -> None:
    """The merge rule: two or more contributions of one workshop, none already merged."""
    contributions = list(contributions)
    if len({c.pk for c in contributions}) < 2:
        raise ModerationError(_("Select at least two contributions to merge."))
    if any(c.status == ModerationStatus.MERGED for c in contributions):
        raise ModerationError(_("A contribution already merged cannot be merged again."))
    if len({c.workshop_id for c in contributions}) > 1:
        raise ModerationError(_("Contributions of another workshop cannot be merged."))


def _ids(contributions: Iterable[Contribution]) -> list[int]:
    return [c.pk for c in contributions]


@transaction.atomic
def set_status(*, contributions: Iterable[Contribution], status: str) -> int:
    """Publish or hide; merged contributions stay merged. Returns how many changed."""
    if status not in (ModerationStatus.PUBLISHED, ModerationStatus.HIDDEN):
        raise ModerationError("only publish or hide")
    changed = 0
    for contribution in Contribution.objects.select_for_update().filter(pk__in=_ids(contributions)):
        if contribution.status in (status, ModerationStatus.MERGED):
            continue
        contribution.status = status
        contribution.save(update_fields=["status", "updated_at"])
        changed += 1
    return changed


QUOTE_REFUSED = _lazy(
    "Only the speaker can agree to be quoted: a phone contribution is quotable only if its "
    "sender ticked the box, a note only if the speaker's agreement was ticked at capture."
)


def check_quotable(contribution: Contribution, quotable: bool) -> None:
    """The quoting rule (``Contribution.staff_may_set_quotable``): staff un-quote, never quote."""
    if not contribution.staff_may_set_quotable(quotable):
        raise ModerationError(str(QUOTE_REFUSED))


@transaction.atomic
def set_quotable(*, contributions: Iterable[Contribution], quotable: bool = True) -> int:
    """Mark quotable (or not); refused as a whole if one of them may not be quoted by staff."""
    changed = 0
    selected = list(Contribution.objects.select_for_update().filter(pk__in=_ids(contributions)))
    for contribution in selected:
        check_quotable(contribution, quotable)
    for contribution in selected:
        if contribution.quotable != quotable:
            contribution.quotable = quotable
            contribution.save(update_fields=["quotable", "updated_at"])
            changed += 1
    return changed


@transaction.atomic
def edit_as_moderator(*, contribution: Contribution, data: dict) -> Contribution:
    """Change text and classification. The history records that the wording changed,
    never the previous words (models/history.py)."""
    stored = Contribution.objects.filter(pk=contribution.pk).values("text", "quotable").first()
    if "quotable" in data:
        contribution.quotable = stored["quotable"]  # a bound form may have set it already
        check_quotable(contribution, data["quotable"])
    if data.get("text", contribution.text) != stored["text"]:
        mark_text_changed(contribution)
    for name in ("text", "category", "horizon", "audience", "quotable"):
        if name in data:
            setattr(contribution, name, data[name])
    contribution.full_clean(exclude=["workshop", "session", "author", "merged_into"])
    contribution.save()
    return contribution


@transaction.atomic
def merge_contributions(
    *,
    keep: Contribution,
    duplicates: Iterable[Contribution],
    themes: Iterable[Theme] = (),
    new_theme: str = "",
) -> Contribution:
    """Merge ``duplicates`` into ``keep``, tagging it with ``themes`` and ``new_theme`` too.

    The duplicates get status MERGED and point to ``keep``; their themes are added
    to ``keep`` and their votes move to it. A participant who voted for both keeps
    one counted vote: the vote on the duplicate stays where it is (merged
    contributions are not counted), nothing is deleted.
    """
    duplicates = [d for d in duplicates if d.pk != keep.pk]
    check_merge([keep, *duplicates])
    duplicate_ids = _ids(duplicates)
    # Earlier merges into a duplicate now point to the kept one too.
    for earlier in Contribution.objects.filter(merged_into_id__in=duplicate_ids):
        earlier.merged_into = keep
        earlier.save(update_fields=["merged_into", "updated_at"])
    keep.themes.add(*Theme.objects.filter(contributions__in=duplicate_ids).distinct())
    already_voted = set(keep.votes.values_list("participant_id", flat=True))
    moved_participants: set[int] = set(already_voted)
    for vote in Vote.objects.filter(contribution_id__in=duplicate_ids).order_by("pk"):
        if vote.participant_id in moved_participants:
            continue
        vote.contribution = keep
        vote.save(update_fields=["contribution"])
        moved_participants.add(vote.participant_id)
    for duplicate in Contribution.objects.select_for_update().filter(pk__in=duplicate_ids):
        duplicate.status = ModerationStatus.MERGED
        duplicate.merged_into = keep
        duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    keep.save(update_fields=["updated_at"])
    themes = list(themes)
    if themes or new_theme.strip():
        tag_themes(workshop=keep.workshop, contributions=[keep], themes=themes, new_theme=new_theme)
    return keep


def new_workshop_theme(*, workshop: Workshop, name: str) -> Theme:
    """The workshop theme of that name, created when new."""
    name = name.strip()[:120]
    base = slugify(name)[:70] or "theme"
    existing = Theme.objects.filter(workshop=workshop, name__iexact=name).first()
    if existing is not None:
        return existing
    slug, n = base, 1
    while Theme.objects.filter(workshop=workshop, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Theme.objects.create(workshop=workshop, name=name, name_fr=name, slug=slug)


@transaction.atomic
def tag_themes(
    *,
    workshop: Workshop,
    contributions: Iterable[Contribution],
    themes: Iterable[Theme] = (),
    new_theme: str = "",
    replacing: Iterable[Theme] = (),
) -> list[Theme]:
    """Add themes (library, workshop, or one new workshop theme) to every contribution.

    The ``replacing`` themes are taken off first (the grouped view's move: the theme
    an item was moved away from); a theme both replaced and added stays.
    """
    themes = list(themes)
    if new_theme.strip():
        themes.append(new_workshop_theme(workshop=workshop, name=new_theme))
    if any(t.workshop_id not in (None, workshop.pk) for t in themes):
        raise ModerationError("theme of another workshop")
    ids = _ids(contributions)
    through = Contribution.themes.through
    kept = {t.pk for t in themes}
    taken_off = [t.pk for t in replacing if t.pk not in kept]
    if taken_off:
        through.objects.filter(contribution_id__in=ids, theme_id__in=taken_off).delete()
    existing = set(
        through.objects.filter(contribution_id__in=ids).values_list("contribution_id", "theme_id")
    )
    through.objects.bulk_create(
        [
            through(contribution_id=cid, theme_id=theme.pk)
            for cid in ids
            for theme in themes
            if (cid, theme.pk) not in existing
        ]
    )
    Contribution.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    changes.bump(workshop.pk)  # neither bulk_create nor update() sends a signal
    return themes


@transaction.atomic
def move_to_theme(
    *,
    workshop: Workshop,
    contribution: Contribution,
    source: Theme | None,
    target: Theme | None,
    keep_source: bool = False,
) -> None:
    """The grouped view's move of one contribution from the group ``source`` to ``target``
    (None: "Untagged").

    Moving replaces the source theme by the target and keeps the contribution's other
    themes; with ``keep_source`` the target is added and the source kept too. Moving to
    "Untagged" takes every theme off: that is what the group shows.
    """
    if target is None:
        replacing = [] if keep_source else list(contribution.themes.all())
        tag_themes(workshop=workshop, contributions=[contribution], replacing=replacing)
        return
    replacing = [source] if source is not None and not keep_source else []
    tag_themes(
        workshop=workshop, contributions=[contribution], themes=[target], replacing=replacing
    )


@transaction.atomic
def accept_suggestions(
    *, workshop: Workshop, contributions: Iterable[Contribution], themes: Iterable[Theme]
) -> int:
    """Tag each untagged contribution with its most likely theme. Returns how many were tagged."""
    through = Contribution.themes.through
    ids = _ids(contributions)
    tagged = set(
        through.objects.filter(contribution_id__in=ids).values_list("contribution_id", flat=True)
    )
    untagged = [
        c
        for c in Contribution.objects.filter(pk__in=ids, workshop=workshop).exclude(pk__in=tagged)
        if c.status != ModerationStatus.MERGED
    ]
    best = suggest.for_contributions(workshop, untagged, themes)
    for contribution in untagged:
        if best.get(contribution.pk):
            theme, _ = best[contribution.pk][0]
            tag_themes(workshop=workshop, contributions=[contribution], themes=[theme])
    return sum(1 for c in untagged if best.get(c.pk))
