"""Report drafts: build, refresh the numbers, save an edit, restore a version.

A section a person has edited is never overwritten by a refresh: the new generated
text is kept beside it and the section is flagged "numbers changed since you edited".
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from workshops.analysis.rollup import Rollup, build_rollup
from workshops.models import ReportDraft, ReportSection, SectionVersion, Workshop
from workshops.models.report import VersionKind
from workshops.report.builder import generate


@transaction.atomic
def build_draft(
    *,
    workshop: Workshop,
    language: str,
    sources: Sequence[str] | None = None,
    rollup: Rollup | None = None,
) -> ReportDraft:
    """Create the draft of ``workshop`` in ``language``, or refresh its numbers."""
    draft, created = ReportDraft.objects.get_or_create(
        workshop=workshop, language=language, defaults={"sources": list(sources or [])}
    )
    if sources is not None and not created and list(sources) != draft.sources:
        draft.sources = list(sources)
    draft.refreshed_at = timezone.now()
    draft.save()
    rollup = rollup or build_rollup(workshop, language=language, sources=draft.sources)
    refresh_sections(draft, generate(rollup))
    return draft


def refresh_sections(draft: ReportDraft, generated) -> None:
    existing = {
        s.key: s for s in draft.sections.annotate(last_version=Max("versions__number")).order_by()
    }
    new_sections, changed, versions = [], [], []
    wanted = set()
    for item in generated:
        wanted.add(item.key)
        section = existing.get(item.key)
        if section is None:
            section = ReportSection(
                draft=draft,
                key=item.key,
                order=item.order,
                title=item.title,
                generated=item.markdown,
                body=item.markdown,
            )
            new_sections.append(section)
            continue
        section.order, section.title = item.order, item.title
        if section.edited:
            if item.markdown != section.generated:
                section.numbers_changed = True
        elif item.markdown != section.body:
            section.body = item.markdown
            versions.append(
                SectionVersion(
                    section=section,
                    number=(section.last_version or 0) + 1,
                    kind=VersionKind.GENERATED,
                    body=item.markdown,
                )
            )
        section.generated = item.markdown
        changed.append(section)
    ReportSection.objects.bulk_create(new_sections)
    versions += [
        SectionVersion(section=s, number=1, kind=VersionKind.GENERATED, body=s.body)
        for s in new_sections
    ]
    if changed:
        ReportSection.objects.bulk_update(
            changed, ["order", "title", "generated", "body", "numbers_changed"]
        )
    SectionVersion.objects.bulk_create(versions)
    # An optional section that no longer applies (e.g. no context data) goes away
    # unless a person wrote in it.
    draft.sections.exclude(key__in=wanted).filter(edited=False).delete()


def _next_number(section: ReportSection) -> int:
    return (section.versions.aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def save_section(*, section: ReportSection, body: str, user) -> SectionVersion | None:
    """Store an edit as a new version; nothing happens when the text did not change."""
    body = body.replace("\r\n", "\n")
    if body == section.body:
        return None
    section.body = body
    section.edited = body != section.generated
    section.numbers_changed = False
    section.save(update_fields=["body", "edited", "numbers_changed"])
    return SectionVersion.objects.create(
        section=section,
        number=_next_number(section),
        kind=VersionKind.EDITED,
        body=body,
        author=user,
    )


@transaction.atomic
def restore_version(*, section: ReportSection, version: SectionVersion, user) -> SectionVersion:
    section.body = version.body
    section.edited = version.body != section.generated
    section.numbers_changed = False
    section.save(update_fields=["body", "edited", "numbers_changed"])
    return SectionVersion.objects.create(
        section=section,
        number=_next_number(section),
        kind=VersionKind.RESTORED,
        body=version.body,
        author=user,
    )


@transaction.atomic
def use_generated(*, section: ReportSection, user) -> SectionVersion | None:
    """Take the freshly generated text, dropping the edit (kept in the versions)."""
    if section.body == section.generated and not section.edited:
        return None
    section.body = section.generated
    section.edited = False
    section.numbers_changed = False
    section.save(update_fields=["body", "edited", "numbers_changed"])
    return SectionVersion.objects.create(
        section=section,
        number=_next_number(section),
        kind=VersionKind.GENERATED,
        body=section.body,
        author=user,
    )


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs: kind is "add", "remove", "hunk" or ""."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(("hunk", line))
        elif line.startswith("+"):
            lines.append(("add", line[1:]))
        elif line.startswith("-"):
            lines.append(("remove", line[1:]))
        else:
            lines.append(("", line[1:]))
    return lines
