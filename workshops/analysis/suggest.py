"""Theme suggestions for untagged contributions, offline (issue 14, item 3).

Each theme is a point in a TF-IDF space of word and character n-grams: the theme
library's French and English names and descriptions, moved towards the texts the
workshop already tagged with it. A contribution's suggestions are the three
nearest themes (cosine similarity). Everything runs in this process: no text
leaves the server and nothing is downloaded.

Texts are normalised first (case, accents, apostrophes, SMS spellings such as
"ds", "pr", "gvt") so that "gouvernement", "Gouvernement" and "gvt" are one word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from workshops.models import Contribution, Theme, Workshop
from workshops.validators import fold

TOP = 3
# Tagged contributions that teach the suggester, newest first (bounds the fitting time).
MAX_EXAMPLES = 2000
# A theme's examples count n / (n + EXAMPLE_PRIOR) against its library wording: one short
# tagged note does not outweigh a whole description, thirty of them do.
EXAMPLE_PRIOR = 2

# Informal spellings seen in notes and SMS, French and English, after accents are removed.
SMS = {
    "ds": "dans",
    "pr": "pour",
    "gvt": "gouvernement",
    "gvmt": "gouvernement",
    "gouv": "gouvernement",
    "govt": "government",
    "gov": "government",
    "bcp": "beaucoup",
    "bcq": "beaucoup",
    "qd": "quand",
    "qnd": "quand",
    "pa": "pas",
    "ps": "pas",
    "ke": "que",
    "k": "que",
    "ki": "qui",
    "tt": "tout",
    "tjrs": "toujours",
    "tjs": "toujours",
    "jms": "jamais",
    "mm": "meme",
    "ns": "nous",
    "vs": "vous",
    "nn": "non",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "dc": "donc",
    "qqch": "quelque chose",
    "qq": "quelques",
    "qlq": "quelques",
    "auj": "aujourd'hui",
    "ya": "il y a",
    "fm": "femmes",
    "pb": "probleme",
    "pbm": "probleme",
    "svt": "souvent",
    "tel": "telephone",
    "ppl": "people",
    "u": "you",
    "r": "are",
    "bc": "because",
    "coz": "because",
    "cuz": "because",
    "w": "with",
    "govnt": "government",
    "tho": "though",
    "thru": "through",
    "yth": "youth",
    "osc": "societe civile",
    "csos": "civil society",
    "cso": "civil society",
}
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, no accents, SMS spellings spelt out: the form every text is compared in."""
    return " ".join(SMS.get(word, word) for word in _WORD.findall(fold(text)))


@dataclass(frozen=True)
class Suggestion:
    theme_id: int
    score: float  # cosine similarity, 0 to 1


def _vectoriser():
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415 - slow (1.5 s)
    from sklearn.pipeline import FeatureUnion  # noqa: PLC0415 - only when a board suggests

    words = TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True)
    chars = TfidfVectorizer(
        preprocessor=normalise, analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True
    )
    return FeatureUnion([("words", words), ("chars", chars)])


class Suggester:
    """Nearest themes to a text, from the themes' wording and tagged examples.

    ``themes`` are (theme id, its wording); ``examples`` are (theme id, a tagged text).
    The vocabulary and its weights are fitted once, on the themes and the examples;
    ``suggest`` then only transforms the texts, so one suggester serves many pages.
    """

    def __init__(self, themes: Sequence[tuple[int, str]], examples: Sequence[tuple[int, str]] = ()):
        self.theme_ids = [theme_id for theme_id, _ in themes]
        self._library = [wording for _, wording in themes]
        self._examples = list(examples)
        self._vectoriser = None
        self._centroids = None

    def suggest(self, texts: Sequence[str], top: int = TOP) -> list[list[Suggestion]]:
        import numpy as np  # noqa: PLC0415 - numpy, scipy and sklearn load only when used
        from sklearn.preprocessing import normalize  # noqa: PLC0415 - as above

        if not texts or not self.theme_ids:
            return [[] for _ in texts]
        if self._vectoriser is None:
            self._fit()
        vectors = normalize(self._vectoriser.transform(texts))
        scores = (vectors @ self._centroids.T).toarray()
        top = min(top, len(self.theme_ids))
        best = np.argsort(-scores, axis=1, kind="stable")[:, :top]
        return [
            [Suggestion(self.theme_ids[j], round(float(row[j]), 3)) for j in order]
            for row, order in zip(scores, best, strict=True)
        ]

    def _fit(self) -> None:
        """Each theme's point: its library wording plus the mean of its tagged examples."""
        import numpy as np  # noqa: PLC0415 - numpy, scipy and sklearn load only when used
        from scipy import sparse  # noqa: PLC0415 - as above
        from sklearn.preprocessing import normalize  # noqa: PLC0415 - as above

        example_texts = [text for _, text in self._examples]
        vectoriser = _vectoriser().fit([*self._library, *example_texts])
        centroids = normalize(vectoriser.transform(self._library))
        if self._examples:
            position = {theme_id: i for i, theme_id in enumerate(self.theme_ids)}
            pairs = [(position[t], k) for k, (t, _) in enumerate(self._examples) if t in position]
            rows, cols = zip(*pairs, strict=True) if pairs else ((), ())
            membership = sparse.csr_matrix(
                (np.ones(len(rows)), (rows, cols)),
                shape=(len(self.theme_ids), len(example_texts)),
            )
            counts = np.asarray(membership.sum(axis=1)).ravel()
            weight = 1 / (counts + EXAMPLE_PRIOR)  # the mean of n examples, times n / (n + prior)
            examples = normalize(vectoriser.transform(example_texts))
            centroids = normalize(centroids + sparse.diags(weight) @ membership @ examples)
        self._vectoriser, self._centroids = vectoriser, centroids


@lru_cache(maxsize=8)
def _suggester(
    themes: tuple[tuple[int, str], ...], examples: tuple[tuple[int, str], ...]
) -> Suggester:
    """Fitted once per state of a workshop's themes and tags, then reused by each board poll."""
    return Suggester(themes, examples)


def theme_wording(theme: Theme) -> str:
    return " ".join(part for part in (theme.name, theme.name_fr, theme.description) if part)


def for_contributions(
    workshop: Workshop, contributions: Iterable[Contribution], themes: Iterable[Theme]
) -> dict[int, list[tuple[Theme, float]]]:
    """The top three (theme, score) of each contribution, by its id. One query."""
    contributions = list(contributions)
    if not contributions:
        return {}
    themes = list(themes)
    by_id = {theme.pk: theme for theme in themes}
    through = Contribution.themes.through
    examples = list(
        through.objects.filter(contribution__workshop=workshop, theme_id__in=list(by_id))
        .order_by("-contribution_id")
        .values_list("theme_id", "contribution__text")[:MAX_EXAMPLES]
    )
    found = _suggester(tuple((t.pk, theme_wording(t)) for t in themes), tuple(examples)).suggest(
        [c.text for c in contributions]
    )
    return {
        c.pk: [(by_id[s.theme_id], s.score) for s in row]
        for c, row in zip(contributions, found, strict=True)
    }
