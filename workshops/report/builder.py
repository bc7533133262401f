"""The draft builder: prose, lists and tables in Markdown, built from the roll-up.

Every sentence is a translatable template filled with numbers from the roll-up,
rendered in the draft's language. Counts of 1 to 4 people read "<5"; counts hidden
by complementary suppression are left out of the prose. Quotes stay in the language
they were given in and name no one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, override, pgettext

from workshops.analysis.rollup import CrossTab, Rollup, ThemeCount
from workshops.analysis.stats import ALPHA, MIN_GROUP, MIN_RATIO
from workshops.analysis.suppression import SECONDARY, THRESHOLD, shown
from workshops.choices import Audience, Category, Gender, Horizon, VoiceKind
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
            "contributions": shown(rollup.contributions),
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
    for table in (rollup.zones, rollup.genders):
        sentences = [
            _("%(subject)s raised %(themes)s more often than others.")
            % {
                "subject": group_subject(table, j),
                "themes": join(
                    [lower_first(theme_name(table.themes[i], rollup)) for i, _d in found]
                ),
            }
            for j in range(len(table.groups))
            if (found := table.notable_for_group(j))
        ]
        if sentences:
            paragraphs.append(" ".join(sentences))
    for audience, label in (
        (Audience.NATIONAL, _("national actors")),
        (Audience.INTERNATIONAL, _("international actors")),
    ):
        ranked = rollup.recommendations.get(audience, [])
        if ranked:
            paragraphs.append(
                _("The recommendation to %(audience)s with the most votes: %(theme)s.")
                % {"audience": label, "theme": lower_first(theme_name(ranked[0].theme, rollup))}
            )
    return "\n\n".join(paragraphs)


def group_sizes(table) -> list[str]:
    """ "North (7)", … for the groups of a cross-tab that have anyone in them."""
    return [
        f"{group.label} ({table.size(j)})"
        for j, group in enumerate(table.groups)
        if table.group_sizes[j]
    ]


def sources_parts(rollup: Rollup) -> list[str]:
    """ "20 workshop participants (18 contributed)", "36 survey respondents", … as the
    Bamako report states its sources; each part only when there is any. These count
    the interviews, submissions and notes staff ran, not a demographic cell: exact."""
    kinds = rollup.voices_by_kind
    parts = [
        ngettext(
            "%(n)s workshop participant (%(contributed)s contributed)",
            "%(n)s workshop participants (%(contributed)s contributed)",
            rollup.registered,
        )
        % {
            "n": formats.number_format(rollup.registered),
            "contributed": formats.number_format(kinds.get(VoiceKind.PARTICIPANT, 0)),
        }
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
            "organisations": shown(rollup.organisations),
        },
        "",
        _("Sources: %(list)s.") % {"list": join(sources_parts(rollup))},
        "",
    ]
    zones = group_sizes(rollup.zones)
    if zones:
        lines += [
            _("Zones covered (participants raising drivers): %(list)s.") % {"list": join(zones)},
            "",
        ]
    genders = group_sizes(rollup.genders)
    if genders:
        lines += [
            _("Gender of participants raising drivers: %(list)s.") % {"list": join(genders)},
            "",
        ]
    if rollup.by_source:
        sources = [f"{lower_first(s.label)} ({shown(s.contributions)})" for s in rollup.by_source]
        lines += [_("Sources used (contributions): %(list)s.") % {"list": join(sources)}, ""]
    lines.append(
        _(
            "Contributions were grouped by theme. Counts are of distinct participants: a person "
            "who said the same thing several times counts once. Groups of fewer than %(n)s "
            "participants are shown as “<5”, and no participant or organisation is named."
        )
        % {"n": THRESHOLD}
    )
    return "\n".join(lines)


def theme_list(rollup: Rollup, items: list[ThemeCount], limit: int = 8) -> list[str]:
    lines = []
    for item in items[:limit]:
        lines.append(
            "- "
            + _(
                "**%(theme)s**: raised by %(people)s participants "
                "(%(contributions)s contributions)."
            )
            % {
                "theme": theme_name(item.theme, rollup),
                "people": shown(item.participants),
                "contributions": shown(item.contributions),
            }
        )
    quotes = [line for item in items[:3] for line in quote_lines(rollup, item.theme.pk)]
    if quotes:
        lines += ["", *[q + "\n" for q in quotes]]
    return lines


def themes_section(
    items_of: Callable[[Rollup], list], intro: str, empty: str
) -> Callable[[Rollup], str]:
    """A section listing the themes ``items_of(rollup)`` gives, or ``empty`` without any."""

    def build(rollup: Rollup) -> str:
        items = items_of(rollup)
        if not items:
            return empty
        return "\n".join([intro, "", *theme_list(rollup, items)]).strip()

    return build


def drivers_section(horizon: str, intro: str, empty: str) -> Callable[[Rollup], str]:
    return themes_section(lambda rollup: rollup.themes_by_horizon.get(horizon, []), intro, empty)


def long_term_drivers(rollup: Rollup) -> str:
    return drivers_section(
        Horizon.LONG_TERM,
        _(
            "Participants identified these long-term drivers of violent conflict, "
            "most raised first:"
        ),
        _("No long-term driver was recorded."),
    )(rollup)


def dynamic_drivers(rollup: Rollup) -> str:
    items = rollup.themes_by_horizon.get(Horizon.DYNAMIC, [])
    if not items:
        return _("No dynamic driver was recorded.")
    lead = _(
        "The main dynamic driver of violent conflict was %(theme)s, "
        "raised by %(people)s participants."
    ) % {
        "theme": lower_first(theme_name(items[0].theme, rollup)),
        "people": shown(items[0].participants),
    }
    return "\n".join(
        [lead, "", _("Dynamic drivers, most raised first:"), "", *theme_list(rollup, items)]
    ).strip()


def group_subject(table: CrossTab, j: int) -> str:
    """The group as the subject of a sentence: 'Participants from the North', 'Women'."""
    group = table.groups[j]
    if table.dimension == "gender":
        if group.key == Gender.WOMAN:
            return pgettext("subject of a sentence", "Women")
        if group.key == Gender.MAN:
            return pgettext("subject of a sentence", "Men")
        return _("Participants of the group “%(group)s”") % {"group": group.label}
    return _("Participants from the %(zone)s") % {"zone": group.label}


def group_object(table: CrossTab, j: int) -> str:
    """The group compared with: 'those from the South', 'men'."""
    group = table.groups[j]
    if table.dimension == "gender":
        if group.key == Gender.WOMAN:
            return pgettext("compared group", "women")
        if group.key == Gender.MAN:
            return pgettext("compared group", "men")
        return _("the group “%(group)s”") % {"group": group.label}
    return _("those from the %(zone)s") % {"zone": group.label}


def comparison_sentence(table: CrossTab, rollup: Rollup, i: int, j: int) -> str:
    """'Participants from the North raised armed groups (9 of 11) far more often than…'."""
    theme = lower_first(theme_name(table.themes[i], rollup))
    ours = _("%(count)s of %(size)s") % {"count": table.cell(i, j), "size": table.size(j)}
    difference = table.differences.get((i, j))
    k = difference.against if difference else -1
    values = {"subject": group_subject(table, j), "theme": theme, "ours": ours}
    if not table.protected.is_shown(i, j) or not table.sizes_protected.is_shown(0, j):
        # The count would give away a small one through the printed total: no numbers.
        if k >= 0:
            values["other"] = group_object(table, k)
            return _("%(subject)s raised %(theme)s far more often than %(other)s.") % values
        return _("%(subject)s raised %(theme)s far more often than other participants.") % values
    if k < 0 or table.cell(i, k) == SECONDARY or not table.sizes_protected.is_shown(0, k):
        return (
            _("%(subject)s raised %(theme)s (%(ours)s) far more often than other participants.")
            % values
        )
    values["other"] = group_object(table, k)
    values["theirs"] = _("%(count)s of %(size)s") % {
        "count": table.cell(i, k),
        "size": table.size(k),
    }
    return (
        _("%(subject)s raised %(theme)s (%(ours)s) far more often than %(other)s (%(theirs)s).")
        % values
    )


def perceptions(table_of: Callable[[Rollup], CrossTab], intro: str, none: str) -> Callable:
    def build(rollup: Rollup) -> str:
        table = table_of(rollup)
        lines = [intro, ""]
        any_found = False
        for j, group in enumerate(table.groups):
            if not table.group_sizes[j]:
                continue
            found = table.notable_for_group(j)
            heading = f"### {group.label}"
            if found:
                any_found = True
                lines += [heading, ""]
                lines += [f"- {comparison_sentence(table, rollup, i, j)}" for i, _d in found]
                for i, _d in found[:2]:
                    quotes = quote_lines(
                        rollup,
                        table.themes[i].pk,
                        dimension=table.dimension,
                        group_key=group.key,
                    )
                    if quotes:
                        lines += ["", *quotes]
                lines.append("")
        if not any_found:
            lines += [none, ""]
        return "\n".join(lines).strip()

    return build


def perceptions_by_zone(rollup: Rollup) -> str:
    return perceptions(
        lambda r: r.zones,
        _(
            "Perceptions of the drivers of violent conflict differ across zones. The differences "
            "below pass the rule set out in the annex."
        ),
        _("No theme stood out in one zone compared with the others, under the rule in the annex."),
    )(rollup)


def perceptions_by_gender(rollup: Rollup) -> str:
    return perceptions(
        lambda r: r.genders,
        _(
            "Women and men did not always raise the same drivers. The differences below pass the "
            "rule set out in the annex."
        ),
        _("No theme stood out for women or men, under the rule in the annex."),
    )(rollup)


def category_section(category: str, intro: str, empty: str) -> Callable[[Rollup], str]:
    return themes_section(lambda rollup: rollup.themes_by_category.get(category, []), intro, empty)


def strengths(rollup: Rollup) -> str:
    return category_section(
        Category.STRENGTH,
        _("Participants named these strengths of local peacebuilders:"),
        _("No strength was recorded."),
    )(rollup)


def challenges(rollup: Rollup) -> str:
    return category_section(
        Category.CHALLENGE,
        _("Participants named these challenges that local peacebuilders face:"),
        _("No challenge was recorded."),
    )(rollup)


def recommendations_for(audience: str) -> Callable[[Rollup], str]:
    def build(rollup: Rollup) -> str:
        ranked = rollup.recommendations.get(audience, [])
        if not ranked:
            return _("No recommendation was recorded.")
        lines = [_("Ranked by the votes of participants, then by how many raised them:"), ""]
        for k, item in enumerate(ranked, start=1):
            votes = ngettext("%(n)s vote", "%(n)s votes", item.votes) % {"n": shown(item.votes)}
            lines.append(
                f"{k}. "
                + _("**%(theme)s**: %(votes)s, raised by %(people)s participants.")
                % {
                    "theme": theme_name(item.theme, rollup),
                    "votes": votes,
                    "people": shown(item.participants),
                }
            )
        quotes = [line for item in ranked[:3] for line in quote_lines(rollup, item.theme.pk)]
        if quotes:
            lines += ["", *[q + "\n" for q in quotes]]
        return "\n".join(lines).strip()

    return build


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def clean(cell: str) -> str:
        return str(cell).replace("|", "/").replace("\n", " ")

    lines = ["| " + " | ".join(map(clean, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(clean, row)) + " |" for row in rows]
    return lines


def crosstab_table(table: CrossTab, rollup: Rollup) -> list[str]:
    groups = [j for j in range(len(table.groups)) if table.group_sizes[j]]
    header = [
        _("Theme"),
        *[f"{table.groups[j].label} (n={table.size(j)})" for j in groups],
        _("Total"),
    ]
    rows = []
    for i, theme in enumerate(table.themes):
        cells = []
        for j in groups:
            share = table.share(i, j)
            cells.append(table.cell(i, j) + (f" ({percent(share)})" if share is not None else ""))
        rows.append([theme_name(theme, rollup), *cells, table.protected.row_total(i)])
    return markdown_table(header, rows)


def annex(rollup: Rollup) -> str:
    lines = [f"### {_('Contributions by category')}", ""]
    lines += markdown_table(
        [_("Category"), _("Contributions"), _("Participants")],
        [[c.label, shown(c.contributions), shown(c.participants)] for c in rollup.by_category],
    )
    lines += ["", CHART_MARK % "categories", "", CHART_MARK % "drivers", ""]
    lines += [f"### {_('Drivers by zone (participants, share of the zone)')}", ""]
    lines += crosstab_table(rollup.zones, rollup)
    lines += ["", CHART_MARK % "zones", ""]
    lines += [f"### {_('Drivers by gender (participants, share of the group)')}", ""]
    lines += crosstab_table(rollup.genders, rollup)
    lines += ["", CHART_MARK % "genders", ""]
    rec_rows = [
        [
            str(Audience(audience).label),
            theme_name(item.theme, rollup),
            shown(item.votes),
            shown(item.participants),
        ]
        for audience, items in rollup.recommendations.items()
        for item in items
    ]
    if rec_rows:
        lines += [f"### {_('Recommendations')}", ""]
        lines += markdown_table(
            [_("Audience"), _("Recommendation"), _("Votes"), _("Participants")], rec_rows
        )
        lines += ["", CHART_MARK % "recommendations", ""]
    lines += [
        f"### {_('How notable differences are found')}",
        "",
        _(
            "A theme is reported as raised notably more often by a group (a zone, or women or men) "
            "when, compared with the group of at least %(min)s participants that raised it least: "
            "(1) at least %(min)s participants of the group raised it; (2) the share of the group "
            "raising it is at least %(ratio)s times the share of the group it is compared with; "
            "and (3) a one-sided two-proportion z-test gives p < %(alpha)s. The rule points at "
            "differences worth reading; with few participants it does not prove them."
        )
        % {"min": MIN_GROUP, "ratio": formats.number_format(MIN_RATIO, 1), "alpha": ALPHA},
        "",
        _(
            "Small numbers: any count of 1 to 4 participants is shown as “<5”. Where a total would "
            "let a reader work out such a count, further cells are hidden and shown as “×”. "
            "Contributions without a zone or gender count in the totals only. A contribution "
            "without a known author counts as one participant."
        ),
    ]
    return "\n".join(lines)


def context(rollup: Rollup) -> str | None:
    return context_markdown(rollup.workshop, rollup.language)


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
        return [str(spec.title) for spec in SECTIONS if spec.key != "context"]
