"""Query text -> what substance it names, how that was decided, and how sure it is.

Order of attempts for a name: the synonym table (exact after normalisation), OPSIN for
systematic names (one JVM for all names of a batch), then guarded fuzzy matching. A fuzzy hit
is marked uncertain. Structures (SMILES, InChI, molfile) are standardised to their parent; the
matchers compare them with the reference. This module imports nothing of the reference: the
lookups it needs come in through :class:`Lookups`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from subsmatch.caching import BoundedCache
from subsmatch.substances.identifiers import normalise_cas, query_kind
from subsmatch.substances.names import NormalisedName, normalise
from subsmatch.substances.opsin import names_to_smiles, uninvert_cas_name
from subsmatch.substances.structures import StructureError, StructureKeys, keys_of

Via = Literal["smiles", "inchi", "molfile", "inchikey", "cas", "synonym", "opsin", "fuzzy"]

CONFIDENCE = {"structure": 1.0, "inchikey": 1.0, "cas": 1.0, "synonym": 1.0, "opsin": 0.95}
FUZZY_CEILING = 0.8  # a fuzzy hit is never more than this sure
AMBIGUITY_PENALTY = 0.5


class NameHitLike(Protocol):
    substance_id: str
    matched_name: str
    score: float


class NameLookup(Protocol):
    def exact(self, name: NormalisedName) -> Sequence[NameHitLike]: ...
    def fuzzy(self, name: NormalisedName) -> Sequence[NameHitLike]: ...


@dataclass(frozen=True)
class Lookups:
    """What the resolver may ask of the reference data."""

    names: NameLookup
    cas: Mapping[str, Sequence[str]]  # CAS -> substance ids
    inchikey: Mapping[str, str]  # InChIKey -> substance id
    skeleton: Callable[[str], Sequence[str]]  # connectivity key -> substance ids, most listed first
    structure_of: Callable[[str], StructureKeys | None]  # substance id -> keys, if any


@dataclass(frozen=True)
class Resolution:
    """The answer to "which substance is this text?"."""

    query: str
    kind: str  # what the query looked like: name, cas, smiles, inchi, inchikey, molfile
    via: Via | None = None
    confidence: float = 0.0
    substance_id: str | None = None  # a reference substance, when one was found
    keys: StructureKeys | None = None  # the structure, when one is known
    matched_name: str | None = None
    form: tuple[str, ...] = ()  # salt and form words of a name query
    stereo: str = ""  # stereo prefix of a name query
    alternatives: tuple[str, ...] = ()  # other substance ids the text could mean
    error: str | None = None  # why the query was not resolved
    invalid_input: bool = False  # the query is malformed (bad SMILES, wrong CAS check digit)
    notes: tuple[str, ...] = field(default=())

    @property
    def resolved(self) -> bool:
        return self.substance_id is not None or self.keys is not None

    @property
    def uncertain(self) -> bool:
        return self.via == "fuzzy" or bool(self.alternatives)


RESOLUTIONS_KEPT = 100_000  # resolutions cached per query text (bounded for the service)


class Resolver:
    """Resolves queries with the reference lookups; caches per distinct query text."""

    def __init__(self, lookups: Lookups, use_opsin: bool = True) -> None:
        self.lookups = lookups
        self.use_opsin = use_opsin
        self._cache: BoundedCache[str, Resolution] = BoundedCache(RESOLUTIONS_KEPT)

    def resolve(self, query: str) -> Resolution:
        return self.resolve_many([query])[0]

    def resolve_many(self, queries: Iterable[str]) -> list[Resolution]:
        """Resolve a batch; names that need OPSIN go to it together, in one JVM."""
        queries = list(queries)
        todo = [q for q in dict.fromkeys(queries) if q not in self._cache]
        first_pass = {q: self._resolve_without_opsin(q) for q in todo}
        needs_opsin = [q for q, r in first_pass.items() if r is None]
        for query, resolution in zip(
            needs_opsin, self._by_opsin_or_fuzzy(needs_opsin), strict=True
        ):
            first_pass[query] = resolution
        resolved = {q: self._cache[q] for q in dict.fromkeys(queries) if q not in first_pass}
        resolved.update(first_pass)  # type: ignore[arg-type]  (OPSIN or fuzzy filled every None)
        for query in todo:  # stored after reading: the bounded cache may start afresh meanwhile
            self._cache[query] = resolved[query]
        return [resolved[q] for q in queries]

    # --- one query, without OPSIN -------------------------------------------------------------

    def _resolve_without_opsin(self, query: str) -> Resolution | None:
        """Resolve by syntax and tables; None for a name that needs OPSIN or fuzzy matching."""
        text = query.strip()
        kind = query_kind(text)
        if not text:
            return Resolution(query, "name", error="empty query")
        if kind in ("smiles", "inchi", "molfile"):
            return self._structure(query, text, kind)
        if kind == "inchikey":
            sid = self.lookups.inchikey.get(text)
            return Resolution(
                query,
                kind,
                "inchikey" if sid else None,
                CONFIDENCE["inchikey"] if sid else 0.0,
                sid,
                self.lookups.structure_of(sid) if sid else None,
                error=None
                if sid
                else "InChIKey not in the reference data "
                "(an InChIKey cannot be turned back into a structure)",
            )
        if kind == "cas":
            return self._cas(query, text)
        return self._synonym(query, normalise(text))

    def _structure(self, query: str, text: str, kind: str) -> Resolution:
        try:
            keys = keys_of(text)
        except StructureError as error:
            return Resolution(query, kind, error=str(error), invalid_input=True)
        sid = self.lookups.inchikey.get(keys.inchikey)
        resolution = Resolution(query, kind, kind, CONFIDENCE["structure"], sid, keys)  # type: ignore[arg-type]
        if sid or keys.has_stereo or keys.labelled:
            return resolution
        return self._name_flat_structure(resolution, keys)

    def _name_flat_structure(self, resolution: Resolution, keys: StructureKeys) -> Resolution:
        """A structure drawn without stereo is named after the stereoisomers it may be."""
        isomers = [
            s
            for s in self.lookups.skeleton(keys.connectivity)
            if (k := self.lookups.structure_of(s)) and not k.labelled
        ]
        if not isomers:
            return resolution
        return replace(
            resolution,
            substance_id=isomers[0],
            alternatives=tuple(isomers[1:]),
            notes=(
                "the structure gives no stereo; named after the stereoisomer listed most often",
            ),
        )

    def _cas(self, query: str, text: str) -> Resolution:
        cas = normalise_cas(text)
        if cas is None:
            return Resolution(
                query,
                "cas",
                error=f"{text} is not a valid CAS number: "
                "its check digit is wrong; check the digits",
                invalid_input=True,
            )
        ids = sorted(self.lookups.cas.get(cas, ()))
        if not ids:
            return Resolution(query, "cas", error=f"CAS {cas} is not in the reference data")
        return self._pick(Resolution(query, "cas", "cas", CONFIDENCE["cas"]), ids, cas)

    def _synonym(self, query: str, name: NormalisedName) -> Resolution | None:
        hits = self.lookups.names.exact(name)
        if not hits:
            return None
        base = Resolution(
            query, "name", "synonym", CONFIDENCE["synonym"], form=name.form, stereo=name.stereo
        )
        notes: tuple[str, ...] = ()
        if name.stereo and all(normalise(h.matched_name).key != name.key for h in hits):
            notes = (
                f"stereo prefix '{name.stereo}' not in the reference name; matched "
                f"'{hits[0].matched_name}', which the lists cover with its isomers",
            )
        ids = sorted({h.substance_id for h in hits})
        return replace(self._pick(base, ids, hits[0].matched_name), notes=notes)

    def _pick(self, base: Resolution, ids: list[str], matched: str) -> Resolution:
        """One substance, or the first of several with the others named as alternatives."""
        resolution = replace(
            base, substance_id=ids[0], matched_name=matched, keys=self.lookups.structure_of(ids[0])
        )
        if len(ids) > 1:
            resolution = replace(
                resolution,
                alternatives=tuple(ids[1:]),
                confidence=base.confidence * AMBIGUITY_PENALTY,
            )
        return resolution

    # --- names: OPSIN then fuzzy -------------------------------------------------------------

    def _by_opsin_or_fuzzy(self, queries: list[str]) -> list[Resolution]:
        if not queries:
            return []
        if not self.use_opsin:
            return [self._fuzzy(q) for q in queries]
        spellings = [uninvert_cas_name(q.strip()) for q in queries]
        # lazily: each answer is used while OPSIN works on the next; closed (and the JVM
        # released) even when a resolution fails midway
        with closing(names_to_smiles(spellings)) as smiles:
            return [
                self._from_opsin(q, s) if s else self._fuzzy(q)
                for q, s in zip(queries, smiles, strict=True)
            ]

    def _from_opsin(self, query: str, smiles: str) -> Resolution:
        name = normalise(query)
        try:
            keys = keys_of(smiles)
        except StructureError:
            return self._fuzzy(query)
        sid = self.lookups.inchikey.get(keys.inchikey)
        return Resolution(
            query,
            "name",
            "opsin",
            CONFIDENCE["opsin"],
            sid,
            keys,
            form=name.form,
            stereo=name.stereo,
        )

    def _fuzzy(self, query: str) -> Resolution:
        name = normalise(query)
        hits = self.lookups.names.fuzzy(name)
        if not hits:
            return Resolution(
                query,
                "name",
                form=name.form,
                stereo=name.stereo,
                error="no substance of this name in the reference data",
            )
        best = hits[0]
        confidence = round(best.score / 100 * FUZZY_CEILING, 3)
        others = tuple(sorted({h.substance_id for h in hits[1:]} - {best.substance_id}))
        return Resolution(
            query,
            "name",
            "fuzzy",
            confidence,
            best.substance_id,
            self.lookups.structure_of(best.substance_id),
            matched_name=best.matched_name,
            form=name.form,
            stereo=name.stereo,
            alternatives=others,
            notes=(f"uncertain: spelled like '{best.matched_name}' (score {best.score:.0f})",),
        )
