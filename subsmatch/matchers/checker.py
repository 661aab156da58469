"""One entry point for "is this controlled?": reference, resolver and verdicts wired together."""

from __future__ import annotations

import gc
import importlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import replace
from datetime import date
from functools import cached_property, partial
from pathlib import Path
from typing import TypeVar

from subsmatch import startup
from subsmatch.caching import BoundedCache
from subsmatch.matchers import names as names_module
from subsmatch.matchers import products, reference_analogues, reference_matches, reference_parents
from subsmatch.matchers.generic import RuleBook
from subsmatch.matchers.names import SynonymIndex
from subsmatch.matchers.similarity import AnalogueIndex, Neighbour
from subsmatch.matchers.verdict import Verdict, evaluate, verdict_to_dict
from subsmatch.reference.lists import JURISDICTIONS, Reference, load, sources
from subsmatch.settings import DEFAULT_HOME, parse_home
from subsmatch.substances.facts import QueryFacts
from subsmatch.substances.names import KEY_VERSION
from subsmatch.substances.regions import DEFAULT_REGION, canonical_region
from subsmatch.substances.resolve import Lookups, Resolution, Resolver
from subsmatch.substances.structures import StructureKeys
from subsmatch.vocabulary import severity

VERDICTS_KEPT = 100_000  # verdicts cached per query text, and per structure
BATCH_KEPT = 2_000  # per query text, for a batch (ingest, rematch) that asks each name once
INDEXES_KEPT = 8  # similarity indexes cached per jurisdictions and date (about 10 MB each)
TEXTS_KEPT = 1024  # evaluations whose JSON is kept (a few kilobytes each), see check_texts

_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False)

EVALUATED = ("jurisdictions", "related", "generic", "rules_not_matched", "analogue", "analogues")
"""The members of a verdict's JSON object (:func:`verdict_to_dict`) made from its evaluation
alone (its jurisdictions, related substances, rule matches and analogue finding, and the date
asked): the same for every query whose resolution shares one evaluation (see
:meth:`Checker._evaluate`)."""

T = TypeVar("T")


TENURED_FROM = 20_000  # objects a batch leaves in the young generation, past which they are
# moved to the oldest unscanned (see collection_paused)


@contextmanager
def collection_paused() -> Iterator[None]:
    """The cyclic garbage collector paused meanwhile (and on again after, if it was on).

    A batch of checks makes objects by the ten thousand (resolutions, verdicts, their caches)
    and no reference cycles: each collection it triggered scanned the whole reference and every
    cache, and found nothing, a quarter to a third of the batch's time. Memory is still freed
    as it falls out of use (reference counting); only cycles wait for the collector.

    What a large batch leaves alive (``TENURED_FROM`` objects or more: its verdicts and
    resolutions, kept in the caches) is then moved to the oldest generation, unscanned
    (``gc.freeze`` then ``gc.unfreeze``, which move lists, not objects), when nothing else is
    frozen: collecting the young generation would have scanned each of them, a tenth of the
    batch's time, and found them alive. A full collection still scans them, and any cycle
    among them waits for it.

    >>> with collection_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if gc.get_count()[0] >= TENURED_FROM and not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


class Checker:
    """Resolves queries and evaluates them against the reference lists.

    ``shared``: the checker serves several threads (the service's requests); its caches and
    the OPSIN JVM are then used by one thread at a time (cached verdicts come back in
    microseconds, so the lock is held briefly).

    ``home``: the jurisdictions a headline speaks for when a call names none (a front end passes
    ``settings.load(...).home``; default Benelux, EU and UN).

    >>> checker = Checker()
    >>> [str(v.status) for v in checker.check(["MDMA HCl", "caffeine-free nonsense 123"])]
    ['controlled', 'unresolved']
    >>> caffeine = checker.check(["caffeine"])[0]
    >>> str(caffeine.status), caffeine.scope
    ('not_listed', ('BE', 'NL', 'LU', 'EU', 'UN'))
    """

    def __init__(
        self,
        reference: Reference | None = None,
        use_opsin: bool = True,
        rules: RuleBook | None = None,
        region: str | None = DEFAULT_REGION,
        *,
        shared: bool = False,
        home: Sequence[str] = DEFAULT_HOME,
        precomputed: bool = True,
        kept: int = VERDICTS_KEPT,
    ) -> None:
        """``region``: whose usage street names follow, "Europe" by default (Benelux first),
        a two-letter country code, or "any" (see :class:`Resolver`). ``precomputed``: read what
        was worked out per reference structure (:mod:`subsmatch.matchers.precompute`); False
        works everything out, as for structures new to the reference (benchmarks, tests).
        ``kept``: how many verdicts and resolutions are cached per query text (``BATCH_KEPT``
        for a caller that keeps its own table of what it judged, where they would only cost
        memory); verdicts per structure stay cached as many as ``VERDICTS_KEPT``."""
        self.reference = reference or load()
        self.use_opsin = use_opsin
        self.precomputed = precomputed
        self.region = canonical_region(region)
        self.home = parse_home(home, "the checker's home", JURISDICTIONS)
        self._rules = rules
        self._lock: AbstractContextManager = threading.RLock() if shared else nullcontext()
        # bounded, for the service's long life: a dropped entry is only computed again
        self._analogue_indexes: BoundedCache[tuple, AnalogueIndex] = BoundedCache(INDEXES_KEPT)
        self.kept = kept
        self._verdicts: BoundedCache[tuple, Verdict] = BoundedCache(kept)  # per text
        self._judged: BoundedCache[tuple, Verdict] = BoundedCache(VERDICTS_KEPT)  # per structure
        # an evaluation (its objects' ids, and the date) -> its objects, and its members of
        # the JSON object, as values and as their JSON text (see check_texts)
        self._texts: BoundedCache[tuple, tuple[tuple, dict, str]] = BoundedCache(TEXTS_KEPT)

    @cached_property
    def rules(self) -> RuleBook:
        """The given rules; else the rule files, knowing their matches on reference structures."""
        if self._rules is not None:
            return self._rules
        book = RuleBook()
        if not self.precomputed:
            return book
        return book.knowing(reference_matches.read(self.reference, book))

    @cached_property
    def resolver(self) -> Resolver:
        reference = self.reference
        lookups = Lookups(
            names=SynonymIndex(
                reference.name_rows(),
                reference.name_keys(KEY_VERSION),
                partial(_kept_name_index, reference),
                exact_only=reference.exact_only_rows,
            ),
            cas=reference.by_cas,
            inchikey=reference.by_inchikey,
            skeleton=self._isomers,
            structure_of=self._structure_of,
            name_of=lambda sid: reference.substances[sid].name,
            inchikey_of=lambda sid: reference.substances[sid].inchikey or None,
            structure_doubt=lambda sid: reference.substances[sid].structure_doubt,
            standard=reference_parents.Parents(reference) if self.precomputed else {},
        )
        return Resolver(lookups, use_opsin=self.use_opsin, region=self.region, kept=self.kept)

    def prepare(self) -> None:
        """Build now what judging a large batch of new names needs: the resolver and its
        name indexes, the reference's standardised structures, RDKit, and the similarity index
        of a check that names no jurisdiction and no date (not its fingerprints: only a
        structure new to the reference needs them, which OPSIN reads in few batches). A
        judging worker does so as it starts, while its OPSIN JVM starts, which the first name
        that misses every table would otherwise wait for, idle, with all of these still to
        build after it. Nothing judged changes: each is what the first name needing it would
        build."""
        with self._lock:
            lookups = self.resolver.lookups
            lookups.names.prepare()
            len(lookups.standard)
            importlib.import_module("rdkit.Chem")  # what the lazy modules would import
            self.analogues(JURISDICTIONS, None)

    def _structure_of(self, substance_id: str) -> StructureKeys | None:
        """The stored keys of a reference substance (standardised at build time)."""
        return self.reference.substances[substance_id].keys

    def _isomers(self, connectivity: str) -> list[str]:
        ids = self.reference.by_connectivity.get(connectivity, [])
        return sorted(ids, key=lambda sid: (-len(self.reference.listings.get(sid, ())), sid))

    def analogues(self, jurisdictions: tuple[str, ...], as_of: date | None) -> AnalogueIndex:
        """The index of structures controlled on ``as_of`` in ``jurisdictions`` (built once;
        its fingerprints only when a structure it does not know is searched)."""
        key = (tuple(sorted(jurisdictions)), as_of)
        return self._analogue_indexes.get_or_make(key, lambda: self._index(key[0], as_of))

    def _index(self, jurisdictions: tuple[str, ...], as_of: date | None) -> AnalogueIndex:
        """The index, knowing the stored assessments of reference structures when they were
        made with what it holds (its members and their lists on ``as_of``)."""
        index = AnalogueIndex(self.reference, as_of, jurisdictions)
        if not self.precomputed:
            return index
        return index.knowing(reference_analogues.read(self.reference, index))

    def scope(
        self, jurisdictions: Sequence[str] | None, home: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(jurisdictions evaluated, headline scope) of a call.

        Named jurisdictions keep their meaning, evaluate and show only these, and are then the
        headline's scope too; none named: every jurisdiction, the headline at ``home`` (None:
        the checker's).
        """
        if jurisdictions:
            return tuple(jurisdictions), tuple(jurisdictions)
        return JURISDICTIONS, tuple(home) if home else self.home

    def check(
        self,
        queries: Iterable[str],
        jurisdictions: Sequence[str] | None = None,
        as_of: date | None = None,
        facts: Iterable[QueryFacts | None] | None = None,
        home: Sequence[str] | None = None,
    ) -> list[Verdict]:
        """Verdicts in query order; names needing OPSIN share one JVM.

        ``facts``: what the report gives beside each query (a formula, a CAS number), aligned
        with ``queries``; the resolution is checked against them (see :class:`Resolver`).
        ``jurisdictions`` None: all, with the headline at ``home`` (None: the checker's).
        Verdicts are cached per query, facts, jurisdictions, scope and date: reports repeat
        substances. Different texts for one substance (spellings, salts, its CAS number) share
        one evaluation: rules and similarity run once per resolved substance and structure.
        """
        codes, scope = self.scope(jurisdictions, home)
        queries = list(queries)
        given = None if facts is None else [f or None for f in facts]
        with self._lock, collection_paused():
            resolutions = self.resolver.resolve_many(queries, given)
            return [
                self._verdicts.get_or_make(
                    (resolution.query, said, codes, scope, as_of),
                    partial(self._evaluate, resolution, codes, scope, as_of),
                )
                for resolution, said in zip(
                    resolutions, given or [None] * len(queries), strict=True
                )
            ]

    def nearest(self, keys: StructureKeys, as_of: date | None = None) -> Neighbour | None:
        """The controlled structure (in any jurisdiction, on ``as_of``) nearest to ``keys``,
        never one of its own skeleton; None when nothing is controlled to compare with."""
        with self._lock:
            found = self.analogues(JURISDICTIONS, as_of).assess(keys, k=1)
            return found.neighbours[0] if found.neighbours else None

    def check_json(
        self,
        queries: Iterable[str],
        jurisdictions: Sequence[str] | None = None,
        as_of: date | None = None,
        facts: Iterable[QueryFacts | None] | None = None,
    ) -> list[dict]:
        """The ``check --json`` object of each query, in query order."""
        return [
            verdict_to_dict(v, self.reference)
            for v in self.check(queries, jurisdictions, as_of, facts)
        ]

    def check_texts(self, queries: Iterable[str]) -> list[tuple[dict, str]]:
        """The ``check --json`` object of each query, in query order, with its JSON text
        (``json.dumps(object, ensure_ascii=False)``, byte for byte).

        The members made from an evaluation alone (``EVALUATED``, most of a verdict's
        kilobytes) are made and written once per evaluation, not per query: a report's
        spellings, salts and CAS numbers of one substance share one; the objects of a shared
        evaluation share them (read them, never change them).
        """
        with self._lock:
            return [self._text(verdict) for verdict in self.check(queries)]

    def _text(self, verdict: Verdict) -> tuple[dict, str]:
        """A verdict's JSON object and text, its evaluated members made once per evaluation."""
        evaluation = (
            verdict.jurisdictions,
            verdict.related,
            verdict.generic,
            verdict.rules_failed,
            verdict.analogue,
        )
        if not any(evaluation):  # nothing evaluated (an unresolved query): small, whole
            whole = verdict_to_dict(verdict, self.reference)
            return whole, _ENCODE(whole)
        key = (*map(id, evaluation), verdict.as_of)  # the very objects: checked below
        kept = self._texts.get(key)
        if kept is not None and all(a is b for a, b in zip(kept[0], evaluation, strict=True)):
            # the query's own members: the verdict without its evaluation
            bare = replace(
                verdict, jurisdictions=(), related=(), generic=(), rules_failed=(), analogue=None
            )
            whole = verdict_to_dict(bare, self.reference)
            members, written = kept[1:]
        else:
            whole = verdict_to_dict(verdict, self.reference)
            members = {name: whole[name] for name in EVALUATED}
            written = _ENCODE(members)[1:-1]  # an object's text is its members' joined
            self._texts[key] = (evaluation, members, written)
        names = list(whole)
        first = names.index(EVALUATED[0])
        if tuple(names[first : first + len(EVALUATED)]) != EVALUATED:  # not one run: whole
            return whole | members, _ENCODE(whole | members)
        head = _ENCODE({name: whole[name] for name in names[:first]})[1:-1]
        tail = _ENCODE({name: whole[name] for name in names[first + len(EVALUATED) :]})[1:-1]
        whole.update(members)
        return whole, "{" + ", ".join(part for part in (head, written, tail) if part) + "}"

    def _evaluate(
        self,
        resolution: Resolution,
        jurisdictions: tuple[str, ...],
        scope: tuple[str, ...],
        as_of: date | None,
    ) -> Verdict:
        """The verdict of one resolution; evaluation depends on its substance and structure."""
        if not resolution.resolved:
            return evaluate(resolution, self.reference, jurisdictions, as_of, scope=scope)
        if resolution.alternatives:
            resolution = self._most_severe_first(resolution, jurisdictions, scope, as_of)
        if products.product_of(resolution, self.reference):  # answered per query: its error
            rules = self.rules
            return evaluate(resolution, self.reference, jurisdictions, as_of, rules, None, scope)
        key = (resolution.substance_id, resolution.keys, jurisdictions, scope, as_of)
        analogues = partial(self.analogues, jurisdictions, as_of)  # built when needed

        def judge() -> Verdict:
            return evaluate(
                resolution, self.reference, jurisdictions, as_of, self.rules, analogues, scope
            )

        judged = self._judged.get_or_make(key, judge)
        if judged.resolution is resolution:  # judged just now, for this very resolution
            return judged
        return replace(judged, query=resolution.query, resolution=resolution)

    def _most_severe_first(
        self,
        resolution: Resolution,
        jurisdictions: tuple[str, ...],
        scope: tuple[str, ...],
        as_of: date | None,
    ) -> Resolution:
        """An answer with several meanings ('PAA': phenylacetic acid, a precursor, or peracetic
        acid) headed by its most severe one in the headline scope, so that the headline never
        hides a meaning a person must not miss; ties keep the resolver's order, the others stay
        its alternatives and the answer stays uncertain."""
        ids = [resolution.substance_id or "", *resolution.alternatives]

        def rank(sid: str) -> int:
            meaning = replace(resolution, substance_id=sid, keys=self._structure_of(sid))
            return severity(
                self._evaluate(
                    replace(meaning, alternatives=()), jurisdictions, scope, as_of
                ).status
            )

        first = min(ids, key=rank)  # min keeps the first of equals
        if first == ids[0]:
            return resolution
        return replace(
            resolution,
            substance_id=first,
            keys=self._structure_of(first),
            alternatives=tuple(sid for sid in ids if sid != first),
            notes=(
                *resolution.notes,
                f"of its meanings, {self.reference.substances[first].name} is shown first: "
                "its status is the most severe",
            ),
        )


def _kept_name_index(reference: Reference, part: str, make: Callable[[], T]) -> T:
    """A part of the synonym index of the reference's names (see :class:`SynonymIndex`), kept
    in the start-up cache: made from its tables, by this normaliser (``KEY_VERSION``: the
    module and its word tables) and this index code."""
    return startup.kept(
        f"name_index_{part}",
        [*sources(reference.data_dir), Path(names_module.__file__)],
        make,
        extra=[str(reference.data_dir), KEY_VERSION],
    )
