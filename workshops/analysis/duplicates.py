"""Duplicate suggestions: contributions that say nearly the same thing (issue 14, item 4).

A board offers, under a contribution, the others of the same category that read
almost the same, as merge candidates (merging keeps the earliest). Texts are
compared in the suggester's normal form (case, accents, SMS spellings:
``suggest.normalise``) as TF-IDF vectors of character n-grams within words.
"Corruption des autorités" and "corruption of the authorities" share most of
theirs, so French and English meet where the wording allows, and a typo costs a
few n-grams, not the word. The weights are fitted on the workshop's own texts,
so words every note uses count for little. It is a suggestion for a person to
confirm: wording that differs in one word ("l'État est absent" / "l'école est
absente") can score high; measured on a labelled set in bench/duplicates.py.

Nothing leaves the server; the comparison is one sparse product per board page.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from workshops.choices import ModerationStatus
from workshops.models import Contribution, Workshop

from .suggest import normalise

# Cosine similarity from which two texts are offered as the same (see bench/duplicates.py).
THRESHOLD = 0.55
TOP = 2  # candidates shown per contribution
POOL = 1000  # the newest contributions of the workshop compared (bounds the fitting time)


# English words of a workshop's vocabulary, in the French normal form: with them an
# English note and a French one share their n-grams ("armed groups" / "groupes armés").
# Words without an entry are compared as they are (cognates often match anyway).
GLOSSARY = {
    **dict.fromkeys(("of", "the", "a", "an", "in", "on", "for", "and", "to", "by", "is"), ""),
    **dict.fromkeys(("are", "with", "from", "at", "their", "our", "its", "be"), ""),
    "armed": "armes",
    "arms": "armes",
    "weapons": "armes",
    "small": "legeres",
    "light": "legeres",
    "groups": "groupes",
    "group": "groupe",
    "women": "femmes",
    "woman": "femme",
    "girls": "filles",
    "youth": "jeunes",
    "young": "jeunes",
    "children": "enfants",
    "people": "gens",
    "unemployment": "chomage",
    "jobs": "emplois",
    "job": "emploi",
    "authorities": "autorites",
    "local": "locales",
    "state": "etat",
    "government": "gouvernement",
    "land": "terres",
    "farmers": "agriculteurs",
    "herders": "eleveurs",
    "conflicts": "conflits",
    "conflict": "conflit",
    "community": "communautaire",
    "communities": "communautes",
    "roads": "routes",
    "north": "nord",
    "south": "sud",
    "climate": "climatique",
    "change": "changement",
    "pastures": "paturages",
    "train": "former",
    "training": "formation",
    "religious": "religieux",
    "peace": "paix",
    "impunity": "impunite",
    "perpetrators": "auteurs",
    "disarm": "desarmer",
    "disarmament": "desarmement",
    "militias": "milices",
    "strengthen": "renforcer",
    "excluded": "exclues",
    "exclusion": "exclusion",
    "access": "acces",
    "difficult": "difficile",
    "poor": "pauvres",
    "create": "creer",
    "schools": "ecoles",
    "security": "securite",
    "border": "frontieres",
    "borders": "frontieres",
    "rights": "droits",
    "human": "humains",
    "teachers": "enseignants",
    "floods": "inondations",
    "recruit": "recrutent",
    "recruitment": "recrutement",
    "villages": "villages",
    "absent": "absent",
    "absence": "absence",
    "lack": "manque",
    "justice": "justice",
    "elections": "elections",
    "police": "police",
    "army": "armee",
    "soldiers": "militaires",
    "drought": "secheresse",
    "water": "eau",
    "poverty": "pauvrete",
    "trafficking": "trafic",
    "drugs": "drogue",
    "terrorism": "terrorisme",
    "extremism": "extremisme",
    "violent": "violent",
    "violence": "violence",
    "leaders": "leaders",
    "traditional": "traditionnels",
    "chiefs": "chefs",
    "dialogue": "dialogue",
    "mediation": "mediation",
    "reconciliation": "reconciliation",
}


def bilingual(text: str) -> str:
    """The suggester's normal form, English workshop words put into French."""
    words = (GLOSSARY.get(word, word) for word in normalise(text).split())
    return " ".join(word for word in words if word)


@dataclass(frozen=True)
class Candidate:
    contribution_id: int
    score: float  # cosine similarity, 0 to 1


@dataclass(frozen=True)
class Other:
    """What a board shows of a candidate: its id (the anchor and the merge) and text."""

    pk: int
    text: str


class Matcher:
    """Near duplicates among ``pool`` (id, category, text): TF-IDF of character n-grams.

    The same weighting as scikit-learn's ``TfidfVectorizer(analyzer="char_wb",
    ngram_range=(3, 5), sublinear_tf=True)`` (smooth idf, l2 norm), but the n-grams of
    each text are counted once per process (hashed, ``_counts``) and only the weights are
    computed per pool: a board that finds one new contribution among 1,000 counts one
    text, not 1,000 (the counting was most of a changed board's time).
    """

    def __init__(self, pool: Sequence[tuple[int, str, str]]) -> None:
        import numpy as np  # noqa: PLC0415 - numpy loads with sklearn, only when used
        from scipy.sparse import csr_matrix  # noqa: PLC0415
        from sklearn.preprocessing import normalize  # noqa: PLC0415

        self.ids = [pk for pk, _category, _text in pool]
        self.categories = [category for _pk, category, _text in pool]
        self._position = {pk: k for k, pk in enumerate(self.ids)}
        self._vectors = None
        if pool:
            rows = _counts([text for _pk, _category, text in pool])
            indptr = np.zeros(len(rows) + 1, dtype=np.int64)
            np.cumsum([len(indices) for indices, _counts_of in rows], out=indptr[1:])
            hashed = np.concatenate([indices for indices, _counts_of in rows])
            counts = np.concatenate([counts_of for _indices, counts_of in rows])
            # Columns: only the n-grams this pool has (document frequency of each).
            _features, indices, document_frequency = np.unique(
                hashed, return_inverse=True, return_counts=True
            )
            n = len(rows)
            idf = np.log((1 + n) / (1 + document_frequency)) + 1
            weights = (1 + np.log(counts)) * idf[indices]
            shape = (n, len(document_frequency))
            self._vectors = normalize(csr_matrix((weights, indices, indptr), shape=shape))

    def candidates(
        self, ids: Iterable[int], threshold: float = THRESHOLD, top: int = TOP
    ) -> dict[int, list[Candidate]]:
        """For each id in the pool: the others of its category at ``threshold`` or more,
        most similar first (the newer first on a tie, as the pool is ordered)."""
        import numpy as np  # noqa: PLC0415 - numpy loads with sklearn, only when used

        rows = [self._position[pk] for pk in ids if pk in self._position]
        if not rows or self._vectors is None:
            return {}
        scores = (self._vectors[rows] @ self._vectors.T).toarray()
        categories = np.array(self.categories)
        found = {}
        for k, row in zip(rows, scores, strict=True):
            row[k] = 0  # not itself
            row[categories != self.categories[k]] = 0
            best = [j for j in np.argsort(-row, kind="stable")[:top] if row[j] >= threshold]
            if best:
                found[self.ids[k]] = [Candidate(self.ids[j], round(float(row[j]), 3)) for j in best]
        return found


# Hashed n-grams: two of a pool's ~50,000 n-grams share a hash about once in two pools of
# 1,000 texts, and a shared hash moves a score by a few thousandths at most.
FEATURES = 2**31 - 1
COUNTED = 10_000  # texts whose n-gram counts a process keeps (~2 KB each: ~20 MB)
_counted: OrderedDict[str, tuple] = OrderedDict()
_counted_lock = threading.Lock()


def _counts(texts: list[str]) -> list[tuple]:
    """Each text's hashed n-gram (indices, counts), counted once per process."""
    from sklearn.feature_extraction.text import (  # noqa: PLC0415 - slow: only when a board asks
        HashingVectorizer,
    )

    with _counted_lock:
        found = {text: _counted[text] for text in texts if text in _counted}
        for text in found:
            _counted.move_to_end(text)
    missing = list(dict.fromkeys(text for text in texts if text not in found))
    if missing:
        hasher = HashingVectorizer(
            preprocessor=bilingual,
            analyzer="char_wb",
            ngram_range=(3, 5),
            n_features=FEATURES,
            alternate_sign=False,
            norm=None,
        )
        matrix = hasher.transform(missing)
        matrix.sum_duplicates()
        with _counted_lock:
            for k, text in enumerate(missing):
                start, end = matrix.indptr[k], matrix.indptr[k + 1]
                found[text] = (matrix.indices[start:end].copy(), matrix.data[start:end].copy())
                _counted[text] = found[text]
            while len(_counted) > COUNTED:
                _counted.popitem(last=False)
    return [found[text] for text in texts]


@lru_cache(maxsize=8)
def _matcher(pool: tuple[tuple[int, str, str], ...]) -> Matcher:
    """Fitted once per state of a workshop's texts, then reused by each board poll."""
    return Matcher(pool)


def for_contributions(
    workshop: Workshop, contributions: Iterable[Contribution]
) -> dict[int, list[tuple[Other, float]]]:
    """Merge candidates of each contribution shown, by its id: one query.

    Compared with the newest ``POOL`` contributions of the workshop that are not
    merged or hidden, of the same categories.
    """
    shown = [c for c in contributions if c.status != ModerationStatus.MERGED]
    if not shown:
        return {}
    pool = tuple(
        Contribution.objects.filter(workshop=workshop, category__in={c.category for c in shown})
        .exclude(status__in=[ModerationStatus.MERGED, ModerationStatus.HIDDEN])
        .order_by("-created_at", "-pk")
        .values_list("pk", "category", "text")[:POOL]
    )
    text = {pk: words for pk, _category, words in pool}
    found = _matcher(pool).candidates(c.pk for c in shown)
    return {
        pk: [(Other(c.contribution_id, text[c.contribution_id]), c.score) for c in row]
        for pk, row in found.items()
    }
