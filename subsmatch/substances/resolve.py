"""Query text -> what substance it names, how that was decided, and how sure it is.

Order of attempts for a name: the synonym table (exact after normalisation, then blind to
spaces and hyphens, then the English form of a name in another language's INN convention:
"Warfarina", "Acidum acetylsalicylicum" (:mod:`variants`), then the names an alias form holds:
"2-Fluoroamphetamine (2-FA)"), OPSIN for systematic names (one JVM for all names of a batch),
then guarded fuzzy matching; a name of an isotope-labelled form or of an ion that none of these
settles is answered by its parent's name (:mod:`labels`: "Acetic acid C-11", "Choline ion").
A name stating a stereo form (:mod:`stereo`) is answered only by a stereoisomer not shown to
have another form (never dextro for levo, L-lysine never by d-lysine); one the reference lacks
is read by OPSIN where the reading's CIP labels, or its being the mirror image of the form held,
show it; a racemate of an enantiomer held is that enantiomer, uncertain.

How sure: a fuzzy hit is uncertain; so is a name the table gives several substances (its
alternatives are named, never silently the first), a street name (it says what is sold under
a word, not what a sample is), an OPSIN reading of a name with features OPSIN often misreads
(see :mod:`opsin_checks`), an OPSIN reading of a structure no source holds, and the unlabelled
parent answered for an isotope-labelled name. Two doubts in
one answer are not taken: slang known only outside the user's region (a code with digits
such as 2C-B aside) or a near-spelling of it, slang whose places in the user's region do not
agree on one substance (or that only a source's note gives there) unless the report's facts
settle it, a doubtful reading of a structure no source holds (the query stays unresolved, what
it might mean in its error and notes). A street name is read as the user's region reads it
(:mod:`regions`): Benelux usage first by default, then names used anywhere. Facts
that come with a query (the formula and CAS number of a NIST hit line, :class:`QueryFacts`)
are checked against the answer: an OPSIN reading or a near-spelling they contradict is not
taken (the query stays unresolved, the conflict in its notes), a table answer they contradict
is kept but uncertain, and among several meanings the facts may settle which one; a formula or
CAS number that agrees with an OPSIN reading no source holds corroborates it. A derivatised
GC-MS hit ("Morphine, 2TMS derivative") names its
analyte, whose formula the derivative groups extend.

Structures (SMILES, InChI, molfile) are standardised to their parent; the matchers compare them
with the reference. This module imports nothing of the reference: the lookups it needs come in
through :class:`Lookups`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from subsmatch.caching import BoundedCache
from subsmatch.substances.facts import Derivative, QueryFacts, formula_agrees, split_derivative
from subsmatch.substances.identifiers import normalise_cas, organic_atoms_only, query_kind
from subsmatch.substances.labels import (
    NOBLE_GASES,
    charge_of,
    ion_parent,
    ion_spellings,
    isotope_label,
    label_element,
    label_spellings,
    stated_charge,
)
from subsmatch.substances.names import (
    NormalisedName,
    alias_parts,
    normalise,
    spelling_fold,
    stereo_word_relatives,
)
from subsmatch.substances.opsin import names_to_smiles, uninvert_cas_name
from subsmatch.substances.regions import (
    ANYWHERE,
    DEFAULT_REGION,
    Choice,
    canonical_region,
    choose,
    places_shown,
    preference,
    tier_of,
)
from subsmatch.substances.stereo import (
    Stated,
    StereoLabels,
    name_forms,
    possible,
    shown_by_structure,
    stated_stereo,
    stereo_labels,
)
from subsmatch.substances.structures import (
    StructureError,
    StructureKeys,
    isotope_labels,
    keys_of,
    unlabelled,
)
from subsmatch.substances.variants import english_forms, letter_forms

Via = Literal["smiles", "inchi", "molfile", "inchikey", "cas", "synonym", "opsin", "fuzzy"]

CONFIDENCE = {"structure": 1.0, "inchikey": 1.0, "cas": 1.0, "synonym": 1.0, "opsin": 0.95}
FUZZY_CEILING = 0.8  # a fuzzy hit is never more than this sure
AMBIGUITY_PENALTY = 0.5  # several meanings, a street name, a doubtful or uncorroborated reading


class NameHitLike(Protocol):
    substance_id: str
    matched_name: str
    score: float
    regions: frozenset[str]


class NameLookup(Protocol):
    def exact(self, name: NormalisedName) -> Sequence[NameHitLike]: ...
    def compact(self, name: NormalisedName) -> Sequence[NameHitLike]: ...
    def fuzzy(self, name: NormalisedName) -> Sequence[NameHitLike]: ...
    def spelled(self, name: NormalisedName) -> Sequence[NameHitLike]: ...
    def holds_base(self, base: str) -> bool: ...


@dataclass(frozen=True)
class Lookups:
    """What the resolver may ask of the reference data."""

    names: NameLookup
    cas: Mapping[str, Sequence[str]]  # CAS -> substance ids
    inchikey: Mapping[str, str]  # InChIKey -> substance id
    skeleton: Callable[[str], Sequence[str]]  # connectivity key -> substance ids, most listed first
    structure_of: Callable[[str], StructureKeys | None]  # substance id -> keys, if any
    name_of: Callable[[str], str] = str  # substance id -> its name, for notes
    inchikey_of: Callable[[str], str | None] = lambda _: None  # substance id -> its InChIKey
    # substance id -> why its structure is in doubt ("" when not): one unreviewed drawing alone
    structure_doubt: Callable[[str], str] = lambda _: ""
    # SMILES whose standardisation is known to give these keys (reference structures)
    standard: Mapping[str, StructureKeys] = field(default_factory=dict)


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
    doubtful: bool = False  # a reason for doubt beyond fuzziness and alternatives (in notes)
    # an OPSIN reading whose skeleton no source holds: nothing corroborates it (yet)
    unheld: bool = False
    risky: bool = False  # an OPSIN reading of a name with features OPSIN often misreads
    # a street name whose meanings the user's region leaves open: why (taken only when the
    # report's facts settle which meaning)
    contested: str = ""

    @property
    def resolved(self) -> bool:
        return self.substance_id is not None or self.keys is not None

    @property
    def uncertain(self) -> bool:
        return self.via == "fuzzy" or bool(self.alternatives) or self.doubtful


def _noted(resolution: Resolution, *notes: str) -> Resolution:
    return replace(resolution, notes=resolution.notes + tuple(n for n in notes if n))


def _doubted(resolution: Resolution, *notes: str) -> Resolution:
    """The resolution made uncertain, once, for the reasons in ``notes``."""
    confidence = resolution.confidence * (1 if resolution.uncertain else AMBIGUITY_PENALTY)
    return replace(_noted(resolution, *notes), doubtful=True, confidence=round(confidence, 3))


RESOLUTIONS_KEPT = 100_000  # resolutions cached per query text and facts (bounded for the service)


class Resolver:
    """Resolves queries with the reference lookups; caches per distinct query and facts.

    ``region`` is whose usage street names follow: "Europe" (the default: Benelux first, then
    the EU and the rest of Europe), a two-letter country code ("NL", "US" ...), or "any" / None
    for no preference (see :mod:`subsmatch.substances.regions`; an unknown region raises
    ``RegionError``).
    """

    def __init__(
        self,
        lookups: Lookups,
        use_opsin: bool = True,
        region: str | None = DEFAULT_REGION,
        kept: int = RESOLUTIONS_KEPT,
    ) -> None:
        self.lookups = lookups
        self.use_opsin = use_opsin
        self.region = canonical_region(region)
        self._tiers = preference(region)
        self._cache: BoundedCache[tuple[str, QueryFacts | None], Resolution] = BoundedCache(kept)
        # text -> its look-up (the derivative left off) and that normalised, for the batch
        # being resolved: asked by the table look-up and again by the near-spellings of a name
        # that misses every table, a whole batch of look-ups apart (the normaliser's own cache
        # had dropped most of them by then, filled with their stereo relatives)
        self._looked_up: dict[str, tuple[str, NormalisedName]] = {}

    def resolve(self, query: str, facts: QueryFacts | None = None) -> Resolution:
        return self.resolve_many([query], [facts])[0]

    def resolve_many(
        self, queries: Iterable[str], facts: Iterable[QueryFacts | None] | None = None
    ) -> list[Resolution]:
        """Resolve a batch; names that need OPSIN go to it together, in one JVM.

        ``facts``, when given, holds what the report says beside each query (aligned with
        ``queries``; None where it says nothing): see :class:`QueryFacts`.
        """
        queries = list(queries)
        given = [None] * len(queries) if facts is None else [f or None for f in facts]
        if len(given) != len(queries):
            raise ValueError(f"{len(given)} facts for {len(queries)} queries: align them")
        keys = list(zip(queries, given, strict=True))
        todo = [k for k in dict.fromkeys(keys) if k not in self._cache]
        try:
            named = self._resolve_texts(list(dict.fromkeys(query for query, _ in todo)))
        finally:
            self._looked_up.clear()
        done = {key: _taken(self._checked(named[key[0]], key[1])) for key in todo}
        resolved = {k: self._cache[k] for k in dict.fromkeys(keys) if k not in done}
        resolved.update(done)
        for key in todo:  # stored after reading: the bounded cache may start afresh meanwhile
            self._cache[key] = resolved[key]
        return [resolved[k] for k in keys]

    def _resolve_texts(self, texts: list[str]) -> dict[str, Resolution]:
        """Each text resolved on its own: tables first, then OPSIN and fuzzy together, then
        the parent a labelled or ion name names, for a text still unresolved or only near."""
        first = {text: self._without_opsin(text) for text in texts}
        need = [text for text, resolution in first.items() if resolution is None]
        first.update(zip(need, self._by_opsin_or_fuzzy(need), strict=True))
        resolved = self._by_stated_stereo(self._by_parent(first))  # type: ignore[arg-type]
        return {
            text: self._structure_doubted(self._derivative_noted(resolution))
            for text, resolution in resolved.items()
        }

    def _by_parent(self, resolved: dict[str, Resolution]) -> dict[str, Resolution]:
        """Names of an isotope-labelled form or of an ion (:mod:`labels`) that resolved to
        nothing, or only to a near-spelling, answered by their parent's name where that
        resolves without fuzziness: the ion's parent is the same structure (noted); a label's
        parent, resolved without doubt, is the structure without the label, whose element it
        must hold (uncertain: the structure is not the one named; the law's answer is the
        parent's). An element named alone (one uncharged atom) is taken for a label of a noble
        gas only (xenon Xe-127): a metal's name stands for its ion as often as for the metal,
        which are not one structure (rubidium Rb-82 is given as Rb+; lithium ion is not
        lithium metal; cobalt(II) ion is Co2+). First, though, the labelled form or the ion
        itself, where the table writes its name another way (:meth:`_respelled`)."""
        parents = {
            text: found
            for text, resolution in resolved.items()
            if (not resolution.resolved or resolution.via == "fuzzy")
            and (found := isotope_label(text) or _ion_named(text))
        }
        if not parents:
            return resolved
        out = dict(resolved)
        for text, (parent, label) in list(parents.items()):
            if (found := self._respelled(text, parent, label)) is not None:
                out[text] = found
                del parents[text]
        answers = self._resolve_texts(list(dict.fromkeys(p for p, _ in parents.values())))
        for text, (parent, label) in parents.items():
            answer = answers[parent]
            if not answer.resolved or answer.via == "fuzzy":
                continue
            element = _lone_element(answer.keys)
            if element and (label == ION or element not in NOBLE_GASES):
                continue  # an element named alone: lithium ion is not lithium metal
            taken = replace(answer, query=text, kind="name")
            if label == ION:
                out[text] = _noted(taken, f"'{text}' names the ion of '{parent}': the same parent")
            elif _labelled_parent(answer, label):
                out[text] = _doubted(
                    taken,
                    f"'{text}' names {parent} labelled with {label}: the structure answered "
                    f"is {parent}'s, without the label (the verdict is the parent's)",
                )
        return out

    def _respelled(self, text: str, parent: str, label: str) -> Resolution | None:
        """The labelled form or the ion a name names, where the table holds it under another
        spelling of the same label or ion ('Florbetapir F-18': 'Florbetapir (18F)';
        '99mTc-sestamibi': 'Technetium Tc-99m sestamibi'; 'Zinc ion(2+)': 'Zinc cation';
        :func:`labels.label_spellings`, :func:`labels.ion_spellings`): the first spelling
        found for one substance, never slang, whose structure (when drawn) carries a label,
        or the charge the name states. A spelling that ends in a salt word is not asked (the
        table's key leaves the word out: 'phosphorus P-32 phosphate' would find phosphorus)."""
        ion = label == ION
        spellings = ion_spellings(parent, text) if ion else label_spellings(parent, label)
        charge = stated_charge(text) if ion else None
        for spelling in spellings:
            name = normalise(spelling)
            if name.form:  # its last word read as a salt: the key would leave it out
                continue
            hits = [
                h for h in _not_slang(self.lookups.names.exact(name)) if h.matched_name == name.key
            ]
            if len(ids := {h.substance_id for h in hits}) != 1:
                continue
            sid = ids.pop()
            keys = self.lookups.structure_of(sid)
            if keys is not None and (
                (not ion and not keys.labelled)
                or (charge is not None and charge_of(keys.smiles) != charge)
            ):
                continue
            found = self._pick(
                Resolution(text, "name", "synonym", CONFIDENCE["synonym"]), [sid], name.key
            )
            what = "ion" if ion else f"{label}-labelled form"
            return _noted(found, f"'{text}' read as '{spelling}': the same {what}, written so")
        return None

    # --- a stated stereo form -----------------------------------------------------------------

    def _by_stated_stereo(self, resolved: dict[str, Resolution]) -> dict[str, Resolution]:
        """Names still unresolved, or only near, that state a stereo form in a way neither
        the table nor OPSIN reads ("S-(+)-Citalopram", "Flurbiprofen, (S)-", "levo-carnitine",
        "all-trans-retinol": :mod:`stereo`): the name without it is resolved (by every means),
        then the stereoisomer it states is sought (:meth:`_stated_form`)."""
        stated = {
            text: found
            for text, resolution in resolved.items()
            if (not resolution.resolved or resolution.via == "fuzzy")
            and (found := stated_stereo(split_derivative(text.strip())[0]))
        }
        if not stated:
            return resolved
        rests = self._resolve_texts(list(dict.fromkeys(rest for _, rest in stated.values())))
        out = dict(resolved)
        for text, (parts, rest) in stated.items():
            if (answer := self._stated_form(text, parts, rests[rest])) is not None:
                out[text] = answer
        unheld = {
            text: (parts, rests[rest])
            for text, (parts, rest) in stated.items()
            if not out[text].resolved and _one_skeleton(rests[rest])
        }
        if unheld and self.use_opsin:
            out.update(self._stated_by_opsin(unheld, out))
        return out

    def _stated_by_opsin(
        self, unheld: dict[str, tuple[tuple[Stated, ...], Resolution]], out: dict[str, Resolution]
    ) -> dict[str, Resolution]:
        """Names stating a stereoisomer of a skeleton the reference holds only in other forms
        ("(R)-alanine" where L-alanine is held), read by OPSIN: its reading is taken only when
        it is of that skeleton and its CIP labels show every stated part (a sign, D/L or
        cis/trans that the labels cannot show leaves the name unresolved, what is held named).
        The reference's substance of that very structure, if any, is answered; else the
        structure, which the lists judge as a stereoisomer of what they list."""
        texts = list(unheld)
        spellings = [uninvert_cas_name(split_derivative(t.strip())[0]) for t in texts]
        found: dict[str, Resolution] = {}
        read: dict[str, str] = {}
        with closing(names_to_smiles(spellings)) as answers:
            for text, spelling, smiles in zip(texts, spellings, answers, strict=True):
                parts, rest = unheld[text]
                skeleton = rest.keys.connectivity if rest.keys else None
                try:
                    keys = keys_of(smiles) if smiles and skeleton else None
                except StructureError:
                    continue
                if keys is None or keys.connectivity != skeleton or keys.labelled:
                    continue
                labels = stereo_labels(keys.smiles)
                by_labels = all(shown_by_structure(part, labels) for part in parts)
                if not by_labels and not self._mirrors_opposite(keys, parts, rest):
                    continue
                said = "-".join(p.text for p in parts)
                sid = self.lookups.inchikey.get(keys.inchikey)
                read[text] = spelling
                found[text] = Resolution(
                    text,
                    "name",
                    "opsin",
                    CONFIDENCE["opsin"],
                    sid,
                    keys,
                    form=rest.form,
                    stereo=said,
                    notes=(
                        f"'{said}' stated: OPSIN read that stereoisomer ("
                        + ("its CIP labels show it" if by_labels else _MIRROR)
                        + f"); {out[text].error or ''}".rstrip("; "),
                    ),
                )
        # imported only when OPSIN read a name (see _from_opsin)
        from subsmatch.substances.opsin_checks import doubts

        for text, resolution in found.items():
            if risks := doubts(read[text], resolution.keys.smiles):  # type: ignore[union-attr]
                found[text] = replace(_doubted(resolution, *risks), risky=True)
        return found

    def _stated_in_table(self, query: str, lookup: str) -> Resolution | None:
        """A name with a stereo prefix the table lacks, by the table alone (before OPSIN)."""
        if not (found := stated_stereo(lookup)):
            return None
        parts, rest = found
        resolution = self._named(rest, rest)
        return self._stated_form(query, parts, resolution) if resolution else None

    def _stated_checked(self, found: Resolution, lookup: str) -> Resolution:
        """A table answer to a name whose stereo prefix no name of the table has, where the
        stereoisomer it states could not be sought (:meth:`_stated_form`: its rest is itself
        uncertain): the substances shown to have another form are not answered (none left:
        unresolved, what is held named; L-lysine is not d-lysine), and the answer is uncertain
        unless every one left is shown to have the stated form."""
        if not (stated := stated_stereo(lookup)) or not found.substance_id:
            return found
        parts, rest = stated
        base = normalise(rest).base
        ids = [found.substance_id, *found.alternatives]
        shown = {sid: self._shown(sid, parts, base) for sid in ids}
        said = "-".join(p.text for p in parts)
        name = self.lookups.name_of
        kept = [sid for sid in ids if shown[sid].ok is not False]
        if not kept:
            held = ", ".join(f"{name(sid)} ({shown[sid].why})" for sid in ids)
            base = replace(found, alternatives=(), confidence=CONFIDENCE["synonym"])
            return self._not_held(base, parts, ids, held)
        picked = self._pick(replace(found, alternatives=()), kept, found.matched_name or "")
        if all(shown[sid].ok for sid in kept):
            return picked
        return _doubted(
            picked,
            f"'{said}' stated, but not shown of {name(kept[0])}: the structure answered is "
            "that of the skeleton, its stereo may differ from the one named",
        )

    def _not_held(
        self, found: Resolution, parts: tuple[Stated, ...], isomers: list[str], held: str
    ) -> Resolution:
        """A stated form every stereoisomer held is shown not to have: a racemate of what is
        held only as one enantiomer contains it (answered from ``found``, uncertain); any other
        form is unresolved, what is held named (``held``), dextro never answered for levo."""
        said = "-".join(p.text for p in parts)
        if all(p.kind == "racemic" for p in parts):
            return _doubted(
                self._pick(found, isomers, self.lookups.name_of(isomers[0])),
                f"'{said}' stated: a racemate, which the reference does not hold; it holds "
                f"{', '.join(map(self.lookups.name_of, isomers))}, single enantiomers by their "
                "structures",
            )
        return Resolution(
            found.query,
            "name",
            form=found.form,
            stereo=said,
            error=f"'{found.query}' states '{said}', a stereoisomer the reference does not hold: "
            f"it holds {held} (the lists may cover it as their stereoisomer)",
        )

    def _stated_form(
        self, query: str, parts: tuple[Stated, ...], rest: Resolution
    ) -> Resolution | None:
        """The stereoisomer a name states, among those of the skeleton its rest names (resolved
        without doubt; else None): the one its structure's CIP labels or the reference's names
        show to have the stated form (:mod:`stereo`), answered as such; else, uncertain, those
        not shown to have another form, the rest's own substance first (several: ambiguous,
        all named); none such: unresolved, what the reference holds named (dextro is never
        answered for levo)."""
        if not rest.resolved or rest.uncertain:
            return None
        isomers = self._stereoisomers(rest)
        drawn = rest.keys or next(filter(None, map(self.lookups.structure_of, isomers)), None)
        if not isomers or (drawn and not possible(parts, stereo_labels(drawn.smiles))):
            return None
        said = "-".join(p.text for p in parts)
        base = normalise(rest.query).base
        shown = {sid: self._shown(sid, parts, base) for sid in isomers}
        name = self.lookups.name_of
        answer = replace(rest, query=query, kind="name", stereo=said, notes=())
        proven = [sid for sid in isomers if shown[sid].ok]
        if proven:
            best = max(shown[sid].strength for sid in proven)
            proven = [sid for sid in proven if shown[sid].strength == best]
            found = self._pick(answer, proven, name(proven[0]))
            if len(proven) == 1:
                why = shown[proven[0]].why
                return _noted(found, f"'{said}' stated: {name(proven[0])} is that form ({why})")
            return _noted(found, f"'{said}' stated: shown of {', '.join(map(name, proven))} alike")
        other = [sid for sid in isomers if shown[sid].ok is False]
        not_these = ", ".join(f"{name(s)} ({shown[s].why})" for s in other)
        # the rest's own substance first, then one whose stereo is unspecified (the skeleton)
        open_ = sorted(
            (sid for sid in isomers if sid not in other),
            key=lambda sid: (sid != rest.substance_id, not self._flat(sid)),
        )
        if not open_:
            return self._not_held(replace(answer, form=rest.form), parts, isomers, not_these)
        found = self._pick(answer, open_, name(open_[0]))
        bare = any(p.text.casefold() in BARE_LETTERS for p in parts)
        if len(isomers) == 1 and not bare:  # no other stereoisomer to take it for
            return _noted(
                found,
                f"'{said}' stated; the reference holds only {name(open_[0])} of this skeleton "
                "(not shown to be that form), which the lists cover with its stereoisomers",
            )
        return _doubted(
            found,
            f"'{said}' stated, but not shown of {name(open_[0])} (its stereo is not given or "
            "cannot be read): the structure answered is that of the skeleton"
            + (f"; not {not_these}" if other else ""),
        )

    def _mirrors_opposite(
        self, keys: StructureKeys, parts: tuple[Stated, ...], rest: Resolution
    ) -> bool:
        """Whether a reading is the mirror image of a stereoisomer the reference holds that is
        shown to have the form opposite to the one stated (D-alanine: the mirror image of what
        the reference names L-alanine), so that it has the stated form where its CIP labels
        cannot tell (D and L name a configuration, not a label)."""
        base = normalise(rest.query).base
        for sid in self._stereoisomers(rest):
            held = self.lookups.structure_of(sid)
            if held is None or not held.has_stereo or self._shown(sid, parts, base).ok is not False:
                continue
            with suppress(StructureError):
                if keys_of(_mirrored(held.smiles)).inchikey == keys.inchikey:
                    return True
        return False

    def _stereoisomers(self, rest: Resolution) -> list[str]:
        """The reference's substances of the rest's skeleton (isotopologues aside), the rest's
        own first."""
        own = [rest.substance_id] if rest.substance_id else []
        inchikey = self.lookups.inchikey_of(rest.substance_id) if rest.substance_id else None
        skeleton = rest.keys.connectivity if rest.keys else (inchikey or "")[:14]
        if not skeleton:
            return own
        held = [
            sid
            for sid in self.lookups.skeleton(skeleton)
            if ((k := self.lookups.structure_of(sid)) and not k.labelled)
            or (k is None and isotope_label(self.lookups.name_of(sid)) is None)
        ]
        return list(dict.fromkeys([*own, *held]))

    def _flat(self, substance_id: str) -> bool:
        """Whether a substance's stereo is unspecified (drawn flat, or an InChIKey without a
        stereo layer: its second block is the hash of nothing)."""
        keys = self.lookups.structure_of(substance_id)
        if keys is not None:
            return not keys.has_stereo
        inchikey = self.lookups.inchikey_of(substance_id) or ""
        return inchikey[15:23] == "UHFFFAOY"

    def _shown(self, substance_id: str, parts: tuple[Stated, ...], base: str) -> Shown:
        """Whether a substance has every stated part (False when one is shown otherwise, True
        when one is shown and none otherwise, None when nothing tells), how, and how strongly:
        its structure's labels over the reference's names (which settle nothing against them:
        "D-" and "L-" name a configuration where "d-" and "l-" name a sign, one key for both),
        and a name of a structure whose stereo is unspecified least (some sources name a
        racemate 'd-amphetamine')."""
        keys = self.lookups.structure_of(substance_id)
        flat = self._flat(substance_id)
        # labels of a drawn structure, none of one drawn (or keyed) flat, unknown otherwise
        labels = NO_LABELS if flat else stereo_labels(keys.smiles) if keys else None
        results: list[Shown] = []
        named_strength = 0 if flat else 1
        for part in parts:
            if labels and (by_structure := shown_by_structure(part, labels)) is not None:
                results.append(Shown(by_structure, "by the CIP labels of its structure", 2))
            same, opposite = name_forms(part, base)
            for forms, result in ((same, True), (opposite, False)):
                named = (self._names_of(f).get(substance_id) for f in forms)
                if held := next(filter(None, named), None):
                    why = f"the reference names it '{held}'"
                    results.append(Shown(result, why, named_strength))
        if not results:
            return Shown(None, "", 0)
        strongest = max(r.strength for r in results)  # a structure's labels over names
        results = [r for r in results if r.strength == strongest]
        return next((r for r in results if r.ok is False), results[0])

    def _names_of(self, text: str) -> dict[str, str]:
        """Substance id -> its name that has exactly the key of ``text``, or, for a name with
        a glued stereo word (dexamphetamine), spells it by a convention (dexamfetamine)."""
        name = normalise(text)
        hits = [h for h in self.lookups.names.exact(name) if h.matched_name == name.key]
        if not name.stereo and not hits:
            hits = _not_slang(self.lookups.names.spelled(name))
        return {h.substance_id: h.matched_name for h in hits}

    # --- one query, without OPSIN -------------------------------------------------------------

    def _without_opsin(self, query: str) -> Resolution | None:
        """Resolve by syntax and tables; None for a name that needs OPSIN or fuzzy matching."""
        text = query.strip()
        kind = query_kind(text)
        if not text:
            return Resolution(query, "name", error="empty query")
        if kind == "smiles":  # a name may look like SMILES: (+)-LSD
            structure = self._structure(query, text, kind)
            if structure.invalid_input and (named := self._named(query, text)) is not None:
                return named
            return structure
        if kind in ("inchi", "molfile"):
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
        named = self._named(query, text)
        if named is None and organic_atoms_only(text) and text in self.lookups.standard:
            # atom letters only, so asked as a name ('CCO' may be a code), but no name and a
            # SMILES the reference itself writes ('CCCCCCCCCO', nonan-1-ol): the structure it
            # draws (the gate keeps the reference's SMILES unread for an ordinary unknown name)
            return self._structure(query, text, "smiles")
        return named

    def _structure(self, query: str, text: str, kind: str) -> Resolution:
        try:
            keys = self.lookups.standard.get(text) or keys_of(text)
        except StructureError as error:
            return Resolution(query, kind, error=str(error), invalid_input=True)
        sid = self.lookups.inchikey.get(keys.inchikey)
        resolution = Resolution(query, kind, kind, CONFIDENCE["structure"], sid, keys)  # type: ignore[arg-type]
        if keys.labelled:
            return self._labelled_form(resolution)
        if sid or keys.has_stereo:
            return resolution
        return self._name_flat_structure(resolution, keys)

    def _labelled_form(self, resolution: Resolution) -> Resolution:
        """A structure with isotope labels that no source holds as drawn (a deuterated internal
        standard, a tracer) is a labelled form of its structure without them, named as that
        structure is (its stereo compared as for any structure: a labelled levomethorphan is
        never dextromethorphan); uncertain, the labels named: the verdict is its parent's."""
        keys = resolution.keys
        if resolution.substance_id or keys is None or not keys.labelled:
            return resolution
        bare = unlabelled(keys)
        named = replace(resolution, substance_id=self.lookups.inchikey.get(bare.inchikey))
        if named.substance_id is None and not bare.has_stereo:
            named = replace(self._name_flat_structure(named, bare), keys=keys)
        parent = named.substance_id and self.lookups.name_of(named.substance_id)
        return _doubted(
            named,
            f"labelled with {isotope_labels(keys)}: a labelled form of "
            f"{parent or 'the structure without the labels'}, judged as it (the verdict is "
            "the unlabelled form's)",
        )

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

    def _named(self, query: str, text: str) -> Resolution | None:
        """A name found in the synonym table: as written, spaces and hyphens aside, or
        through the names of an alias form; None when it is in none of them."""
        lookup, name = self._lookup(text)
        if hits := self.lookups.names.exact(name):
            # a stereo prefix no name of the table has: the stereoisomer it states, if shown
            stated = name.stereo and all(h.matched_name != name.key for h in hits)
            if stated and (found := self._stated_in_table(query, lookup)):
                return _ester_checked(found)
            found = self._synonym(query, name, hits)
            return _ester_checked(self._stated_checked(found, lookup) if stated else found)
        if hits := self.lookups.names.compact(name):
            found = self._synonym(query, name, hits)
            return _ester_checked(_noted(found, "matched with spaces and hyphens aside"))
        if found := self._language_form(query, name):
            return _ester_checked(found)
        if parts := alias_parts(lookup):
            return self._alias(query, name, parts)
        # the name as written among its stereo relatives, before it is read as another
        # language's INN form ('methorphan' is not 'methorphane' of dextromethorphane alone)
        return self._stereo_relative(query, name) or self._language_relative(query, name)

    def _lookup(self, text: str) -> tuple[str, NormalisedName]:
        """What a stripped text is looked up as (the derivative it names left off), and that
        normalised; kept while its batch is resolved."""
        if (found := self._looked_up.get(text)) is None:
            lookup = split_derivative(text)[0]
            found = self._looked_up[text] = (lookup, normalise(lookup))
        return found

    def _language_form(self, query: str, name: NormalisedName) -> Resolution | None:
        """A name in another language's INN form (ribavirinum, warfarina, tranylcypromin,
        acide acétylsalicylique) whose English forms the table holds, for one substance only
        and not as slang; the form read is noted. A stereo prefix the table's name lacks is
        checked as for any name (:meth:`_stated_in_table`: L-lysinum is not d-lysine). An
        English form the table lacks is sought among its stereo relatives
        (:meth:`_language_relative`: lysinum, d-lysine; dexverapamilo, verapamil), uncertain,
        after the name's own stereo relatives."""
        found: dict[str, tuple[str, NameHitLike]] = {}
        for form in english_forms(name.base):
            variant = replace(normalise(form), stereo=name.stereo)
            for hit in _as_spelled(self.lookups.names.exact(variant)):
                found.setdefault(hit.substance_id, (form, hit))
        if len(found) != 1:
            return None
        sid, (form, hit) = next(iter(found.items()))
        note = f"'{name.base}' read as '{form}': the same name with another language's INN ending"
        base = Resolution(
            query, "name", "synonym", CONFIDENCE["synonym"], form=name.form, stereo=name.stereo
        )
        found = _noted(self._pick(base, [sid], hit.matched_name), note)
        if name.stereo and hit.matched_name != (english := f"{name.stereo}-{form}"):
            stated = self._stated_in_table(query, english)
            found = _noted(replace(stated, form=name.form), note) if stated else found
            found = self._stated_checked(found, english) if not stated else found
        return found

    def _language_relative(self, query: str, name: NormalisedName) -> Resolution | None:
        """The stereo relative (:meth:`_stereo_relative`) of the English form of a name in
        another language's INN form, when all the forms find one substance; uncertain, both
        readings noted."""
        answers: dict[str | None, tuple[str, Resolution]] = {}
        for form in english_forms(name.base):
            variant = replace(normalise(form), stereo=name.stereo, form=name.form)
            if (found := self._stereo_relative(query, variant)) is not None:
                answers.setdefault(found.substance_id, (form, found))
        if len(answers) != 1:
            return None
        form, found = next(iter(answers.values()))
        return _noted(
            found,
            f"'{name.base}' read as '{form}': the same name with another language's INN ending",
        )

    def _stereo_relative(self, query: str, name: NormalisedName) -> Resolution | None:
        """A name the table lacks whose stereoisomer it holds: the same name with a stereo
        prefix only the table has (lysine: d-lysine), or with a stereo word made or unmade
        (bupivacaine: levobupivacaine; dexverapamil: verapamil). Uncertain: the answer's
        stereo may not be the one named (the lists cover stereoisomers unless they say
        otherwise, and a stereo exclusion needs the very isomer)."""
        relatives = [replace(name, stereo="(±)")] if not name.stereo else []
        # a relative whose base no key has finds nothing, with or without a stereo prefix
        held = self.lookups.names.holds_base
        words = [w for r in stereo_word_relatives(name.base) if held((w := normalise(r)).base)]
        # each relative as written, then with any stereo prefix the table gives it ((+)-menthol)
        relatives += words + [replace(r, stereo="(±)") for r in words if not r.stereo]
        found: Resolution | None = None
        unmade = False  # the name's own stereo word taken off (levobupivacaine: bupivacaine)
        others: dict[str, str] = {}  # the other stereo-word relatives held: id -> name matched
        for relative in relatives:
            if not (hits := _as_spelled(self.lookups.names.exact(relative))):
                continue
            if found is None:
                # the relative's "(±)" is a look-up's wildcard, not a stereo the query stated
                found = replace(self._synonym(query, relative, hits, stated=False), form=name.form)
                if unmade := _unmade(relative, name):
                    break  # the name with its stereo word unmade: the racemate or unspecified
            elif _made(relative, name) and not name.stereo:
                # a word made on a name that states no stereo (dextro-, levo-) names one
                # stereoisomer: where several are held, which one the name means is not known
                others.update((h.substance_id, h.matched_name) for h in hits)
        if found is None:
            return None
        others = {
            k: v for k, v in others.items() if k not in (found.substance_id, *found.alternatives)
        }
        found = replace(found, stereo=name.stereo)
        if not others:
            return _doubted(found, _stereo_note(name, found, not unmade))
        found = replace(
            found,
            alternatives=(*found.alternatives, *others),
            confidence=found.confidence * AMBIGUITY_PENALTY,
        )
        held = ", ".join(f"'{n}'" for n in (found.matched_name, *others.values()))
        return _doubted(
            found,
            f"'{name.key}' (no stereo stated) is not in the reference data; {held} are, each "
            "with a stereo the name does not state: which one it names is not known",
        )

    def _synonym(
        self, query: str, name: NormalisedName, hits: Sequence[NameHitLike], stated: bool = True
    ) -> Resolution:
        """The synonym ``hits`` of ``name``; ``stated``: its stereo prefix is the query's own
        (not a look-up's wildcard), so a reference name without it is noted."""
        base = Resolution(
            query, "name", "synonym", CONFIDENCE["synonym"], form=name.form, stereo=name.stereo
        )
        choice = self._by_region(hits)
        chosen, others = list(choice.chosen or choice.contested), list(choice.others)
        matched = next(h.matched_name for h in hits if h.substance_id == chosen[0])
        resolution = self._pick(base, chosen, matched)
        if stated and name.stereo and all(normalise(h.matched_name).key != name.key for h in hits):
            resolution = _noted(
                resolution,
                f"stereo prefix '{name.stereo}' not in the reference name; matched "
                f"'{matched}', which the lists cover with its isomers",
            )
        if choice.elsewhere:
            meanings = self._meanings(hits, [*chosen, *others])
            if _code(name.key, self.lookups.name_of(chosen[0])):  # a code (2C-B): one structure
                return _doubted(
                    resolution,
                    f"'{name.key}' is a street name only outside {self.region}: " + meanings,
                )
            # slang says what is sold under a word, and here the word is not known to mean
            # anything: two doubts, so no structure is answered, only what it means elsewhere
            return Resolution(
                query,
                "name",
                form=name.form,
                stereo=name.stereo,
                error=f"'{name.key}' is a street name only outside {self.region} "
                f"(there: {meanings}): not taken",
            )
        if choice.contested:
            return self._contested(resolution, name, hits, choice)
        # slang of another substance makes a list's name doubtful too ("love drug": the
        # DEA's list gives MDA, UK and US slang MDMA)
        if _slang(name.key, hits):
            resolution = _doubted(
                resolution,
                f"'{name.key}' is a street name: it says what is sold under it, not what a "
                "sample is (the same word means other substances in other rows and places)",
            )
        if not others:
            return resolution
        meanings = self._meanings(hits, others)
        if resolution.alternatives:
            resolution = replace(resolution, alternatives=resolution.alternatives + tuple(others))
        return _noted(resolution, f"elsewhere '{name.key}' also means {meanings}")

    def _by_region(self, hits: Sequence[NameHitLike]) -> Choice:
        """What the name means for the user (:func:`regions.choose`): stereoisomers are one
        meaning."""
        regions: dict[str, frozenset[str]] = {}
        for hit in hits:
            regions[hit.substance_id] = regions.get(hit.substance_id, frozenset()) | hit.regions
        return choose(regions, self._tiers, self._skeleton_of)

    def _skeleton_of(self, substance_id: str) -> str:
        keys = self.lookups.structure_of(substance_id)
        return keys.connectivity if keys is not None else substance_id

    def _contested(
        self, picked: Resolution, name: NormalisedName, hits: Sequence[NameHitLike], choice: Choice
    ) -> Resolution:
        """A street name whose places in the user's first tier that uses it do not agree on one
        substance (or that only a note gives): what is sold under a word, and which meaning
        of the word, are both open: two doubts. Its meanings stay as alternatives, for the
        report's facts to settle (:meth:`_checked`); unsettled, it is not taken (:func:`_taken`)."""
        meanings = self._meanings(hits, choice.contested)
        if choice.several:
            why = f"'{name.key}' is a street name for several substances in {self.region} "
        else:
            why = f"'{name.key}' is a street name in {self.region} only by a source's note "
        why += f"({meanings}): no single one is taken"
        return replace(_doubted(picked, why), contested=why)

    def _meanings(self, hits: Sequence[NameHitLike], ids: Iterable[str]) -> str:
        """ "methamphetamine (DE, US); cocaine (US)": what the name means where."""
        shown = []
        for sid in ids:
            where = places_shown(r for h in hits if h.substance_id == sid for r in h.regions)
            shown.append(f"{self.lookups.name_of(sid)} ({where})")
        return "; ".join(shown)

    def _alias(self, query: str, name: NormalisedName, parts: tuple[str, ...]) -> Resolution | None:
        """The substance the names of an alias form agree on ("X (Y)", "X / Y")."""
        found = []
        for part in parts:
            part_name = normalise(part)
            hits = self.lookups.names.exact(part_name) or self.lookups.names.compact(part_name)
            if hits and (part_found := self._synonym(query, part_name, hits)).resolved:
                found.append((part, part_found))
        if not found:
            return None
        meanings = [{r.substance_id, *r.alternatives} for _, r in found]
        shared = set.intersection(*meanings)
        # a part without doubt leads: a street name that a name used anywhere agrees with is
        # settled by it
        lead = next((r for _, r in found if not r.doubtful), found[0][1])
        first = replace(lead, form=name.form or lead.form)
        unknown = [p for p in parts if p not in dict(found)]
        if len(shared) == 1:
            agreed = replace(first, substance_id=(sid := shared.pop()), alternatives=())
            agreed = replace(agreed, keys=self.lookups.structure_of(sid))
            if not agreed.doubtful:
                agreed = replace(agreed, confidence=CONFIDENCE["synonym"])
            if unknown:  # an unknown part may qualify the name rather than repeat it
                return _doubted(
                    agreed,
                    *(f"'{p}' is not in the reference data; the rest names it" for p in unknown),
                )
            return _noted(
                agreed,
                " and ".join(f"'{p}'" for p, _ in found) + " name the same substance",
            )
        candidates = sorted(shared) or sorted(set.union(*meanings))
        ambiguous = self._pick(
            replace(first, alternatives=()), candidates, first.matched_name or ""
        )
        return _noted(
            ambiguous,
            "the names disagree: "
            + "; ".join(
                f"'{p}' names {self.lookups.name_of(r.substance_id or '')}" for p, r in found
            ),
        )

    def _pick(self, base: Resolution, ids: list[str], matched: str) -> Resolution:
        """One substance, or the first of several with the others named as alternatives."""
        return replace(
            base,
            substance_id=ids[0],
            matched_name=matched,
            keys=self.lookups.structure_of(ids[0]),
            alternatives=tuple(ids[1:]),
            confidence=base.confidence * (AMBIGUITY_PENALTY if len(ids) > 1 else 1),
        )

    # --- names: OPSIN then fuzzy -------------------------------------------------------------

    def _spellings(self, query: str) -> list[str]:
        """What OPSIN is given for a name: the name (a CAS index name uninverted, a derivative
        left off), then the names of an alias form."""
        lookup = split_derivative(query.strip())[0]
        return list(dict.fromkeys(uninvert_cas_name(s) for s in (lookup, *alias_parts(lookup))))

    def _by_opsin_or_fuzzy(self, queries: list[str]) -> list[Resolution]:
        if not queries:
            return []
        if not self.use_opsin:
            return [self._fuzzy(q) for q in queries]
        groups = [self._spellings(q) for q in queries]
        # lazily: each answer is used while OPSIN works on the next; closed (and the JVM
        # released) even when a resolution fails midway
        resolutions = []
        with closing(names_to_smiles([s for group in groups for s in group])) as answers:
            for query, group in zip(queries, groups, strict=True):
                read = [(spelling, next(answers)) for spelling in group]
                found = next(((s, smiles) for s, smiles in read if smiles), None)
                resolutions.append(self._from_opsin(query, *found) if found else self._fuzzy(query))
        return resolutions

    def _from_opsin(self, query: str, spelling: str, smiles: str) -> Resolution:
        name = normalise(query)
        try:
            keys = keys_of(smiles)
        except StructureError:
            return self._fuzzy(query)
        sid = self.lookups.inchikey.get(keys.inchikey)
        resolution = self._labelled_form(
            Resolution(
                query,
                "name",
                "opsin",
                CONFIDENCE["opsin"],
                sid,
                keys,
                form=name.form,
                stereo=name.stereo,
                notes=(f"read by OPSIN from '{spelling}'",) if spelling != query.strip() else (),
            )
        )
        # imported when OPSIN first reads a name: compiling the checks' word patterns costs
        # start-up time that a check of a known name never needs
        from subsmatch.substances.opsin_checks import doubts

        found = doubts(spelling, smiles)
        if found:
            resolution = replace(_doubted(resolution, *found), risky=True)
        if sid is None and not self.lookups.skeleton(keys.connectivity):
            resolution = replace(_doubted(resolution, UNHELD), unheld=True)
        return resolution

    def _fuzzy(self, query: str) -> Resolution:
        """Near-spellings of the name, else of its stereo-word relatives (cetirizina:
        levocetirizine), never of slang known only elsewhere; always uncertain."""
        name = self._lookup(query.strip())[1]
        near = self.lookups.names.fuzzy(name)
        # nearest to slang known only elsewhere: it most likely means that slang
        slang = bool(near) and not self._near_here(near[:1])
        hits = [] if slang else self._near_here(near)
        by_relative = False
        # a spelling convention of a stereo relative is less doubt than a typo of another
        # name (levomentol: (+)-menthol, not levomenol) or than slang known only elsewhere
        # (mentol: (+)-menthol, not the DEA's 'menthol' for heroin)
        typo = not hits or spelling_fold(hits[0].matched_name) != spelling_fold(name.key)
        if typo and (relatives := self._relative_spellings(name)):
            hits, by_relative = relatives, True
        if slang and not by_relative:
            return Resolution(
                query,
                "name",
                form=name.form,
                stereo=name.stereo,
                error=f"spelled like '{near[0].matched_name}', a street name known only "
                f"outside {self.region}: not taken",
            )
        read_as = ""
        if not hits and (lettered := self._letter_spellings(name)):
            hits, read_as = lettered
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
        resolution = Resolution(
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
        if read_as:
            return _noted(resolution, read_as)
        return _noted(resolution, _stereo_note(name, resolution)) if by_relative else resolution

    def _letter_spellings(self, name: NormalisedName) -> tuple[list[NameHitLike], str] | None:
        """The names the table holds that a letter rule of another language's spelling makes
        of the name (:func:`variants.letter_forms`: cloramfenicol, ossitetraciclina, Chinidin),
        exactly or by a spelling convention, when all that are found name one substance (never
        slang); with a note of the rule read."""
        found: list[tuple[NameHitLike, str]] = []
        for form, rule in letter_forms(name.base):
            variant = replace(normalise(form), stereo=name.stereo)
            hits = _as_spelled(self.lookups.names.exact(variant)) or _not_slang(
                self.lookups.names.spelled(variant)
            )
            found += [(hit, f"'{name.base}' read as '{form}' ({rule})") for hit in hits]
        if len({hit.substance_id for hit, _ in found}) != 1:
            return None
        return [hit for hit, _ in found], found[0][1]

    def _relative_spellings(self, name: NormalisedName) -> list[NameHitLike]:
        """Names the table holds that a stereo-word relative of the name spells by convention
        (cetirizina: levocetirizine), also with a stereo prefix the table gives them
        (levomentol: (+)-menthol), and the names the table holds with a stereo prefix that
        the name itself spells by convention (mentol: (+)-menthol); never slang, never a
        relative's typo (one step of doubt)."""
        own = [  # a name stating its own stereo never takes another's
            hit
            for near in (self.lookups.names.spelled(name) if not name.stereo else ())
            for hit in self.lookups.names.exact(replace(normalise(near.matched_name), stereo="(±)"))
            if hit.matched_name != near.matched_name
        ]
        if own := _not_slang(own):
            return own
        for relative in stereo_word_relatives(name.base):
            spelled = self.lookups.names.spelled(normalise(relative))
            prefixed = [
                hit
                for near in spelled
                for hit in self.lookups.names.exact(
                    replace(normalise(near.matched_name), stereo="(±)")
                )
            ]
            if hits := _not_slang([*spelled, *prefixed]):
                return hits
        return []

    def _near_here(self, hits: Sequence[NameHitLike]) -> list[NameHitLike]:
        """The near-spellings a user may mean: names used anywhere, and street names of the
        user's region. A near-spelling of slang known only elsewhere would be two doubts in
        one answer ("mentol" in Europe is not the DEA's "menthol" for heroin)."""
        return [
            hit
            for hit in hits
            if not self._tiers or tier_of(hit.regions, self._tiers) < len(self._tiers)
        ]

    @staticmethod
    def _derivative_noted(resolution: Resolution) -> Resolution:
        parent, derivative = split_derivative(resolution.query.strip())
        if derivative is None or not resolution.resolved:
            return resolution
        return _noted(
            resolution,
            f"a {derivative} (as measured after derivatisation): resolved as its analyte "
            f"'{parent}'",
        )

    def _structure_doubted(self, resolution: Resolution) -> Resolution:
        """An answer whose structure rests on one unreviewed drawing alone (the reference says
        why: :mod:`subsmatch.compile.corroboration`) is uncertain, once, with the reason."""
        sid = resolution.substance_id
        doubt = self.lookups.structure_doubt(sid) if sid else ""
        if not doubt:
            return resolution
        note = f"{self.lookups.name_of(sid)}: {doubt}"  # type: ignore[arg-type]
        return resolution if note in resolution.notes else _doubted(resolution, note)

    # --- facts that come with the query -------------------------------------------------------

    def _checked(self, resolution: Resolution, facts: QueryFacts | None) -> Resolution:
        """The resolution held against the report's facts (see the module's text)."""
        if facts is None or not resolution.resolved or resolution.via in _STRUCTURES:
            return resolution
        derivative = split_derivative(resolution.query.strip())[1]
        candidates = [resolution.substance_id, *resolution.alternatives]
        keys = [resolution.keys, *map(self.lookups.structure_of, resolution.alternatives)]
        agree = [
            self._agreement(sid, k, facts, derivative)
            for sid, k in zip(candidates, keys, strict=True)
        ]
        said = _facts_text(facts)
        if agree[0] is None and not any(agree[1:]):
            return _noted(resolution, f"the report's {said} could not be checked")
        if agree[0] and not any(agree[1:]):
            settled = replace(resolution, alternatives=(), unheld=False, contested="")
            if resolution.unheld and not resolution.risky:  # the report is the second fact
                settled = replace(settled, doubtful=False, confidence=CONFIDENCE["opsin"])
            if resolution.alternatives:
                settled = replace(settled, confidence=CONFIDENCE.get(str(settled.via), 1.0))
            if settled.doubtful and self._cas_confirms(settled, facts):
                settled = replace(settled, doubtful=False, confidence=CONFIDENCE["cas"])
                return _noted(settled, f"the report's CAS {facts.cas} confirms the structure")
            return _noted(settled, f"agrees with the report's {said}")
        agreeing = [i for i, a in enumerate(agree) if a]
        if agreeing:  # another meaning agrees, or several do
            ids = [candidates[i] for i in agreeing]
            chosen = self._pick(
                replace(
                    resolution, alternatives=(), contested=resolution.contested * (len(ids) > 1)
                ),
                ids,  # type: ignore[arg-type]
                resolution.matched_name or "",
            )
            note = f"the report's {said} agrees with {', '.join(map(self.lookups.name_of, ids))}"  # type: ignore[arg-type]
            return _noted(chosen, note)
        conflict = (
            f"the report's {said} disagrees with "
            f"{resolution.keys.formula if resolution.keys else resolution.substance_id}"
        )
        if resolution.via in ("opsin", "fuzzy"):
            reading = resolution.keys.smiles if resolution.keys else resolution.substance_id
            return Resolution(
                resolution.query,
                resolution.kind,
                form=resolution.form,
                stereo=resolution.stereo,
                error=f"the name and the report disagree: {conflict}",
                notes=(*resolution.notes, f"{resolution.via} read {reading}, not taken"),
            )
        return _doubted(resolution, conflict)

    def _agreement(
        self,
        substance_id: str | None,
        keys: StructureKeys | None,
        facts: QueryFacts,
        derivative: Derivative | None,
    ) -> bool | None:
        """Whether one candidate agrees with the facts: False when any fact disagrees, True
        when one agrees and none disagrees, None when none could be checked."""
        results = [self._cas_agreement(substance_id, keys, facts)]
        if facts.formula and keys is not None:
            results.append(formula_agrees(facts.formula, keys.formula, derivative))
        if False in results:
            return False
        return True if True in results else None

    def _cas_agreement(
        self, substance_id: str | None, keys: StructureKeys | None, facts: QueryFacts
    ) -> bool | None:
        """Whether the report's CAS number names this substance or its skeleton; None when
        the CAS number is not in the reference data."""
        cas = normalise_cas(facts.cas) if facts.cas else None
        ids = self.lookups.cas.get(cas, ()) if cas else ()
        if not ids:
            return None
        if substance_id in ids:
            return True
        skeletons = {k.connectivity for i in ids if (k := self.lookups.structure_of(i))}
        return keys is not None and keys.connectivity in skeletons

    def _cas_confirms(self, resolution: Resolution, facts: QueryFacts) -> bool:
        return bool(self._cas_agreement(resolution.substance_id, resolution.keys, facts))


@dataclass(frozen=True)
class Shown:
    """Whether a stereoisomer is shown to have a stated form, how, and how strongly."""

    ok: bool | None
    why: str
    strength: int


_STRUCTURES = frozenset({"smiles", "inchi", "molfile", "inchikey"})
NO_LABELS = StereoLabels((), (), 0, 0)
BARE_LETTERS = frozenset("rsez")  # "S-X" may be a locant on sulfur, "E-X" a code
UNHELD = (
    "no source the reference reads holds this structure: OPSIN's reading alone, which "
    "nothing corroborates"
)


PHYSICAL_FORMS = frozenset(
    {"anhydrous", "base", "crystal", "powder", "salt", "inner salt", "hydrate", "hemihydrate"}
    | {"monohydrate", "sesquihydrate", "dihydrate", "trihydrate"}
)
"""Form words that name no counter-ion: the substance as it is (its salt, its crystal)."""


def _ester_checked(resolution: Resolution) -> Resolution:
    """A table answer to "X succinate" made uncertain where the name may mean an ester of X,
    or where X has no drawable structure to tell whether a counter-ion word names a salt of
    it or another compound (a substance known by its InChIKey only: "ferric pyrophosphate
    citrate" is a complex, not ferric pyrophosphate)."""
    if not resolution.form or resolution.substance_id is None:
        return resolution
    # imported only for a name with salt words: see _from_opsin
    from subsmatch.substances.opsin_checks import ESTER_WORDS, ester_or_salt

    if resolution.keys is None:
        if words := sorted(ESTER_WORDS.intersection(resolution.form)):
            return _doubted(
                resolution,
                f"ester or salt: '{words[0]}' may name an ester of this substance, whose "
                "structure the reference does not hold to tell",
            )
        if words := sorted(set(resolution.form) - PHYSICAL_FORMS):
            return _doubted(
                resolution,
                f"salt or compound: '{words[0]}' may name a salt of this substance or another "
                "compound of it; the reference holds no structure to tell",
            )
        return resolution
    if note := ester_or_salt(resolution.form, resolution.keys.smiles):
        return _doubted(resolution, note)
    return resolution


def _taken(resolution: Resolution) -> Resolution:
    """An OPSIN reading with two doubts is not taken: the name has a feature OPSIN often
    misreads, and neither a source nor the report's facts hold the structure it read. Nor is
    a street name whose meanings in the user's region the facts did not settle."""
    if resolution.contested:
        return Resolution(
            resolution.query,
            resolution.kind,
            form=resolution.form,
            stereo=resolution.stereo,
            error=resolution.contested,
            notes=resolution.notes,
        )
    if not (resolution.via == "opsin" and resolution.unheld and resolution.risky):
        return resolution
    reading = resolution.keys.smiles if resolution.keys else ""
    return Resolution(
        resolution.query,
        resolution.kind,
        form=resolution.form,
        stereo=resolution.stereo,
        error="OPSIN's reading is doubtful and no source holds its structure: not taken",
        notes=(*resolution.notes, f"OPSIN read {reading}, not taken"),
    )


ION = "ion"


def _ion_named(text: str) -> tuple[str, str] | None:
    parent = ion_parent(text)
    return (parent, ION) if parent else None


_ELEMENT = re.compile(r"^[A-Z][a-z]?$")


def _lone_element(keys: StructureKeys | None) -> str | None:
    """The element of a structure that is one uncharged atom, else None (an ion such as
    OPSIN's reading of "cobalt(II)" is not the element).

    >>> from subsmatch.substances.structures import keys_of
    >>> [_lone_element(keys_of(s)) for s in ("[Xe]", "[Co+2]", "CO")]
    ['Xe', None, None]
    """
    return keys.formula if keys and _ELEMENT.match(keys.formula) else None


def _labelled_parent(parent: Resolution, label: str) -> bool:
    """Whether a resolution may stand for the parent of a labelled name: one doubt at most
    (the label's), a structure without labels, holding an atom of the label's element (no
    boron-12 in a vitamin).

    >>> from subsmatch.substances.structures import keys_of
    >>> acid = Resolution("acetic acid", "name", "synonym", 1.0, keys=keys_of("CC(=O)O"))
    >>> _labelled_parent(acid, "C-11"), _labelled_parent(acid, "B-12")
    (True, False)
    """
    keys = parent.keys
    if keys is None or keys.labelled or parent.uncertain:
        return False
    return bool(re.search(rf"{label_element(label)}(?![a-z])", keys.formula))


def _one_skeleton(rest: Resolution) -> bool:
    """Whether a resolution names one skeleton without doubt (its stereo may be in doubt: the
    stereo relative answered for 'alanine' where the table holds only 'L-alanine')."""
    return rest.keys is not None and rest.via not in ("fuzzy", "opsin") and not rest.alternatives


_MIRROR = "the mirror image of the stereoisomer held, which is shown to have the opposite form"
_CHIRAL_MARK = re.compile(r"@@?")


def _mirrored(smiles: str) -> str:
    """The mirror image of a SMILES: every tetrahedral centre inverted (double bonds keep
    their geometry).

    >>> _mirrored("C[C@H](N)C(=O)O"), _mirrored("C[C@@H](N)C(=O)O")
    ('C[C@@H](N)C(=O)O', 'C[C@H](N)C(=O)O')
    """
    return _CHIRAL_MARK.sub(lambda m: "@" if m[0] == "@@" else "@@", smiles)


def _not_slang(hits: Sequence[NameHitLike]) -> list[NameHitLike]:
    """The hits of names used anywhere: slang has no stereoisomers ("levomenthol" is not the
    DEA's "menthol" for heroin)."""
    return [hit for hit in hits if hit.regions >= ANYWHERE]


def _as_spelled(hits: Sequence[NameHitLike]) -> list[NameHitLike]:
    """The hits of :func:`_not_slang` that may answer a form a rule makes of the query (another
    language's INN ending or letters, a stereo relative): not those of names found by their own
    spelling only (a vocabulary's synonyms of substances only it knows: 'sophorin' is not the
    'sophorine' of cytisine)."""
    return [hit for hit in _not_slang(hits) if not getattr(hit, "spelling_only", False)]


def _code(key: str, name: str) -> bool:
    """A code with digits (2C-B, '2-CB' for 2C-B) names one structure wherever it is used: its
    digits are those of its substance's name. Slang with numbers ('51s' for crack, '30s' for
    oxycodone tablets) is slang.

    >>> _code("2-cb", "2C-B"), _code("4-fmp", "4-Fluoroamphetamine"), _code("51s", "Cocaine")
    (True, True, False)
    """
    digits = re.findall(r"\d+", key)
    return bool(digits) and set(digits) <= set(re.findall(r"\d+", name))


def _slang(key: str, hits: Sequence[NameHitLike]) -> bool:
    """Street-name sources give the name: slang, even where a list carries it too (the DEA's
    "ICE", "Speed"), unless it is a code with digits (2C-B), which names one structure."""
    used_as_slang = any(hit.regions != ANYWHERE for hit in hits)
    return used_as_slang and (not _not_slang(hits) or not any(c.isdigit() for c in key))


def _unmade(relative: NormalisedName, name: NormalisedName) -> bool:
    """Whether ``relative`` is ``name`` with its stereo word taken off (levobupivacaine)."""
    return relative.base != name.base and name.base.endswith(relative.base)


def _made(relative: NormalisedName, name: NormalisedName) -> bool:
    """Whether ``relative`` is ``name`` with a stereo word put before it (dextro-, levo-)."""
    return relative.base != name.base and relative.base.endswith(name.base)


def _stereo_note(name: NormalisedName, found: Resolution, unstated: bool = True) -> str:
    """What a stereo relative answers for a name the reference lacks: the stereo named, or that
    none was stated (then the substance named may be any of its stereoisomers, or a mixture).

    >>> from types import SimpleNamespace as R
    >>> _stereo_note(normalise("lysine"), R(matched_name="d-lysine"))  # doctest: +ELLIPSIS
    "'lysine' (no stereo stated) is not in the reference data; ... 'd-lysine' is: ..."
    """
    if unstated and not name.stereo:
        return (
            f"'{name.key}' (no stereo stated) is not in the reference data; its stereoisomer "
            f"or racemate '{found.matched_name}' is: the structure answered is that one's, "
            "its stereo may differ from the substance named (another stereoisomer, or a mixture)"
        )
    return (
        f"'{name.key}' is not in the reference data; its stereoisomer or racemate "
        f"'{found.matched_name}' is: the structure answered is that one's, its stereo may "
        "differ from the one named"
    )


def _facts_text(facts: QueryFacts) -> str:
    return " and ".join(
        f"{label} {value}"
        for label, value in (("formula", facts.formula), ("CAS", facts.cas))
        if value
    )
