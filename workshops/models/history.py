"""Contribution history without a second insert on every send.

``submit_contribution`` stores a new contribution without its creation record
(django-simple-history's "+" row): most contributions are never changed, and that
second insert was a third of a phone's send. The creation record is written on the
first change instead, from the row as it is still stored, dated when it was created
and credited to whoever captured it. So a changed contribution's history is exactly
what it would have been; an unchanged one has no history rows, and
``versions_of`` shows its one version.

History never keeps the words (``text`` is excluded from the historical table): a
withdrawn or edited wording is gone from every table. A version records who, when,
what kind of change and which fields changed; a change of wording is recorded as the
change reason ``TEXT_CHANGED`` (``mark_text_changed``), without the text.

The receivers below cover every path that changes or deletes a contribution through
the ORM (services, admin, API). ``QuerySet.update()`` never made history rows.
"""

from __future__ import annotations

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from workshops.models.core import Contribution


def skip_creation_record(contribution: Contribution) -> None:
    """The next save of this new ``contribution`` makes no history row (see above)."""
    contribution.skip_history_when_saving = True


def saved_without_creation_record(contribution: Contribution) -> None:
    """Later saves of ``contribution`` are recorded again."""
    if hasattr(contribution, "skip_history_when_saving"):
        del contribution.skip_history_when_saving


def keep_creation_record(contribution_id: int) -> None:
    """Write the creation record of a contribution stored without one, once."""
    history = Contribution.history.model
    if history.objects.filter(id=contribution_id).exists():
        return
    stored = (
        Contribution.objects.select_related("created_by")
        .filter(pk=contribution_id)
        .order_by()
        .first()
    )
    if stored is None:
        return
    Contribution.history.bulk_history_create(
        [stored], default_date=stored.created_at, default_user=stored.created_by
    )


@receiver(pre_save, sender=Contribution, dispatch_uid="contribution_creation_record_on_save")
def _before_change(sender, instance: Contribution, raw: bool = False, **kwargs) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    keep_creation_record(instance.pk)


@receiver(pre_delete, sender=Contribution, dispatch_uid="contribution_creation_record_on_delete")
def _before_delete(sender, instance: Contribution, **kwargs) -> None:
    if instance.pk is not None:
        keep_creation_record(instance.pk)


TEXT_CHANGED = "text"


def mark_text_changed(contribution: Contribution) -> None:
    """The next history row of ``contribution`` records that its wording changed."""
    contribution._change_reason = TEXT_CHANGED


def _changed_fields(version, older) -> list[str]:
    """The verbose names of the fields ``version`` changed from ``older`` (no values)."""
    names = []
    if version.history_change_reason == TEXT_CHANGED:
        names.append(str(Contribution._meta.get_field("text").verbose_name))
    if older is None:
        return names
    for field in Contribution.history.model.tracked_fields:
        if field.name in ("id", "created_at"):
            continue
        if getattr(version, field.attname) != getattr(older, field.attname):
            names.append(str(field.verbose_name))
    return names


def versions_of(contribution: Contribution, limit: int = 20) -> list:
    """The newest ``limit`` versions, newest first, each with ``changed_fields`` (the
    names of the fields it changed, never their words); an unchanged contribution's one
    version is shown from the contribution itself (nothing stored for it)."""
    versions = list(
        contribution.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    if not versions:
        history = Contribution.history.model
        versions = [
            history(
                history_date=contribution.created_at,
                history_type="+",
                history_user=contribution.created_by,
                **{f.attname: getattr(contribution, f.attname) for f in history.tracked_fields},
            )
        ]
    for version, older in zip(versions, [*versions[1:], None], strict=True):
        version.changed_fields = (
            [] if version.history_type == "+" else _changed_fields(version, older)
        )
    return versions[:limit]
