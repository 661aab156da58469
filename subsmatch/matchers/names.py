"""The synonym index: exact, separator-blind and guarded fuzzy lookup of normalised names.

Each name carries the region where it means its substance ("" for a name used anywhere, a
country code, "EU", "US" or "global" for street names); the index returns the regions with
each hit and leaves the choice between meanings to the resolver.

Fuzzy matching is bucketed by ``guard_signature``: a query is only ever scored against keys
with the same signature, so the guard (digits, codes, stereo, alkyl and halogen roots) is
enforced by construction and each query scores a few hundred keys instead of all of them.

Within a bucket a candidate must be the same once both are spelling-folded (ph/f, th/t, y/i,
c/k, INN endings, final e: a spelling convention), or, for a long key (``LONG_NAME``
characters or more), one edit away (optimal string alignment: insertion, deletion,
substitution, adjacent transposition: a typo). A relative score alone is not enough: long
systematic names of different substances differ by a few letters (methoxy/methyl,
amphetamine/phenethylamine, -diol/-dione) and still score above 90.

The score ranks the candidates: the mean of two ``fuzz.ratio`` values (normalised Indel
similarity), one on the keys as written and one on their spelling-folded forms. ``ratio``
rather than ``WRatio``: WRatio's partial and token-set scorers give 100 to a key contained in
another (``mdma`` in ``mdma-d5``) or to reordered words, which is exactly the silent guess a
substance name must not get. Averaging keeps any spelling that is not literally identical
below 100 and ranks literal near-matches first (metamfetamine -> methamphetamine: 92.9).

Fuzzy hits are near-spellings, not identifications: the guard cannot know every pair of real
substances one letter apart (clonazolam/cloxazolam), so a fuzzy hit must be reported as
uncertain. A query with a stereo prefix only meets keys with the same prefix; to look for
the unprefixed name, query with ``normalise(name.base)``.

Only the exact index is built with the index: the base, separator-blind and fuzzy indexes are
built when first asked (a single ``check`` of a known name never needs them), through ``keep``,
which may hand back a copy an earlier process kept (the checker's keeps them in the start-up
cache, :mod:`subsmatch.startup`: an ingest's second process neither folds nor signs a hundred
thousand keys again). Keys made by this normaliser (``KEY_VERSION``) may be given, so that the
names need not be normalised again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from subsmatch.substances.names import (
    NormalisedName,
    compact_key,
    guard_signature,
    normalise,
    spelling_fold,
    split_stereo,
)
from subsmatch.substances.regions import ANYWHERE

MIN_FUZZY_LENGTH = 5
"""Keys shorter than this are never fuzzy-matched: at three or four characters one edit is a
different code (MDA, MDEA, MDMA). The guard already pins every letter run of up to five
letters, so short codes could only meet keys that differ from them in punctuation."""

LONG_NAME = 8
"""Keys of this length or more (spelling-folded) tolerate one typo (fentanly -> fentanyl,
dextromethrophan -> dextromethorphan); shorter ones only spelling conventions (kokain ->
cocaine)."""

MAX_FOLDED_EDITS = 1


@dataclass(frozen=True)
class NameHit:
    substance_id: str
    matched_name: str  # the synonym key that matched
    score: float  # 100.0 for exact
    exact: bool
    regions: frozenset[str] = ANYWHERE  # where the name means this substance ("": anywhere)
    # found by its own spelling only: no answer to a form a rule makes of another spelling
    spelling_only: bool = False


@dataclass(frozen=True)
class _Bucket:
    """Keys sharing one guard signature, with their folded forms aligned by position."""

    keys: tuple[str, ...]
    folded: tuple[str, ...]


Meanings = tuple[tuple[str, frozenset[str]], ...]  # (substance id, regions), sorted by id
Keep = Callable[[str, Callable[[], Any]], Any]
"""``keep(name, make)``: ``make()``, or the same value kept from an earlier process."""


def made(name: str, make: Callable[[], Any]) -> Any:
    """The :data:`Keep` that keeps nothing: ``make()``."""
    return make()


def _meanings(rows: list[tuple[str, str]]) -> Meanings:
    """(substance id, region) rows of one key as each substance with all its regions."""
    if all(not region for _, region in rows):  # most names are used anywhere
        return tuple((sid, ANYWHERE) for sid in sorted({sid for sid, _ in rows}))
    regions: dict[str, set[str]] = {}
    for sid, region in rows:
        regions.setdefault(sid, set()).add(region)
    return tuple(
        (sid, ANYWHERE if r == {""} else frozenset(r)) for sid, r in sorted(regions.items())
    )


class SynonymIndex:
    """Synonym text -> substance ids (with the regions of each), by normalised key.

    ``names`` holds (text, substance id) or (text, substance id, region) rows; ``keys``, when
    given, their keys as :func:`normalise` makes them now (aligned with ``names``);
    ``exact_only``, the positions of the rows found by their own spelling only (exact and
    separator-blind), never by a near-spelling: a key all of whose rows are such is no target
    of :meth:`fuzzy` or :meth:`spelled` (a vocabulary's synonyms of medicines only it knows
    would crowd the near-spellings of names no table holds: 'pheniramine' is not
    'phenylamine'). A key's
    rows are grouped by substance when the key is first asked for: building stays a single
    pass (the reference holds tens of thousands of names). ``keep`` makes the indexes built
    when first asked (by name: "by_base", "by_compact", "buckets"); it may only hand back
    what ``make`` would make from these names and this code.
    """

    def __init__(
        self,
        names: Iterable[Sequence[str]],
        keys: Sequence[str] | None = None,
        keep: Keep = made,
        exact_only: Iterable[int] = (),
    ) -> None:
        rows: dict[str, list[tuple[str, str]]] = {}
        exact = frozenset(exact_only)
        exact_rows: dict[str, int] = {}  # key -> its rows found by their own spelling only
        for i, (text, substance_id, *region) in enumerate(names):
            key = keys[i] if keys is not None else normalise(text).key
            if key:
                rows.setdefault(key, []).append((substance_id, region[0] if region else ""))
                if exact and i in exact:
                    exact_rows[key] = exact_rows.get(key, 0) + 1
        self._rows = rows
        self._exact_rows = exact_rows
        self._meanings: dict[str, Meanings] = {}
        self._keep = keep

    def _of(self, key: str) -> Meanings:
        """The meanings of a key in the index."""
        if (found := self._meanings.get(key)) is None:
            found = self._meanings[key] = _meanings(self._rows[key])
        return found

    def __len__(self) -> int:
        """Number of distinct normalised keys."""
        return len(self._rows)

    def exact(self, name: NormalisedName) -> list[NameHit]:
        """All substances whose synonym has the query's key, sorted by id.

        When the query carries a stereo prefix that no synonym has, the substances sharing
        its base are returned instead, each with the key that matched (``matched_name`` then
        differs from ``name.key``: the caller decides whether that stereo form is covered).
        """
        key = name.key  # a property that joins its parts: asked once
        if key in self._rows:
            only = self._spelling_only(key)
            return [NameHit(sid, key, 100.0, True, r, only) for sid, r in self._of(key)]
        if name.stereo and (keys := self._by_base.get(name.base)):
            return [
                NameHit(sid, k, 100.0, True, r, self._spelling_only(k))
                for k in keys
                for sid, r in self._of(k)
            ]
        return []

    def _spelling_only(self, key: str) -> bool:
        """Whether every row of a key is found by its own spelling only (``exact_only``)."""
        return bool(self._exact_rows) and self._exact_rows.get(key, 0) == len(self._rows[key])

    def compact(self, name: NormalisedName) -> list[NameHit]:
        """Substances whose synonym differs from the query only in spaces and hyphens.

        >>> index = SynonymIndex([("MDMB-4en-PINACA", "s1"), ("3-CMC", "s2")])
        >>> [h.substance_id for h in index.compact(normalise("MDMB 4en PINACA"))]
        ['s1']
        >>> index.compact(normalise("4-CMC")), index.compact(normalise("3-CMC"))
        ([], [])
        """
        return [
            NameHit(sid, key, 100.0, False, regions, self._spelling_only(key))
            for key in self._by_compact.get(compact_key(name.key), ())
            if key != name.key
            for sid, regions in self._of(key)
        ]

    def fuzzy(self, name: NormalisedName, limit: int = 3) -> list[NameHit]:
        """Best near-spellings of the query among keys with the same guard signature.

        One hit per substance (its best key), ordered by score, then key, then id. The query's
        own key is never returned: that is ``exact``'s answer.
        """
        key = name.key
        if len(key) < MIN_FUZZY_LENGTH:
            return []
        bucket = self._buckets.get(guard_signature(key))
        if bucket is None:
            return []
        folded = spelling_fold(key)
        candidates = process.extract(
            folded,
            bucket.folded,
            scorer=OSA.distance,
            processor=None,
            score_cutoff=MAX_FOLDED_EDITS if len(folded) >= LONG_NAME else 0,
            limit=None,
        )
        best: dict[str, NameHit] = {}
        for candidate_folded, _, position in candidates:
            candidate = bucket.keys[position]
            if candidate == key:
                continue
            score = round(
                (fuzz.ratio(folded, candidate_folded) + fuzz.ratio(key, candidate)) / 2, 2
            )
            for sid, regions in self._of(candidate):
                hit = NameHit(sid, candidate, score, False, regions)
                if sid not in best or _rank(hit) < _rank(best[sid]):
                    best[sid] = hit
        return sorted(best.values(), key=_rank)[:limit]

    def spelled(self, name: NormalisedName) -> list[NameHit]:
        """The hits of :meth:`fuzzy` that spell the query's key by a spelling convention only
        (the same once spelling-folded: cetirizina, cetirizine).

        A key whose folded form no indexed key has is answered at once, without its guard
        signature or any scoring: most names asked this are names no table holds.

        >>> index = SynonymIndex([("cetirizine", "s1"), ("cetirizone", "s2")])
        >>> [h.substance_id for h in index.spelled(normalise("cetirizina"))]
        ['s1']
        >>> index.spelled(normalise("cetirizane"))
        []
        """
        folded = spelling_fold(name.key)
        if folded not in self._folded:
            return []
        return [hit for hit in self.fuzzy(name) if spelling_fold(hit.matched_name) == folded]

    def holds_base(self, base: str) -> bool:
        """Whether a key of the index has this base (with or without a stereo prefix): a name
        with another base finds nothing in :meth:`exact`, whatever its stereo prefix.

        >>> index = SynonymIndex([("(S)-lysine", "s1"), ("cocaine", "s2")])
        >>> index.holds_base("lysine"), index.holds_base("cocaine"), index.holds_base("lysin")
        (True, True, False)
        """
        return base in self._by_base

    def prepare(self) -> None:
        """Build now (or take from ``keep``) the indexes otherwise built when first asked: a
        judging worker does so as it starts, while its OPSIN JVM starts."""
        _built = (self._by_base, self._by_compact, self._folded)  # the buckets with the folded

    # --- indexes built when first asked --------------------------------------------------------

    @cached_property
    def _by_base(self) -> dict[str, tuple[str, ...]]:
        """Key without its stereo prefix -> the keys that have it."""
        return self._keep("by_base", self._make_by_base)

    @cached_property
    def _by_compact(self) -> dict[str, tuple[str, ...]]:
        """Key without spaces and hyphens -> the keys that have it."""
        return self._keep("by_compact", self._make_by_compact)

    @cached_property
    def _buckets(self) -> dict[tuple[tuple[str, ...], ...], _Bucket]:
        """Guard signature -> the keys (long enough to be fuzzy-matched) that have it."""
        return self._keep("buckets", self._make_buckets)

    @cached_property
    def _folded(self) -> frozenset[str]:
        """The spelling-folded forms of the keys fuzzy matching may answer."""
        return frozenset(f for bucket in self._buckets.values() for f in bucket.folded)

    def _make_by_base(self) -> dict[str, tuple[str, ...]]:
        by_base: defaultdict[str, list[str]] = defaultdict(list)
        for key in self._rows:
            by_base[split_stereo(key)[1]].append(key)
        return {base: tuple(keys) for base, keys in by_base.items()}

    def _make_by_compact(self) -> dict[str, tuple[str, ...]]:
        by_compact: defaultdict[str, list[str]] = defaultdict(list)
        for key in self._rows:
            by_compact[compact_key(key)].append(key)
        return {compact: tuple(keys) for compact, keys in by_compact.items()}

    def _make_buckets(self) -> dict[tuple[tuple[str, ...], ...], _Bucket]:
        buckets: defaultdict[tuple[tuple[str, ...], ...], list[tuple[str, str]]] = defaultdict(list)
        for key in self._rows:
            if self._spelling_only(key):
                continue  # found by its own spelling only
            if len(key) >= MIN_FUZZY_LENGTH:  # folded once: the guard reads the cached fold
                folded = spelling_fold(key)
                buckets[guard_signature(key)].append((key, folded))
        return {
            signature: _Bucket(tuple(k for k, _ in pairs), tuple(f for _, f in pairs))
            for signature, pairs in buckets.items()
        }


def _rank(hit: NameHit) -> tuple[float, str, str]:
    return (-hit.score, hit.matched_name, hit.substance_id)
