"""Disclosure control of a whole release: the arithmetic attacks, and an attacker
written independently of the product's audit (its own constraints, built from the
way the tables are made, and its own branch-and-bound over ``linprog``)."""

from __future__ import annotations

import math
import random
from itertools import product

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from workshops.analysis import disclosure
from workshops.analysis.disclosure import (
    ALL,
    GENDER,
    MIN_SCOPE,
    SECONDARY,
    ZONE,
    Protected,
    Release,
    Rule,
    Status,
    Voice,
    audit,
    primary_only,
    protect,
    protect_cached,
    workshop_release,
)


def shown(protected, keys):
    return {key: protected.display(key) for key in keys}


# --- the arithmetic attacks of issue 11 ----------------------------------------------


def test_small_cells_beside_a_printed_cell_and_total_are_no_longer_exact():
    release = Release()
    zones = ["north", "centre", "south"]
    table = release.table("t", ["theme"], zones, [[8, 1, 1]], col_totals=False, grand=False)
    naive = audit(primary_only(release))
    assert not naive.ok
    assert {(c.low, c.high) for c in naive.failures} == {(1, 1)}  # 8 + <5 + <5 = 10

    protected = protect(release)

    assert protected.result.ok and audit(protected).ok
    assert protected.display(table.cells[0][1]) == "<5"
    assert SECONDARY in {
        protected.display(table.cells[0][0]),
        protected.display(table.row_totals[0]),
    }


def test_category_total_minus_theme_totals_no_longer_gives_a_hidden_theme():
    release = Release()
    themes = [release.cell(name, value) for name, value in [("a", 6), ("b", 5), ("c", 3)]]
    release.cell("category", 14)
    release.sum("category", themes)
    naive = audit(primary_only(release))
    assert [(c.key, c.low, c.high) for c in naive.failures] == [("c", 3, 3)]  # 14 − 11 = 3

    protected = protect(release)

    assert audit(protected).ok
    assert protected.display("c") == "<5"


def test_roll_up_with_and_without_a_source_filter_no_longer_gives_a_group_size():
    release = Release()
    release.cell(("all", "north"), 12)
    parts = [release.cell(("phone", "north"), 9), release.cell(("note", "north"), 3)]
    release.sum(("all", "north"), parts)
    assert not audit(primary_only(release)).ok  # 12 − 9 = 3

    protected = protect(release)

    assert audit(protected).ok
    assert protected.status(("note", "north")) == Status.PRIMARY


def test_small_total_of_small_votes_is_hidden_and_then_holds():
    release = Release()
    votes = [release.cell(f"rec-{k}", v) for k, v in enumerate([2, 1, 1])]
    release.cell("dots", 4)
    release.sum("dots", votes)
    assert "can be narrowed" in audit(primary_only(release)).summary()

    protected = protect(release)  # "×" may be any value, so a total of 4 can hide

    assert protected.result.ok and audit(protected).ok
    assert protected.display("dots") == SECONDARY


def test_a_hidden_zero_is_treated_as_zero_or_more():
    release = Release()
    release.table("t", ["a"], ["x", "y", "z"], [[0, 2, 9]], col_totals=False, grand=False)
    x, y = ("t", "a", "x"), ("t", "a", "y")
    protected = Protected(release, 5, frozenset({y}), frozenset({x}))

    # "×" + "<5" = 11 − 9 = 2: with "×" >= 0 the "<5" is 1 or 2 (">= 1" would pin it to 1)
    assert [(c.key, c.low, c.high) for c in audit(protected).cells] == [(y, 1, 2)]


def test_protect_may_hide_zeros_as_complements():
    release = Release()
    release.table("t", ["a", "b"], ["x", "y", "z"], [[3, 0, 8], [0, 9, 7]])
    protected = protect(release)

    assert protected.result.ok and audit(protected).ok
    assert protected.display(("t", "a", "y")) == SECONDARY  # a zero


def test_an_escalated_small_cell_must_still_span_one_to_four():
    release = Release()
    release.table("t", ["a"], ["x", "y"], [[1, 9]], col_totals=False, grand=False)
    x = ("t", "a", "x")
    protected = Protected(release, 5, frozenset(), frozenset({x}))  # 1 shown as "×"

    assert [(c.key, c.low, c.high) for c in audit(protected).failures] == [(x, 1, 1)]


def test_union_of_themes_bounds_the_category_count():
    release = Release()
    release.table(
        "people",
        ["land", "water"],
        ["north", "south"],
        [[2, 7], [6, 6]],
        col_totals=[8, 10],
        grand=18,
        col_rule=Rule.UNION,
    )
    protected = protect(release)
    assert audit(protected).ok
    assert protected.display(("people", "land", "north")) == "<5"


def test_protect_is_deterministic_and_summary_says_every_cell_spans():
    def build():
        release = Release()
        release.table("t", list("abc"), list("xyz"), [[1, 6, 9], [7, 2, 8], [5, 9, 3]])
        return release

    first, second = protect(build()), protect(build())
    assert first.secondary == second.secondary
    assert first.result.summary().startswith("Every one of the 3 hidden cells still spans 1–4")


def test_keep_and_cost_hints_steer_the_secondaries():
    release = Release()
    release.table("t", ["a"], ["x", "y", "z"], [[8, 1, 1]], col_totals=False, grand=False)
    release.hint(("t", "a", "x"), keep=True)
    protected = protect(release)
    assert protected.is_shown(("t", "a", "x"))
    assert protected.display(("t", "a", "total")) == SECONDARY


def test_a_shared_key_must_keep_its_value():
    release = Release()
    release.cell("k", 3)
    with pytest.raises(ValueError, match="given as 3 and as 4"):
        release.cell("k", 4)


# --- random workshops against an independent attacker ---------------------------------

ZONES, SOURCES, THEMES = (0, 1), ("phone", "note"), ("land", "water")
SCOPES = (*SOURCES, "all")

voice = st.tuples(
    st.sampled_from(ZONES),
    st.sampled_from(SOURCES),
    st.frozensets(st.sampled_from(THEMES)),
)


def counts(voices, scope):
    """Distinct voices per (theme, zone), per theme, per zone, and overall."""
    members = [v for v in voices if scope in ("all", v[1])]
    cell = {
        (t, z): sum(1 for v in members if v[0] == z and t in v[2]) for t in THEMES for z in ZONES
    }
    theme = {t: sum(1 for v in members if t in v[2]) for t in THEMES}
    zone = {z: sum(1 for v in members if v[0] == z) for z in ZONES}
    return cell, theme, zone, len(members)


def build_release(voices):
    release = Release()
    for scope in SCOPES:
        cell, theme, zone, everyone = counts(voices, scope)
        release.table(
            scope,
            THEMES,
            ZONES,
            [[cell[t, z] for z in ZONES] for t in THEMES],
            row_totals=[theme[t] for t in THEMES],
            col_totals=[zone[z] for z in ZONES],
            grand=everyone,
            row_rule=Rule.SUM,  # every voice has one zone
            col_rule=Rule.UNION_AND_REST,  # a voice raises none, one or both themes
        )
    for t, z in product([*THEMES, "total"], [*ZONES, "total"]):
        release.sum(("all", t, z), [(s, t, z) for s in SOURCES])
    return release


def attacker_constraints(protected, voices):
    """What a reader can write down from the printed tables, without the product's model."""
    names = [
        (scope, kind, t, z)
        for scope in SCOPES
        for kind, t, z in [("cell", t, z) for t in THEMES for z in ZONES]
        + [("theme", t, None) for t in THEMES]
        + [("zone", None, z) for z in ZONES]
        + [("everyone", None, None)]
    ]
    index = {name: k for k, name in enumerate(names)}
    printed_key = {
        name: (
            name[0],
            name[2] if name[2] is not None else "total",
            name[3] if name[3] is not None else "total",
        )
        for name in names
    }
    eq, ub = [], []

    def row(terms):
        vector = np.zeros(len(names))
        for name, coefficient in terms:
            vector[index[name]] += coefficient
        return vector

    for scope in SCOPES:
        for t in THEMES:  # a theme's people are split by zone
            eq.append(
                row([((scope, "theme", t, None), 1)] + [((scope, "cell", t, z), -1) for z in ZONES])
            )
        # everyone is split by zone
        eq.append(
            row(
                [((scope, "everyone", None, None), 1)]
                + [((scope, "zone", None, z), -1) for z in ZONES]
            )
        )
        for t, z in product(
            THEMES, ZONES
        ):  # people raising a theme in a zone are people of the zone
            ub.append(row([((scope, "cell", t, z), 1), ((scope, "zone", None, z), -1)]))
        for t in THEMES:
            ub.append(row([((scope, "theme", t, None), 1), ((scope, "everyone", None, None), -1)]))
    for name in names:  # all sources = phone + note, for every printed number
        if name[0] == "all":
            eq.append(row([(name, 1)] + [((s, *name[1:]), -1) for s in SOURCES]))
    bounds = []
    for name in names:
        text = protected.display(printed_key[name])
        if text == "<5":
            bounds.append((1, 4))
        elif text == SECONDARY:
            bounds.append((0, None))
        else:
            bounds.append((int(text), int(text)))
    return names, index, np.array(eq), np.array(ub), bounds


def integer_feasible(eq, ub, bounds, depth=0):
    """Branch and bound on the LP relaxation: is there an integer point?"""
    result = linprog(
        np.zeros(len(bounds)),
        A_eq=eq,
        b_eq=np.zeros(len(eq)),
        A_ub=ub,
        b_ub=np.zeros(len(ub)),
        bounds=bounds,
        method="highs",
    )
    if result.status != 0:
        return False
    fractional = [k for k, v in enumerate(result.x) if abs(v - round(v)) > 1e-6]
    if not fractional:
        return True
    assert depth < 60
    k, v = fractional[0], result.x[fractional[0]]
    low, high = bounds[k]
    down = [*bounds[:k], (low, math.floor(v)), *bounds[k + 1 :]]
    up = [*bounds[:k], (math.ceil(v), high), *bounds[k + 1 :]]
    return integer_feasible(eq, ub, down, depth + 1) or integer_feasible(eq, ub, up, depth + 1)


@pytest.mark.fuzz
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(voices=st.lists(voice, min_size=1, max_size=14))
def test_independent_attacker_never_narrows_a_hidden_cell(voices):
    release = build_release(voices)
    protected = protect(release)
    result = audit(protected)
    assert result.ok
    names, index, eq, ub, bounds = attacker_constraints(protected, voices)
    truth = build_release(voices)
    for name in names:
        key = (
            name[0],
            name[2] if name[2] is not None else "total",
            name[3] if name[3] is not None else "total",
        )
        if protected.display(key) not in ("<5", SECONDARY) or not 0 < truth.value(key) < 5:
            continue  # only hidden cells of 1–4 must span 1–4 ("×" may be anything)
        proven_ok = next(c.ok for c in result.cells if c.key == key)
        reach = []
        for target in (1, 4):
            fixed = list(bounds)
            fixed[index[name]] = (target, target)
            reach.append(integer_feasible(eq, ub, fixed))
        assert all(reach) == proven_ok, (key, truth.value(key), reach)


@settings(max_examples=30, deadline=None)
@given(voices=st.lists(voice, min_size=1, max_size=14))
def test_protect_shows_every_cell_it_does_not_hide_exactly(voices):
    release = build_release(voices)
    protected = protect(release)
    for key in release.keys:
        value = release.value(key)
        status = protected.status(key)
        if status == Status.SHOWN:
            assert protected.display(key) == str(value)
            assert not 0 < value < 5
        elif status == Status.PRIMARY:
            assert 0 < value < 5
        else:
            assert status == Status.SECONDARY  # any value, zeros included


# --- the release the roll-up publishes --------------------------------------------------


def random_workshop(seed, size=12):
    rng = random.Random(seed)
    topics = [(f, t) for f in ("driver:long_term", "challenge", "recommendation") for t in "ab"]

    def maybe(values):
        return None if rng.random() < 0.1 else rng.choice(values)

    voices = [
        Voice(
            rng.choice(disclosure.SCOPES),
            maybe(["north", "south", "centre"]),
            maybe(["woman", "man"]),
            frozenset(rng.sample(topics, rng.randint(0, 3))),
        )
        for _ in range(size)
    ]
    dots = sorted((rng.randint(0, 7) for _ in range(5)), reverse=True)
    return voices, [(f"rec-{k}", d) for k, d in enumerate(dots)]


@pytest.mark.parametrize("seed", [1, 2])
def test_workshop_release_passes_the_audit_after_protect(seed):
    voices, votes = random_workshop(seed)
    published = workshop_release(voices=voices, votes=votes)

    protected = published.protected
    assert protected.result.ok and audit(protected).ok
    for key in published.release.keys:
        value, text = published.release.value(key), published.display(key)
        if text not in (None, "<5", SECONDARY):
            assert text == str(value)
            assert key[0] == "voices" or not 0 < value < 5  # voices are shown exactly


def test_workshop_release_publishes_sizes_themes_cells_and_votes():
    voices = [
        Voice("workshop", "north", "woman", frozenset({("challenge", "land")})),
        Voice("workshop", None, "man", frozenset({("challenge", "land")})),
        Voice("survey", "south", None, frozenset()),
    ]
    published = workshop_release(voices=voices, votes=[("r1", 6), ("r2", 0)])
    release = published.release

    assert published.scopes == ("workshop", "survey", ALL)
    assert release.value(("voices", ALL)) == 3
    assert release.value(("theme", ALL, "challenge", "land")) == 2
    assert release.value(("cell", "workshop", "challenge", "land", ZONE, "north")) == 1
    assert published.display(("size", "workshop", ZONE, None)) is None  # "not stated"
    assert published.display(("theme", "survey", "challenge", "land")) == "0"  # no voice
    assert published.display(("vote", "r1")) == "6"
    assert published.protected.result.ok


def test_a_row_under_five_is_not_published_but_counts_in_the_all_row():
    theme = frozenset({("challenge", "land")})
    zones = ["north", "centre", "south"]
    voices = [
        Voice("workshop", zones[k % 3], "woman", theme if k < 3 else frozenset()) for k in range(12)
    ] + [Voice("survey", zones[k % 3], "man", theme if k < 3 else frozenset()) for k in range(10)]
    published = workshop_release(voices=voices)

    assert published.tables == ("workshop", "survey", ALL)
    for scope in ("workshop", "survey"):  # a total of 3: neither the total nor its cells
        assert published.display(("theme", scope, "challenge", "land")) is None
        assert published.display(("cell", scope, "challenge", "land", ZONE, "north")) is None
    naive = primary_only(published.release)  # before secondary suppression
    assert naive.display(("theme", ALL, "challenge", "land")) == "6"
    assert naive.display(("cell", ALL, "challenge", "land", GENDER, "woman")) == "<5"
    assert published.display(("theme", ALL, "challenge", "land")) in ("6", SECONDARY)
    assert published.protected.result.ok and audit(published.protected).ok


def test_a_scope_under_min_scope_has_no_table_but_its_voices_are_shown():
    """The second workshop's shape: 30 participants in 3 zones of 10 (14 women, 16
    men), 36 survey respondents, 3 interviewees."""
    rng = random.Random(7)
    zones, topics = ["North", "Centre", "South"], [("challenge", t) for t in "abcdef"]

    def said():
        return frozenset(rng.sample(topics, rng.randint(1, 3)))

    voices = [
        Voice("workshop", zones[k // 10], "woman" if k % 15 < 7 else "man", said())
        for k in range(30)
    ]
    voices += [
        Voice("survey", rng.choice(zones), rng.choice(["woman", "man"]), said()) for _ in range(36)
    ]
    voices += [Voice("interview", zone, "man", frozenset(topics)) for zone in zones]
    published = workshop_release(voices=voices)

    assert MIN_SCOPE == 10
    # ALL minus the workshop's and the survey's tables would give the interviewees' own:
    # so a source too small for tables is left out of ALL too, and only counted.
    assert published.tables == ("workshop", "survey", ALL)
    assert published.display(("voices", "interview")) == "3"  # shown exactly
    assert published.display(("voices", ALL)) == "66"  # the voices of the tables
    assert published.display(("people",)) == "69"  # every voice
    assert ("size", "interview", ZONE, "North") not in published.release
    assert ("theme", "interview", "challenge", "a") not in published.release
    assert published.display(("size", "workshop", ZONE, "North")) == "10"
    assert published.protected.result.ok and audit(published.protected).ok

    without_interviews = workshop_release(voices=[v for v in voices if v.scope != "interview"])
    assert without_interviews.tables == ("workshop", "survey", ALL)
    assert without_interviews.display(("size", "workshop", ZONE, "North")) == "10"


class _Cache(dict):
    def get(self, key, default=None):
        return super().get(key, default)

    def set(self, key, value):
        self[key] = value


def test_protect_cached_protects_once_per_fingerprint(monkeypatch):
    def build(value):
        release = Release()
        release.table("t", ["a"], ["x", "y", "z"], [[8, 1, value]], col_totals=False, grand=False)
        return release

    cache = _Cache()
    first = protect_cached(build(1), cache=cache)
    monkeypatch.setattr(disclosure.control, "protect", lambda *a: pytest.fail("protected again"))

    again = protect_cached(build(1), cache=cache)

    assert (again.primary, again.secondary) == (first.primary, first.secondary)
    assert again.result.ok
    assert build(1).fingerprint() != build(2).fingerprint()


# --- small groups in one source; group audits shared across releases --------------------


def test_a_small_group_in_one_source_only_can_still_be_protected():
    """3 men among 10 workshop participants, 8 among 14 respondents: with the survey's and
    the all-voices' gender sizes kept (no small group there), ALL − survey gave the
    workshop's 3 exactly, and no secondary could help, so nothing was printed."""
    topics = frozenset({("challenge", "a")})
    voices = (
        [Voice("workshop", "north", "woman", topics)] * 5
        + [Voice("workshop", "north", "man", topics)] * 3
        + [Voice("workshop", "north", None, topics)] * 2
        + [Voice("survey", "north", "woman", topics)] * 6
        + [Voice("survey", "north", "man", topics)] * 8
    )
    published = workshop_release(voices=voices)

    protected = published.protected

    assert protected.result.ok and audit(protected).ok
    assert published.display(("size", "workshop", "gender", "man")) == "<5"
    hidden = [published.display(("size", s, "gender", "man")) for s in ("survey", ALL)]
    assert SECONDARY in hidden  # one of them is the 3's complement


def test_group_audits_shared_across_releases_do_not_change_the_protection():
    first, votes = random_workshop(3, size=40)  # one that needs secondaries
    second, _votes = random_workshop(4, size=40)
    release = workshop_release(voices=first, votes=votes).release
    disclosure.control._GROUP_AUDITS.clear()
    alone = protect(release)
    protect(workshop_release(voices=second, votes=votes).release)  # fills the shared audits

    again = protect(release)

    assert (again.primary, again.secondary) == (alone.primary, alone.secondary)
    assert again.result.cells == alone.result.cells
    assert len(disclosure.control._GROUP_AUDITS) > 0
