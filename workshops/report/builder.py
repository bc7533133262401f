"""The draft builder: prose, lists and tables in Markdown, built from the roll-up.

Every number comes from the roll-up's audited release, as it prints it; every sentence
is a translatable template (``prose``), rendered in the draft's language. Counts of 1
to 4 people read "fewer than 5" in sentences and "<5" in tables; a number hidden as "×"
appears only in tables, never in a sentence. Quotes stay in the language they were
given in and name no one. Contributions without a theme are counted, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, override

from workshops.analysis.disclosure import ALL, GENDER, MIN_SCOPE, THRESHOLD, ZONE
from workshops.analysis.findings import FDR, MIN_GROUP, MIN_RATIO
from workshops.analysis.rollup import COMPARED, Rollup, Table
from workshops.choices import Audience, Category, Horizon, VoiceKind
from workshops.report import prose
from workshops.report.context import context_markdown

CHART_MARK = "{{chart:%s}}"
CHARTS = ("categories", "drivers", "zones", "genders", "recommendations")


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: object  # lazy translation
    build: Callable[[Rollup], str | None]


def join(items: list[str]) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def percent(value: float | None) -> str:
    """A share as the current language writes it: "12%" in English, "12 %" in French
    (a narrow no-break space before the sign, as French typography asks)."""
    if value is None:
        return ""
    number = formats.number_format(round(value * 100), use_l10n=True)
    # Translators: a percentage. French: a narrow no-break space (U+202F) before "%".
    return _("%(number)s%%") % {"number": number}


def theme_name(theme, rollup: Rollup) -> str:
    return theme.label(rollup.language)


def quote_lines(
    rollup: Rollup, theme_id: int, *, dimension: str = "", group_key: str = "", limit: int = 1
) -> list[str]:
    """Quotes on a theme, optionally only from one zone or gender, attributed safely."""
    lines = []
    for quote in rollup.quotes.get(theme_id, []):
        if dimension == "zone" and quote.zone_key != group_key:
            continue
        if dimension == "gender" and quote.gender != group_key:
            continue
        text = " ".join(quote.text.split())
        if dimension == "gender":
            group = rollup.gender_attribution(quote)
            who = group or _("a participant")
        else:
            group = rollup.quote_attribution(quote)
            who = (
                _("a participant from the %(zone)s") % {"zone": group}
                if group
                else _("a participant")
            )
        lines.append(f"> « {text} » — {who}")
        if len(lines) >= limit:
            break
    return lines


# --- Sections ------------------------------------------------------------------------


def title_page(rollup: Rollup) -> str:
    w = rollup.workshop
    dates = _("%(start)s to %(end)s") % {
        "start": formats.date_format(w.start_date, "DATE_FORMAT"),
        "end": formats.date_format(w.end_date, "DATE_FORMAT"),
    }
    lines = [f"# {w.title}", "", _("Report of a Peace Exchange workshop")]
    if w.location:
        lines += ["", f"{w.location} — {dates}"]
    else:
        lines += ["", dates]
    lines += ["", _("Draft generated from the workshop's own data, to be edited by staff.")]
    return "\n".join(lines)


def executive_summary(rollup: Rollup) -> str:
    w = rollup.workshop
    paragraphs = [
        _(
            "This report presents the findings of the Peace Exchange workshop “%(title)s”, "
            "a practitioner-led conflict analysis drawing on %(sources)s: "
            "%(contributions)s contributions in all."
        )
        % {
            "title": w.title,
            "sources": join(sources_parts(rollup)),
            "contributions": prose.number(rollup.contributions),
        }
    ]
    long_term = [
        theme_name(t.theme, rollup) for t in rollup.themes_by_horizon.get(Horizon.LONG_TERM, [])[:3]
    ]
    if long_term:
        paragraphs.append(
            _(
                "Participants identified these primary long-term drivers of violent conflict: "
                "%(list)s."
            )
            % {"list": join([lower_first(t) for t in long_term])}
        )
    dynamic = rollup.themes_by_horizon.get(Horizon.DYNAMIC, [])
    if dynamic:
        others = [lower_first(theme_name(t.theme, rollup)) for t in dynamic[1:4]]
        sentence = _("The main dynamic driver was %(theme)s.") % {
            "theme": lower_first(theme_name(dynamic[0].theme, rollup))
        }
        if others:
            sentence += " " + _("Other dynamic drivers: %(list)s.") % {"list": join(others)}
        paragraphs.append(sentence)
    notable = rollup.findings_for(ZONE, ALL) + rollup.findings_for(GENDER, ALL)
    if rollup.scope != ALL:
        notable = rollup.findings_for(ZONE) + rollup.findings_for(GENDER)
    if notable:
        paragraphs.append(
            ngettext(
                "%(n)s difference between zones or between women and men passes the rule in "
                "the annex; the strongest: %(first)s",
                "%(n)s differences between zones or between women and men pass the rule in "
                "the annex; the strongest: %(first)s",
                len(notable),
            )
            % {"n": prose.number(len(notable)), "first": prose.comparison(rollup, notable[0])}
        )
    for audience, label in (
        (Audience.NATIONAL, _("national actors")),
        (Audience.INTERNATIONAL, _("international actors")),
    ):
        ranked = [r for r in rollup.recommendations.get(audience, []) if r.votes]
        if ranked:
            paragraphs.append(
                _("The recommendation to %(audience)s with the most votes: “%(text)s”")
                % {"audience": label, "text": " ".join(ranked[0].text.split())}
            )
    return "\n\n".join(paragraphs)


def group_sizes(rollup: Rollup, dimension: str) -> list[str]:
    """ "North (18)", … for the groups of the scope read that have anyone in them."""
    return [f"{group.label} ({size})" for group, size in rollup.group_sizes(dimension)]


def sources_parts(rollup: Rollup) -> list[str]:
    """ "workshop participants (20 joined; 18 contributed or voted)", "36 survey
    respondents", … as the Bamako report states its sources; each part only when there
    is any. These count the room, the interviews, submissions and notes staff ran, not a
    demographic cell: exact."""
    kinds = rollup.voices_by_kind
    parts = [
        # Translators: the participation reads "30 joined; 28 contributed or voted".
        ngettext(
            "workshop participant (%(participation)s)",
            "workshop participants (%(participation)s)",
            rollup.registered,
        )
        % {"participation": rollup.participation}
    ]
    respondents = kinds.get(VoiceKind.RESPONDENT, 0)
    if respondents:
        parts.append(
            ngettext("%(n)s survey respondent", "%(n)s survey respondents", respondents)
            % {"n": formats.number_format(respondents)}
        )
    interviewees = kinds.get(VoiceKind.INTERVIEWEE, 0)
    if interviewees:
        parts.append(
            ngettext("%(n)s interviewee", "%(n)s interviewees", interviewees)
            % {"n": formats.number_format(interviewees)}
        )
    if rollup.unattributed:
        parts.append(
            ngettext(
                "%(n)s note from an unnamed speaker",
                "%(n)s notes from unnamed speakers",
                rollup.unattributed,
            )
            % {"n": formats.number_format(rollup.unattributed)}
        )
    return parts


def untagged_lines(rollup: Rollup, categories=COMPARED) -> list[str]:
    return [prose.untagged_sentence(c, n) for c in categories if (n := rollup.untagged.get(c, 0))]


def method(rollup: Rollup) -> str:
    w = rollup.workshop
    lines = [
        _(
            "The workshop took place in %(place)s from %(start)s to %(end)s, with "
            "participants from %(organisations)s organisations."
        )
        % {
            "place": w.location or "—",
            "start": formats.date_format(w.start_date, "DATE_FORMAT"),
            "end": formats.date_format(w.end_date, "DATE_FORMAT"),
            "organisations": prose.number(rollup.organisations),
        },
        "",
        _("Sources: %(list)s.") % {"list": join(sources_parts(rollup))},
        "",
    ]
    if rollup.scope != ALL:
        lines += [
            _("This draft reads the %(people)s only.")
            % {"people": prose.scope_label(rollup.scope)},
            "",
        ]
    zones = group_sizes(rollup, ZONE)
    if zones:
        lines += [_("People heard, by zone: %(list)s.") % {"list": join(zones)}, ""]
    genders = group_sizes(rollup, GENDER)
    if genders:
        lines += [_("People heard, by gender: %(list)s.") % {"list": join(genders)}, ""]
    if rollup.by_source:
        sources = [
            f"{lower_first(s.label)} ({prose.number(s.contributions)})" for s in rollup.by_source
        ]
        lines += [_("Sources used (contributions): %(list)s.") % {"list": join(sources)}, ""]
    lines.append(
        _(
            "Contributions were grouped by theme. Counts are of distinct people: a person "
            "who said the same thing several times counts once, and a note from an unnamed "
            "speaker counts as a contribution, never as a person. Groups of fewer than %(n)s "
            "people are shown as “<5”, and no participant or organisation is named."
        )
        % {"n": THRESHOLD}
    )
    untagged = sum(rollup.untagged.values())
    if untagged:
        lines += [
            "",
            ngettext(
                "%(n)s contribution has no theme yet and is left out of the tables:",
                "%(n)s contributions have no theme yet and are left out of the tables:",
                untagged,
            )
            % {"n": prose.number(untagged)},
            " ".join(untagged_lines(rollup)),
        ]
    return "\n".join(lines)


def theme_list(rollup: Rollup, facet: str, limit: int = 10) -> list[str]:
    items = rollup.themes_of(facet)
    # Translators: a theme in bold, then who raised it. French: a no-break space before ":".
    item_line = _("%(theme)s: %(raised_by)s")
    lines = [
        "- "
        + item_line
        % {
            "theme": f"**{theme_name(item.theme, rollup)}**",
            "raised_by": prose.raised_by(item.people) + ".",
        }
        for item in items[:limit]
    ]
    lines += [
        "- "
        + item_line
        % {
            "theme": f"**{theme_name(theme, rollup)}**",
            "raised_by": _(
                "raised by a number of people withheld so that small groups stay hidden."
            ),
        }
        for theme in rollup.withheld_themes(facet)
    ]
    small = rollup.small_themes(facet) + max(0, len(items) - limit)
    notes = []
    if small:
        notes.append(prose.small_themes_sentence(small))
    notes += untagged_lines(rollup, [c for c in COMPARED if c == facet])
    if notes:
        lines += ["", " ".join(notes)]
    quotes = [line for item in items[:3] for line in quote_lines(rollup, item.theme.pk)]
    if quotes:
        lines += ["", *[q + "\n" for q in quotes]]
    return lines


def themes_section(facet: str, intro: str, empty: str) -> Callable[[Rollup], str]:
    """A section listing the themes of a facet, or ``empty`` (with the untagged count)."""

    def build(rollup: Rollup) -> str:
        lines = theme_list(rollup, facet)
        if not any(line.startswith("- ") for line in lines):
            rest = [line for line in lines if line]
            return "\n\n".join([empty, *rest]).strip()
        return "\n".join([intro, "", *lines]).strip()

    return build


def long_term_drivers(rollup: Rollup) -> str:
    return themes_section(
        f"{Category.DRIVER}:{Horizon.LONG_TERM}",
        _(
            "Participants identified these long-term drivers of violent conflict, "
            "most raised first:"
        ),
        _("No long-term driver was raised by 5 people or more."),
    )(rollup)


def dynamic_drivers(rollup: Rollup) -> str:
    items = rollup.themes_by_horizon.get(Horizon.DYNAMIC, [])
    body = themes_section(
        f"{Category.DRIVER}:{Horizon.DYNAMIC}",
        _("Dynamic drivers, most raised first:"),
        _("No dynamic driver was raised by 5 people or more."),
    )(rollup)
    if not items:
        return body
    lead = _("The main dynamic driver of violent conflict was %(theme)s, %(raised_by)s.") % {
        "theme": lower_first(theme_name(items[0].theme, rollup)),
        "raised_by": prose.raised_by(items[0].people),
    }
    return f"{lead}\n\n{body}"


def perceptions(dimension: str, intro: str, none: str) -> Callable[[Rollup], str]:
    def build(rollup: Rollup) -> str:
        scopes = rollup.table_scopes if rollup.scope == ALL else (rollup.scope,)
        if not rollup.audit.ok:
            return _(
                "No comparison is printed: the disclosure check of these numbers failed "
                "(see the roll-up page)."
            )
        if not rollup.has_tables:
            return _(
                "Fewer than %(n)s people were heard, too few to compare groups without "
                "singling anyone out."
            ) % {"n": MIN_SCOPE}
        by_group: dict = {}
        for scope in scopes:
            for c in rollup.findings_for(dimension, scope):
                by_group.setdefault(c.group, []).append(c)
        if not by_group:
            return "\n\n".join([none, *untagged_lines(rollup)]).strip()
        lines = [intro, ""]
        for group in rollup.groups(dimension):
            found = by_group.get(group.key)
            if not found:
                continue
            lines += [f"### {group.label}", ""]
            lines += [f"- {prose.comparison(rollup, c)}" for c in found]
            for c in found[:2]:
                quotes = quote_lines(rollup, c.theme, dimension=dimension, group_key=group.key)
                if quotes:
                    lines += ["", *quotes]
            lines.append("")
        return "\n".join(lines).strip()

    return build


def perceptions_by_zone(rollup: Rollup) -> str:
    return perceptions(
        ZONE,
        _(
            "Perceptions differ across zones. The differences below pass the rule set out in "
            "the annex; each compares a zone with the zone that raised the theme least."
        ),
        _("No theme stood out in one zone compared with the others, under the rule in the annex."),
    )(rollup)


def perceptions_by_gender(rollup: Rollup) -> str:
    return perceptions(
        GENDER,
        _(
            "Women and men did not always raise the same things. The differences below pass the "
            "rule set out in the annex."
        ),
        _("No theme stood out for women or men, under the rule in the annex."),
    )(rollup)


def strengths(rollup: Rollup) -> str:
    return themes_section(
        Category.STRENGTH,
        _("Participants named these strengths of local peacebuilders:"),
        _("No strength was raised by 5 people or more."),
    )(rollup)


def challenges(rollup: Rollup) -> str:
    return themes_section(
        Category.CHALLENGE,
        _("Participants named these challenges that local peacebuilders face:"),
        _("No challenge was raised by 5 people or more."),
    )(rollup)


def opportunities(rollup: Rollup) -> str | None:
    if not rollup.themes_of(Category.OPPORTUNITY) and not rollup.untagged.get(Category.OPPORTUNITY):
        return None
    return themes_section(
        Category.OPPORTUNITY,
        _("Participants saw these opportunities for peace:"),
        _("No opportunity was raised by 5 people or more."),
    )(rollup)


def ranked_lines(rollup: Rollup, ranked) -> list[str]:
    lines = []
    for k, item in enumerate(ranked, start=1):
        themes = (
            join([lower_first(theme_name(t, rollup)) for t in item.themes])
            if item.themes
            else _("no theme yet")
        )
        lines.append(
            f"{k}. **{' '.join(item.text.split())}** — "
            + _("%(votes)s; theme: %(themes)s.")
            % {"votes": prose.votes(item.votes, item.votes_shown), "themes": themes}
        )
    return lines


def recommendations_for(audience: str) -> Callable[[Rollup], str | None]:
    def build(rollup: Rollup) -> str | None:
        ranked = rollup.recommendations.get(audience, [])
        if not ranked:
            if not audience:
                return None
            return _("No recommendation was recorded.")
        lines = [
            _(
                "Ranked by the votes of participants (a recommendation, not its theme, is "
                "what people voted for):"
            ),
            "",
            *ranked_lines(rollup, ranked),
        ]
        untagged = sum(1 for item in ranked if not item.themes)
        if untagged:
            lines += [
                "",
                ngettext(
                    "%(n)s of these recommendations has no theme yet.",
                    "%(n)s of these recommendations have no theme yet.",
                    untagged,
                )
                % {"n": prose.number(untagged)},
            ]
        return "\n".join(lines).strip()

    return build


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def clean(cell: str) -> str:
        return str(cell).replace("|", "/").replace("\n", " ")

    lines = ["| " + " | ".join(map(clean, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(clean, row)) + " |" for row in rows]
    return lines


def table_lines(table: Table, rollup: Rollup) -> list[str]:
    header = [
        _("Theme"),
        *[f"{g.label} (n={size})" for g, size in zip(table.groups, table.sizes, strict=True)],
        _("Total"),
    ]
    rows = []
    for row in table.rows:
        cells = [
            cell + (f" ({percent(share)})" if share is not None else "")
            for cell, share in zip(row.cells, row.shares, strict=True)
        ]
        rows.append([theme_name(row.theme, rollup), *cells, row.total])
    return markdown_table(header, rows)


def table_title(category: str, dimension: str) -> str:
    label = str(Category(category).label)
    if dimension == ZONE:
        return _("%(category)s by zone (people, share of the zone)") % {"category": label}
    return _("%(category)s by gender (people, share of the group)") % {"category": label}


def annex(rollup: Rollup) -> str:
    lines = ["### " + _("Contributions by category"), ""]
    lines += markdown_table(
        [_("Category"), _("Contributions"), _("No theme yet")],
        [
            [c.label, prose.number(c.contributions), prose.number(c.untagged)]
            for c in rollup.by_category
        ],
    )
    lines += ["", CHART_MARK % "categories", "", CHART_MARK % "drivers", ""]
    for category in COMPARED:
        for dimension in (ZONE, GENDER):
            table = rollup.tables.get((category, dimension))
            if table is None:
                continue
            lines += [f"### {table_title(category, dimension)}", ""]
            lines += table_lines(table, rollup)
            lines.append("")
            if category == Category.DRIVER:
                lines += [CHART_MARK % ("zones" if dimension == ZONE else "genders"), ""]
    rec_rows = [
        [
            str(Audience(audience).label) if audience else _("No audience stated"),
            " ".join(item.text.split()),
            item.votes_shown,
            join([theme_name(t, rollup) for t in item.themes]) or _("no theme yet"),
        ]
        for audience, items in rollup.recommendations.items()
        for item in items
    ]
    if rec_rows:
        # Translators: the heading of the annex table of every recommendation.
        lines += ["### " + _("Recommendations"), ""]
        lines += markdown_table(
            [_("Audience"), _("Recommendation"), _("Votes"), _("Themes")], rec_rows
        )
        lines += ["", CHART_MARK % "recommendations", ""]
    lines += [
        "### " + _("How notable differences are found"),
        "",
        _(
            "Every category (drivers of conflict, also by horizon; strengths; challenges; "
            "opportunities; recommendations, also by audience) is compared by zone and by "
            "gender, for all voices together and for each source with at least %(scope)s "
            "people. A group is compared with the group whose printed share is lowest, among "
            "groups of at least %(min)s people. A difference is reported when at least "
            "%(min)s people of the group raised the theme, its share is at least %(ratio)s "
            "times the other group's, and a one-sided exact test (Boschloo's) stays "
            "significant after the Benjamini–Hochberg correction over all %(tests)s "
            "comparisons made, at a false discovery rate of %(fdr)s. The test uses only the "
            "printed numbers, a “<5” counting as 4: a finding holds whatever a hidden number "
            "is. The rule points at differences worth reading; it does not prove them."
        )
        % {
            "scope": MIN_SCOPE,
            "min": MIN_GROUP,
            "ratio": formats.number_format(MIN_RATIO, 1),
            "tests": prose.number(len(rollup.tests)),
            "fdr": percent(FDR),
        },
        "",
        _(
            "Small numbers: a count of 1 to 4 people is shown as “<5”, and “×” marks a "
            "further number hidden so that no “<5” can be worked out from the others; every "
            "hidden number was checked to still span 1 to 4 whatever a reader adds or "
            "subtracts."
        ),
    ]
    return "\n".join(lines)


def context(rollup: Rollup) -> str | None:
    return context_markdown(rollup.workshop, rollup.language)


OPTIONAL = ("context", "opportunities", "recommendations-other")

SECTIONS: list[SectionSpec] = [
    SectionSpec("title-page", gettext_lazy("Title page"), title_page),
    SectionSpec("executive-summary", gettext_lazy("Executive summary"), executive_summary),
    SectionSpec("method", gettext_lazy("Method"), method),
    SectionSpec("context", gettext_lazy("Context"), context),
    SectionSpec(
        "long-term-drivers", gettext_lazy("Main findings: long-term drivers"), long_term_drivers
    ),
    SectionSpec("dynamic-drivers", gettext_lazy("Main findings: dynamic drivers"), dynamic_drivers),
    SectionSpec("perceptions-zone", gettext_lazy("Perceptions by zone"), perceptions_by_zone),
    SectionSpec("perceptions-gender", gettext_lazy("Perceptions by gender"), perceptions_by_gender),
    SectionSpec("strengths", gettext_lazy("Strengths of local peacebuilders"), strengths),
    SectionSpec("challenges", gettext_lazy("Challenges local peacebuilders face"), challenges),
    SectionSpec("opportunities", gettext_lazy("Opportunities for peace"), opportunities),
    SectionSpec(
        "recommendations-national",
        gettext_lazy("Recommendations for national actors"),
        recommendations_for(Audience.NATIONAL),
    ),
    SectionSpec(
        "recommendations-international",
        gettext_lazy("Recommendations for international actors"),
        recommendations_for(Audience.INTERNATIONAL),
    ),
    SectionSpec(
        "recommendations-other",
        gettext_lazy("Other recommendations"),
        recommendations_for(""),
    ),
    SectionSpec("annex", gettext_lazy("Annex: tables, charts and method"), annex),
]


@dataclass(frozen=True)
class GeneratedSection:
    key: str
    order: int
    title: str
    markdown: str


def generate(rollup: Rollup) -> list[GeneratedSection]:
    """All sections of the draft, in the draft's language; optional ones may be missing."""
    generated = []
    with override(rollup.language):
        for order, spec in enumerate(SECTIONS):
            text = spec.build(rollup)
            if text is None:
                continue
            generated.append(GeneratedSection(spec.key, order, str(spec.title), text))
    return generated


def section_titles(language: str) -> list[str]:
    """Titles of the sections that every draft has (the optional context aside)."""
    with override(language):
        return [str(spec.title) for spec in SECTIONS if spec.key not in OPTIONAL]
