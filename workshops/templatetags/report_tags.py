"""Template filters of the roll-up and the report."""

from django import template

from workshops.analysis.suppression import shown

register = template.Library()


@register.filter
def under5(value) -> str:
    """A count of people as it may be shown: 1 to 4 read "<5"."""
    try:
        return shown(int(value))
    except (TypeError, ValueError):
        return ""
