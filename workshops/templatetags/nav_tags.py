"""The workshop navigation: which links a role sees, and which one is the current page.

The role comes from the access helper (``workshop.role``); every template asks
``{% if workshop|may:"moderate" %}`` instead of comparing role names or receiving
flags such as ``may_manage`` from its view.
"""

from django import template

from workshops import access

register = template.Library()


@register.filter
def may(workshop, action: str) -> bool:
    """True when the role the access helper set on ``workshop`` allows ``action``
    (``"read"``, ``"capture"``, ``"moderate"`` or ``"manage"``): ``access.may``."""
    if action not in access.ACTIONS:
        raise template.TemplateSyntaxError(f"may: unknown action {action!r}")
    return access.may(workshop, action)


@register.simple_tag(takes_context=True)
def nav_active(context, *view_names: str) -> str:
    """``active`` when the current page is one of ``view_names`` (``"ns:name"``)."""
    match = getattr(context.get("request"), "resolver_match", None)
    return "active" if match and match.view_name in view_names else ""


@register.filter
def zone_in(region, workshop) -> str:
    """The label of the zone ``workshop`` puts ``region`` in ("" when none):
    ``{{ participant.region|zone_in:workshop }}`` (one query per page: ``Workshop.zone_of``)."""
    zone = workshop.zone_of(region) if region else None
    return zone.label() if zone is not None else ""
