"""The board's items, each rendered once per state and kept in this process.

A board page shows 50 contributions; when one more arrives, the other 49 are the same as
a second ago. Rendering an item costs about 2 ms of template work (its moderation forms,
suggestions and near duplicates), so a changed board spent ~100 ms re-rendering what it
had already rendered. Each item's HTML is now kept, in a small per-process LRU, under a
digest of everything its template shows (``_state``) and of the page around it (role,
language, time zone, the page's own URL and the CSRF placeholder of a shared render), and
only new or changed items are rendered.

Only the shared render of a poll uses it (``views/polls.shared_fragment``): its CSRF token
is a placeholder, so the HTML is the same for every browser. A full page carries the
browser's own token and renders its items as they are.

``_state`` must name every value ``_board_item.html`` reads: the test
``test_board_items.py`` changes each of them and compares with a fresh render.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from django.template.defaultfilters import floatformat
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

TEMPLATE = "workshops/facilitator/_board_item.html"
KEPT = 4000  # items of about 3 KB: ~12 MB per process at most

_items: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def _state(contribution) -> tuple:
    c = contribution
    return (
        c.pk,
        c.text,
        c.quotable,
        c.category,
        c.horizon,
        c.audience,
        tuple((theme.pk, theme.label()) for theme in c.theme_list),
        c.zone.label() if c.zone_id else None,
        c.gender,
        c.source,
        c.session.title if c.session_id else None,
        c.created_at.isoformat(),
        c.vote_count,
        c.status,
        c.merged_into_id,
        c.merged_into.text if c.merged_into_id else None,
        # Scores as the item shows them: a score that moves in its third decimal (each
        # new text shifts the weights a little) does not make the item new.
        tuple(
            (t.pk, t.label(), floatformat(score, 2)) for t, score in getattr(c, "suggestions", ())
        ),
        tuple((o.pk, o.text, floatformat(score, 2)) for o, score in getattr(c, "duplicates", ())),
    )


def _page(context: dict) -> tuple:
    workshop, session = context["workshop"], context["session"]
    return (
        workshop.pk,
        workshop.slug,
        str(getattr(workshop, "role", "")),
        session.pk if session is not None else None,
        context["here"],
        context["csrf_token"],
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )


def render(contributions, context: dict, request, *, keep: bool) -> list[SafeString]:
    """Each contribution's ``<li>``; with ``keep``, from (and into) the process's LRU."""
    template = get_template(TEMPLATE)
    page = _page(context) if keep else None
    rendered = []
    for contribution in contributions:
        if not keep:
            rendered.append(template.render({**context, "contribution": contribution}, request))
            continue
        key = hashlib.blake2b(
            repr((page, _state(contribution))).encode(), digest_size=16
        ).hexdigest()
        with _lock:
            html = _items.get(key)
            if html is not None:
                _items.move_to_end(key)
        if html is None:
            html = template.render({**context, "contribution": contribution}, request)
            with _lock:
                _items[key] = html
                while len(_items) > KEPT:
                    _items.popitem(last=False)
        rendered.append(mark_safe(html))  # noqa: S308 - the template's own escaped output
    return rendered


def clear() -> None:
    with _lock:
        _items.clear()
