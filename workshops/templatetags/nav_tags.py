"""The workshop navigation: which links a role sees, and which one is the current page.

The role comes from the access helper (``workshop.role``); the template asks
``{% if workshop|may:"moderate" %}`` instead of comparing role names itself.
"""

from django import template

from workshops.access import CAPTURE, MANAGE, MODERATE, READ
from workshops.choices import StaffRole

register = template.Library()

NEEDS = {"read": READ, "capture": CAPTURE, "moderate": MODERATE, "manage": MANAGE}


@register.filter
def may(workshop, action: str) -> bool:
    """True when the role the access helper set on ``workshop`` allows ``action``."""
    role = getattr(workshop, "role", None)
    return role is not None and StaffRole.rank(role) >= StaffRole.rank(NEEDS[action])


@register.simple_tag(takes_context=True)
def nav_active(context, *view_names: str) -> str:
    """``active`` when the current page is one of ``view_names`` (``"ns:name"``)."""
    match = getattr(context.get("request"), "resolver_match", None)
    return "active" if match and match.view_name in view_names else ""
