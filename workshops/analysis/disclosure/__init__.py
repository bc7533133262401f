"""Disclosure control for a whole release, audited exactly.

A *release* is every number of a workshop shown to someone who may not see
row-level data: tables and their totals, group sizes, the per-source tables
beside the all-sources one, votes, chart data. It is built as named cells (any
hashable key, with its true integer value) and the linear relations a reader
knows hold between them (``release``): sums, "part <= whole", "at least the
sum", orderings; a cell may be *unpublished* (a "not stated" remainder) with
known bounds. ``workshop_release`` (``workshop``) builds the release the roll-up
publishes from voice-level data.

What the attacker knows about each cell, from the display rules:

- shown: its exact value (zeros are shown as 0, they are not sensitive);
- "<5" (primary): 1..4;
- "×" (secondary): hidden so that a small number cannot be worked out. It may be
  ANY value of 0 or more, zeros included: "×" reveals nothing, so its domain is
  [0, ∞) (or the cell's stated bounds); a structural upper bound (at most the
  group size) is known only through the relations;
- unpublished: >= 0, or the bounds the caller states.

The rule (``audit``): EVERY hidden cell whose true value is 1..4 — a "<5", or a
"<5" escalated to "×" — must admit both 1 and 4 in the exact integer program
over all relations and domains above (as τ-ARGUS, sdcTable's ``attack`` and
GaussSuppression's interval computation, but with integer variables).

How the audit stays exact and fast (``control``):

- published cells are constants, so the programs split into connected
  components of hidden cells;
- presolve: bounds are propagated through every relation (each row bounds each
  of its variables by the others); cells whose bounds meet become constants,
  rows that cannot bind given the bounds are dropped (e.g. a "<5" <= a shown
  group of 30), and the component splits again into independent groups; a cell
  left in no row spans exactly its bounds;
- cheap proofs first: integer points that reach 1 or 4 prove that side with no
  further solve — the true values, then one push of all pending cells to 1 (to
  4) at once; only the sides left go to ``scipy.optimize.milp`` (HiGHS, zero
  gap), one feasibility program each, on the group's model built once. Points
  are checked exactly in integers.

Secondary suppression (``protect``): while some audited cell cannot reach 1 (or
4), first try a few cheap complements, cheapest first: a published cell in a
relation with the cell's group, together with the cheapest shown cell of each
other sum that would pin it (e.g. its ALL total); one is kept when an exact
integer point of the whole release (the neighbourhood free, the rest at its true
values) shows the value reachable. Only when none does, solve the cheapest way
to make that value feasible by letting published cells change — any cell, zeros
and totals included, at a cost of 1 + its value; a "<5" may be escalated to "×"
only at a prohibitive cost, as a last resort — and hide the cells that had to
change. The model has no common big number: each switch widens one variable from
its shown value to bounds implied by the relations (or, where none binds, a cap
of twice the largest value around). It starts from the cell's component and the
cells one relation away, and widens ring by ring until feasible. Hiding only
widens the feasible set, so each step settles its cell for good and the loop
ends. The attacker is not assumed to know how the secondaries were chosen (as in
τ-ARGUS and sdcTable).

Failures in parts of the release that the round's covers did not touch are
repaired in the same round; a cover's integer program is solved to within 10 % of
its optimum, and widened beyond its first rings only while those stay under 300
variables — any cover the audit then accepts is safe, a cheaper one only hides
less. The audits of independent groups are a pure function of each group's model
and are shared by every protection in the process: the next release of a live
workshop re-solves only the groups its new contributions touched. The pattern is
a function of the release alone (no history, no time limit): two patterns of the
same numbers side by side would reveal what each hides.

``protect_cached`` (and ``WorkshopRelease.protected``) memoises ``protect`` in
Django's cache by the release's fingerprint (a hash of every cell and relation),
so a page reloaded with unchanged data costs one hash; without Django settings
it just protects.

The package is pure: numbers and relations in, display decisions out.
"""

from .control import (
    AuditResult,
    CellAudit,
    Protected,
    audit,
    primary_only,
    protect,
    protect_cached,
)
from .release import SECONDARY, THRESHOLD, TOTAL, Release, Rule, Status, TableKeys, primary_mark
from .workshop import (
    ALL,
    FACETS,
    GENDER,
    MIN_SCOPE,
    SCOPES,
    ZONE,
    Voice,
    WorkshopRelease,
    workshop_release,
)

__all__ = [
    "ALL",
    "FACETS",
    "GENDER",
    "MIN_SCOPE",
    "SCOPES",
    "SECONDARY",
    "THRESHOLD",
    "TOTAL",
    "ZONE",
    "AuditResult",
    "CellAudit",
    "Protected",
    "Release",
    "Rule",
    "Status",
    "TableKeys",
    "Voice",
    "WorkshopRelease",
    "audit",
    "primary_mark",
    "primary_only",
    "protect",
    "protect_cached",
    "workshop_release",
]
