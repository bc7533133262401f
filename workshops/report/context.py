"""Hook for outside context (ACLED conflict-event data, issue 6).

The report has an optional "Context" section. It appears only when this function
returns Markdown; it returns None while no ACLED data is loaded for the workshop's
country. The ACLED importer replaces the body of ``context_markdown`` (or points it
at its own service) without touching the builder.
"""

from __future__ import annotations

from workshops.models import Workshop


def context_markdown(workshop: Workshop, language: str) -> str | None:
    """Markdown describing the conflict context of the workshop, or None when there is none."""
    return None
