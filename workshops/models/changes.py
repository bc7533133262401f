"""Bump the workshop's change counters (``workshops/changes.py``) on every ORM write to
what boards, the projector and phones show.

Saves and deletes of contributions, sessions, workshops and workshop themes, and the
contribution ↔ theme links, go through these receivers whichever code writes them
(services, admin, API, bundles). ``bulk_create`` and ``QuerySet.update()`` send no
signal: the services that use them (tagging, votes, imports, zones, bundles, demo,
retention) call ``changes.bump`` themselves.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from workshops import changes
from workshops.models.core import BreakoutSession, Contribution, Theme, Workshop


@receiver(post_save, sender=Contribution, dispatch_uid="changes_contribution_saved")
@receiver(post_delete, sender=Contribution, dispatch_uid="changes_contribution_deleted")
def _contribution_changed(sender, instance: Contribution, **kwargs) -> None:
    changes.bump(instance.workshop_id)


@receiver(post_save, sender=BreakoutSession, dispatch_uid="changes_session_saved")
@receiver(post_delete, sender=BreakoutSession, dispatch_uid="changes_session_deleted")
def _session_changed(sender, instance: BreakoutSession, **kwargs) -> None:
    changes.bump(instance.workshop_id, states=True)


@receiver(post_save, sender=Workshop, dispatch_uid="changes_workshop_saved")
def _workshop_changed(sender, instance: Workshop, **kwargs) -> None:
    changes.bump(instance.pk, states=True)


@receiver(post_save, sender=Theme, dispatch_uid="changes_theme_saved")
@receiver(post_delete, sender=Theme, dispatch_uid="changes_theme_deleted")
def _theme_changed(sender, instance: Theme, **kwargs) -> None:
    changes.bump(instance.workshop_id)  # a library theme (no workshop) changes no counter


@receiver(m2m_changed, sender=Contribution.themes.through, dispatch_uid="changes_themes_linked")
def _themes_linked(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if reverse:  # theme.contributions.add(...): the theme's workshop, or each contribution's
        ids = kwargs.get("pk_set") or ()
        for workshop_id in set(
            Contribution.objects.filter(pk__in=ids).values_list("workshop_id", flat=True)
        ):
            changes.bump(workshop_id)
    else:
        changes.bump(instance.workshop_id)
