"""The synonym index: exact and guarded fuzzy lookup of normalised names.

Fuzzy matching is bucketed by ``guard_signature``: a query is only ever scored against keys
with the same signature, so the guard (digits, codes, stereo, alkyl and halogen roots) is
enforced by construction and each query scores a few hundred keys instead of all of them.

Within a bucket a candidate must be at most ``MAX_FOLDED_EDITS`` edits (optimal string
alignment: insertion, deletion, substitution, adjacent transposition) from the query once both
are spelling-folded. A relative score alone is not enough: long systematic names of different
substances differ by a few letters (methoxy/methyl, amphetamine/phenethylamine, -diol/-dione)
and still score above 90.

The score is the mean of two ``fuzz.ratio`` values (normalised Indel similarity): one on the
keys as written and one on their spelling-folded forms (ph/f, th/t, y/i, final e). ``ratio`` rather
than ``WRatio``: WRatio's partial and token-set scorers give 100 to a key contained in
another (``mdma`` in ``mdma-d5``) or to reordered words, which is exactly the silent guess a
substance name must not get. Folding lets INN and US spellings meet (metamfetamine ->
methamphetamine: 85.7 as written, 100 folded, 92.9 reported); averaging keeps any spelling
that is not literally identical below 100 and ranks literal near-matches first. One edit in a
short word scores below the default 90 (fentaynl: 87.5); callers may lower ``min_score``.

Fuzzy hits are near-spellings, not identifications: the guard cannot know every pair of real
substances one letter apart (clonazolam/cloxazolam), so a fuzzy hit must be reported as
uncertain. A query with a stereo prefix only meets keys with the same prefix; to look for
the unprefixed name, query with ``normalise(name.base)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from subsmatch.substances.names import NormalisedName, guard_signature, normalise, spelling_fold

MIN_FUZZY_LENGTH = 5
"""Keys shorter than this are never fuzzy-matched: at three or four characters one edit is a
different code (MDA, MDEA, MDMA). The guard already pins every letter run of up to five
letters, so short codes could only meet keys that differ from them in punctuation."""

MAX_FOLDED_EDITS = 1
"""One typo (dextromethorphane, dextromethrophan -> dextromethorphan); spelling conventions
are free (metamfetamine = methamphetamine, cocain = cocaine once folded)."""


@dataclass(frozen=True)
class NameHit:
    substance_id: str
    matched_name: str  # the synonym key that matched
    score: float  # 100.0 for exact
    exact: bool


@dataclass(frozen=True)
class _Bucket:
    """Keys sharing one guard signature, with their folded forms aligned by position."""

    keys: tuple[str, ...]
    folded: tuple[str, ...]


class SynonymIndex:
    """Synonym text -> substance ids, by normalised key (exact) and guarded fuzzy match."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        by_key: defaultdict[str, set[str]] = defaultdict(set)
        by_base: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
        for text, substance_id in pairs:
            name = normalise(text)
            if not name.base:
                continue
            by_key[name.key].add(substance_id)
            by_base[name.base].add((name.key, substance_id))
        self._by_key = {key: tuple(sorted(ids)) for key, ids in by_key.items()}
        self._by_base = {base: tuple(sorted(hits)) for base, hits in by_base.items()}
        buckets: defaultdict[tuple[tuple[str, ...], ...], list[str]] = defaultdict(list)
        for key in sorted(self._by_key):
            if len(key) >= MIN_FUZZY_LENGTH:
                buckets[guard_signature(key)].append(key)
        self._buckets = {
            signature: _Bucket(tuple(keys), tuple(spelling_fold(k) for k in keys))
            for signature, keys in buckets.items()
        }

    def __len__(self) -> int:
        """Number of distinct normalised keys."""
        return len(self._by_key)

    def exact(self, name: NormalisedName) -> list[NameHit]:
        """All substances whose synonym has the query's key, sorted by id.

        When the query carries a stereo prefix that no synonym has, the substances sharing
        its base are returned instead, each with the key that matched (``matched_name`` then
        differs from ``name.key``: the caller decides whether that stereo form is covered).
        """
        if ids := self._by_key.get(name.key):
            return [NameHit(sid, name.key, 100.0, True) for sid in ids]
        if name.stereo:
            return [NameHit(sid, key, 100.0, True) for key, sid in self._by_base.get(name.base, ())]
        return []

    def fuzzy(self, name: NormalisedName, limit: int = 3, min_score: float = 90.0) -> list[NameHit]:
        """Best near-spellings of the query among keys with the same guard signature.

        One hit per substance (its best key), ordered by score, then key, then id. The query's
        own key is never returned: that is ``exact``'s answer.
        """
        key = name.key
        bucket = self._buckets.get(guard_signature(key))
        if bucket is None or len(key) < MIN_FUZZY_LENGTH:
            return []
        folded = spelling_fold(key)
        candidates = process.extract(
            folded,
            bucket.folded,
            scorer=OSA.distance,
            processor=None,
            score_cutoff=MAX_FOLDED_EDITS,
            limit=None,
        )
        best: dict[str, NameHit] = {}
        for candidate_folded, _, position in candidates:
            candidate = bucket.keys[position]
            score = round(
                (fuzz.ratio(folded, candidate_folded) + fuzz.ratio(key, candidate)) / 2, 2
            )
            if candidate == key or score < min_score:
                continue
            for sid in self._by_key[candidate]:
                hit = NameHit(sid, candidate, score, False)
                if sid not in best or _rank(hit) < _rank(best[sid]):
                    best[sid] = hit
        return sorted(best.values(), key=_rank)[:limit]


def _rank(hit: NameHit) -> tuple[float, str, str]:
    return (-hit.score, hit.matched_name, hit.substance_id)
