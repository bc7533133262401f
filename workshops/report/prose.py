"""Sentences a reader understands, from the printed numbers of the release.

"8 of the 10 workshop participants from the South raised distrust as a challenge,
against fewer than 5 of the 10 from the North." Every template is translated with real
plurals (``ngettext`` on the number that governs the noun); a count is written as the
release prints it: exactly, "fewer than 5" for "<5", "none" for 0. A "×" never reaches
a sentence: the rule in ``analysis.findings`` never compares with a hidden group.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from workshops.analysis.disclosure import ALL, GENDER, primary_mark
from workshops.analysis.findings import MIN_GROUP, Comparison
from workshops.analysis.rollup import INTERVIEW, SURVEY, WORKSHOP, Rollup, facet_category
from workshops.choices import Category, Gender


def number(value: int) -> str:
    return formats.number_format(value)


def people_of_scope(scope: str, n: int) -> str:
    """ "workshop participants", "survey respondents", … agreeing with ``n``."""
    if scope == WORKSHOP:
        return ngettext("workshop participant", "workshop participants", n)
    if scope == SURVEY:
        return ngettext("survey respondent", "survey respondents", n)
    if scope == INTERVIEW:
        return ngettext("interviewee", "interviewees", n)
    return ngettext("person heard", "people heard", n)


def scope_label(scope: str) -> str:
    """ "all voices", "workshop participants", … as a heading or a parenthesis."""
    if scope == ALL:
        return _("all voices")
    return people_of_scope(scope, 2)


def as_what(facet: str) -> str:
    """ "as a challenge", "as a long-term driver of conflict", … after a theme."""
    category = facet_category(facet)
    detail = facet.partition(":")[2]
    if category == Category.DRIVER:
        if detail == "long_term":
            return _("as a long-term driver of conflict")
        if detail == "dynamic":
            return _("as a dynamic driver of conflict")
        return _("as a driver of conflict")
    if category == Category.STRENGTH:
        return _("as a strength")
    if category == Category.CHALLENGE:
        return _("as a challenge")
    if category == Category.OPPORTUNITY:
        return _("as an opportunity")
    if detail == "national":
        return _("in a recommendation to national actors")
    if detail == "international":
        return _("in a recommendation to international actors")
    if detail == "communities":
        return _("in a recommendation to communities")
    return _("in a recommendation")


def printed_count(display: str, *, feminine: bool = False) -> str:
    """A printed count as words: "7", "fewer than 5", "none" (agreeing in French with
    the noun it counts)."""
    if display == primary_mark():
        return _("fewer than %(n)s") % {"n": MIN_GROUP}
    if display == "0":
        if feminine:
            return pgettext("none of a group of feminine nouns (personnes, femmes)", "none")
        return pgettext("none of a group of masculine nouns (participants, hommes)", "none")
    return display


def feminine(dimension: str, key, scope: str) -> bool:
    """Whether the noun counting the group is feminine in French ("personnes", "femmes")."""
    if dimension == GENDER:
        return key != Gender.MAN
    return scope in (ALL, INTERVIEW)


def group_of(rollup: Rollup, dimension: str, key, scope: str, n: int) -> str:
    """ "workshop participants from the North", "women", "women among survey respondents"."""
    label = rollup.group_label(dimension, key)
    if dimension == GENDER:
        if key == Gender.WOMAN:
            women = ngettext("woman", "women", n)
        elif key == Gender.MAN:
            women = ngettext("man", "men", n)
        else:
            women = _("people of the group “%(group)s”") % {"group": label}
        if scope == ALL:
            return women
        return _("%(group)s among %(people)s") % {
            "group": women,
            "people": people_of_scope(scope, 2),
        }
    return _("%(people)s from the %(zone)s") % {
        "people": people_of_scope(scope, n),
        "zone": label,
    }


def other_group(rollup: Rollup, dimension: str, key, n: int) -> str:
    """The group compared with, after "of the 10": "from the North", "men"."""
    label = rollup.group_label(dimension, key)
    if dimension == GENDER:
        if key == Gender.WOMAN:
            return ngettext("woman", "women", n)
        if key == Gender.MAN:
            return ngettext("man", "men", n)
        return _("in the group “%(group)s”") % {"group": label}
    return _("from the %(zone)s") % {"zone": label}


def comparison(rollup: Rollup, c: Comparison) -> str:
    """One finding as a sentence, with the numbers the tables print."""
    theme = rollup.themes[c.theme].label(rollup.language)
    return ngettext(
        "%(count)s of the %(size)s %(group)s raised “%(theme)s” %(as_what)s, against "
        "%(other_count)s of the %(other_size)s %(other)s.",
        "%(count)s of the %(size)s %(group)s raised “%(theme)s” %(as_what)s, against "
        "%(other_count)s of the %(other_size)s %(other)s.",
        c.size,
    ) % {
        "count": number(c.raised),
        "size": number(c.size),
        "group": group_of(rollup, c.dimension, c.group, c.scope, c.size),
        "theme": theme,
        "as_what": as_what(c.facet),
        "other_count": printed_count(c.other, feminine=feminine(c.dimension, c.against, c.scope)),
        "other_size": number(c.other_size),
        "other": other_group(rollup, c.dimension, c.against, c.other_size),
    }


def untagged_sentence(category: str, n: int) -> str:
    """ "12 challenges have no theme yet." """
    if category == Category.DRIVER:
        text = ngettext(
            "%(n)s driver of conflict has no theme yet.",
            "%(n)s drivers of conflict have no theme yet.",
            n,
        )
    elif category == Category.STRENGTH:
        text = ngettext("%(n)s strength has no theme yet.", "%(n)s strengths have no theme yet.", n)
    elif category == Category.CHALLENGE:
        text = ngettext(
            "%(n)s challenge has no theme yet.", "%(n)s challenges have no theme yet.", n
        )
    elif category == Category.OPPORTUNITY:
        text = ngettext(
            "%(n)s opportunity has no theme yet.", "%(n)s opportunities have no theme yet.", n
        )
    else:
        text = ngettext(
            "%(n)s recommendation has no theme yet.",
            "%(n)s recommendations have no theme yet.",
            n,
        )
    return text % {"n": number(n)}


def raised_by(people: int) -> str:
    return ngettext("raised by %(n)s person", "raised by %(n)s people", people) % {
        "n": number(people)
    }


def votes(n: int, shown: str) -> str:
    if shown == primary_mark():
        return _("fewer than %(n)s votes") % {"n": MIN_GROUP}
    return ngettext("%(n)s vote", "%(n)s votes", n) % {"n": shown}


def small_themes_sentence(n: int) -> str:
    return ngettext(
        "%(n)s further theme was raised by fewer than 5 people and is not listed.",
        "%(n)s further themes were raised by fewer than 5 people and are not listed.",
        n,
    ) % {"n": number(n)}
