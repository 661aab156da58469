"""Combine the evidence on one query into one verdict per jurisdiction, and the headline.

The rules of law are data (``reference/curated/law.toml``, read by :mod:`subsmatch.reference.law`).
Per jurisdiction, on the date asked:

1. its own listings in force: ``controlled`` (narcotic, psychotropic, NPS) or ``precursor``;
2. statuses derived from other jurisdictions' listings (an EU drug is a substance of the 1961 and
   1971 Conventions; a UN decision binds every Party and an EU decision every Member State where
   the national data does not show the national listing; the EU precursor Regulations apply in
   every Member State);
3. its generic rules in force (``generic``), less those a listing takes the substance out of
   (NpSG § 1 Abs. 2); where a precursor listing and a generic group meet, the jurisdiction's
   precedence decides, and the other is shown;
4. ``unknown`` where the data cannot say: a listing (or source listing, or generic law) whose start
   is not known on the date, or a list that ends before the date while a peer's listing suggests
   a later listing may be missing;
5. else ``not_listed`` (a jurisdiction without lists is silent instead).

The headline (``status``) is the strongest status in the headline scope: the user's home
jurisdictions, or the jurisdictions asked for. When the structure is on no list and under no rule
in any jurisdiction evaluated, and close to one controlled in the scope (class-aware similarity,
never for known look-alikes), it is ``analogue``; ``unresolved`` when the query named nothing
known. Whether the
verdict is *flagged* follows the headline: a precursor is flagged only for a flagged category
(EU Category 1, UN Table I). :func:`rehead` recomputes the headline of a stored verdict for another
scope.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache, partial
from typing import TYPE_CHECKING, NamedTuple
from weakref import WeakKeyDictionary

from subsmatch import __version__
from subsmatch.caching import BoundedCache
from subsmatch.lazy import lazy
from subsmatch.matchers import products
from subsmatch.matchers.exact import (
    StructureMatch,
    drawing_of,
    skeleton_matches,
    structure_matches,
)
from subsmatch.matchers.generic import RuleBook, RuleMatch, positional_signature
from subsmatch.matchers.similarity import AnalogueFinding, AnalogueIndex, lookalike_of
from subsmatch.reference import law as law_module
from subsmatch.reference.law import (
    CONTROLLING_KINDS,
    PRECURSOR_KINDS,
    Coverage,
    Derivation,
    LawBook,
    State,
    Texts,
    coverage,
    latest_start,
)
from subsmatch.reference.lists import JURISDICTIONS, ListEntry, Reference, SubstanceRecord
from subsmatch.substances.resolve import Resolution
from subsmatch.substances.structures import StructureKeys, unlabelled
from subsmatch.vocabulary import FLAGGED, Status

if TYPE_CHECKING:
    from rdkit import Chem
else:  # imported when first used: only a query of a listed formula compares positions
    Chem = lazy("rdkit.Chem")

LIVE = (State.IN_FORCE, State.UNKNOWN)  # a listing that applies, or may
_SEVERITY = {status: rank for rank, status in enumerate(Status)}
ANY = tuple(State)
UNLISTED = (Status.NOT_LISTED, Status.UNKNOWN)  # statuses a similarity assessment may raise
UNKNOWN = Status.UNKNOWN.value


def on_no_list(status: str, unknown_rules: Iterable[str]) -> bool:
    """Whether a jurisdiction's status leaves the substance on no list and under no rule: not
    listed, or unknown only for a gap in the data (``unknown_rules``: the rules that give its
    unknown), not for a listing or a rule whose start is not known on the date.

    >>> on_no_list("unknown", ["data-gap"]), on_no_list("unknown", ["start-unknown"])
    (True, False)
    """
    return status == Status.NOT_LISTED or (
        status == Status.UNKNOWN and set(unknown_rules) <= {"data-gap"}
    )


@dataclass(frozen=True)
class Evidence:
    """One list entry that applies to the query (or may: its start is unknown), and why."""

    entry: ListEntry
    substance_id: str
    match: str  # identical | stereoisomer | stereo_unspecified | isotopologue | name
    reason: str
    state: State = State.IN_FORCE


class Derived(NamedTuple):
    """A status a rule gives a jurisdiction: of law (an EU drug, a treaty obligation, a
    precursor regulation, a precedence) or of reading the data (a gap, an unknown start).
    A named tuple: a verdict makes a dozen of them."""

    rule_id: str
    status: Status
    text: str
    basis: str
    act: str | None = None
    source: str | None = None  # the listing it rests on: "UN: 1971 Schedule II (since 2023)"
    since: str | None = None
    category: str = ""
    applies: bool = True  # False: shown beside the status, without deciding it


@dataclass(frozen=True)
class JurisdictionVerdict:
    code: str
    status: Status
    evidence: tuple[Evidence, ...]
    derived: tuple[Derived, ...] = ()
    flagged: bool = False


@dataclass(frozen=True)
class Verdict:
    query: str
    resolution: Resolution
    status: Status
    jurisdictions: tuple[JurisdictionVerdict, ...]
    related: tuple[StructureMatch, ...]  # structure relations that did not apply, with reasons
    data_version: str
    as_of: date | None
    generic: tuple[RuleMatch, ...] = ()  # generic definitions that cover the structure
    rules_failed: tuple[RuleMatch, ...] = ()  # definitions whose core is present, not matched
    rules_version: str | None = None
    analogue: AnalogueFinding | None = None  # similarity evidence, for structures on no list
    scope: tuple[str, ...] = ()  # the jurisdictions the headline speaks for
    flagged: bool = False  # on the flagged lists (a precursor only of a flagged category)
    notes: tuple[str, ...] = ()  # what the verdict rests on beyond the resolution (a drawing)


class Listing(NamedTuple):
    """A listing of a substance the query is (or whose listings reach it), on the date asked."""

    entry: ListEntry
    match: StructureMatch
    state: State


def _candidates(resolution: Resolution, reference: Reference) -> list[StructureMatch]:
    """The reference substances the query is, or whose listings reach it."""
    if resolution.keys is not None:
        matches = structure_matches(resolution.keys, reference)
        if resolution.substance_id and all(
            m.substance_id != resolution.substance_id for m in matches
        ):
            matches.insert(
                0,
                StructureMatch(resolution.substance_id, "identical", True, "same parent structure"),
            )
        return matches
    if resolution.substance_id:
        return [
            StructureMatch(
                resolution.substance_id, "identical", True, "named substance (no structure known)"
            )
        ]
    return []


def rule_matches(
    resolution: Resolution,
    rules: RuleBook | None,
    jurisdictions: tuple[str, ...],
    as_of: date | None,
) -> list[RuleMatch]:
    """Generic definitions evaluated on the query's parent structure (none without one)."""
    if rules is None or resolution.keys is None:
        return []
    keys = resolution.keys
    return rules.evaluate_smiles(keys.smiles, jurisdictions, as_of, skeleton=keys.connectivity)


AnalogueSource = Callable[[], AnalogueIndex] | None
"""Gives the similarity index when a verdict needs it (None: no similarity assessment)."""


def exempt_medicines(
    matches: list[RuleMatch], resolution: Resolution, law: LawBook
) -> list[RuleMatch]:
    """Rules of laws that exempt medicinal products do not cover a licensed medicine (a curated
    look-alike of that category, or a medicine of the law book)."""
    if resolution.keys is None or not any(
        m.matched and m.rule.law.exempts_medicines for m in matches
    ):
        return matches
    lookalike = lookalike_of(resolution.keys)
    if lookalike is not None and lookalike.category == "licensed medicine":
        medicine = lookalike.name
    elif (medicine := law.licensed_medicine(resolution.keys.inchikey)) is None:
        return matches
    return [
        replace(
            m,
            matched=False,
            failure=f"{medicine} is a licensed medicine: {m.rule.law.exempts_medicines}",
        )
        if m.matched and m.rule.law.exempts_medicines
        else m
        for m in matches
    ]


# --- the law applied to one substance -------------------------------------------------------------


def _since_text(entry: ListEntry) -> str:
    if entry.since:
        return f" since {entry.since_display}"
    if entry.evidence:
        return f" (start date unknown; in force by {entry.evidence})"
    return " (undated)"


def _source_text(listings: Sequence[Listing]) -> str:
    """ "UN: 1961 Schedule I; 1961 Schedule IV (since 1961)" for the listings a rule rests on."""
    codes = dict.fromkeys(x.entry.jurisdiction for x in listings)
    parts = dict.fromkeys(f"{x.entry.list}{_since_text(x.entry)}" for x in listings)
    return f"{'/'.join(codes)}: {'; '.join(parts)}"


def _latest(listing: Listing) -> date | None:
    e = listing.entry
    return latest_start(e.since, e.since_precision, e.evidence)


class Facts:
    """Every listing that reaches the query, in every jurisdiction, with its state on the date."""

    def __init__(
        self,
        applying: Iterable[StructureMatch],
        reference: Reference,
        as_of: date | None,
        reaching: Mapping[StructureMatch, Sequence[ListEntry]] | None = None,
        law: LawBook | None = None,
    ) -> None:
        """``reaching``: for a match whose listings reach the query only in part (a positional
        isomer: the listings that include their entry's positional isomers), those listings.
        ``law``: its ``listing_acts`` bound the start of a listing whose day is unknown."""
        self.by_code: dict[str, list[Listing]] = {}
        today = date.today()
        reaching = reaching or {}
        acts = law.listing_acts if law is not None and law.listing_acts.sources else None
        for m in applying:
            entries = reaching.get(m, reference.listings.get(m.substance_id, ()))
            isomer = m.relation == "positional_isomer" and law is not None
            for e in entries:
                # a listing reaches positional isomers from its rule's start, not its own
                rule = law.positional_rule(e) if isomer else None  # type: ignore[union-attr]
                state = rule.state(e, as_of, today) if rule else e.state(as_of, today)
                if state is State.UNKNOWN and acts is not None and as_of is not None:
                    first = acts.not_before(e)
                    state = State.NOT_YET if first is not None and as_of < first else state
                self.by_code.setdefault(e.jurisdiction, []).append(Listing(e, m, state))
        self.as_of, self.today = as_of, today
        self._asked: dict[tuple, list[Listing]] = {}  # the law asks the same questions often
        self.memo: dict[tuple, object] = {}  # and derives the same things for many jurisdictions

    def of(
        self, code: str, kinds: frozenset[str] | None = None, states: tuple[State, ...] = LIVE
    ) -> list[Listing]:
        if code not in self.by_code:
            return []
        key = (code, kinds, states)
        if key not in self._asked:
            self._asked[key] = [
                x
                for x in self.by_code[code]
                if (kinds is None or x.entry.kind in kinds) and x.state in states
            ]
        return self._asked[key]

    def has(self, code: str, kinds: frozenset[str]) -> bool:
        """Whether ``code`` lists the substance in ``kinds`` at all (any state, any date)."""
        return code in self.by_code and bool(self.of(code, kinds, ANY))

    def live(self, code: str, kinds: frozenset[str]) -> bool:
        """Whether ``code`` lists it in ``kinds`` in force (or of unknown start) on the date."""
        return code in self.by_code and bool(self.of(code, kinds))


def _status_of(listings: Iterable[Listing]) -> Status:
    """The status a jurisdiction's own listings in force give."""
    kinds = {x.entry.kind for x in listings if x.state is State.IN_FORCE}
    if kinds & CONTROLLING_KINDS:
        return Status.CONTROLLED
    if kinds & PRECURSOR_KINDS:
        return Status.PRECURSOR
    return Status.NOT_LISTED


class Source(NamedTuple):
    """What a derivation reads in its source jurisdiction, the same for every jurisdiction."""

    status: Status
    text: str  # "UN: 1971 Schedule II since 2023"
    since: str | None
    category: str


def _source(rule: Derivation, facts: Facts, law: LawBook) -> Source | None:
    """The source listings of a derivation in force (or of unknown start) on the date."""
    key = ("source", rule.id)
    if key not in facts.memo:
        sources = facts.of(rule.source, rule.kinds)
        found = None
        if sources:
            known = [x for x in sources if x.state is State.IN_FORCE]
            categories = [x.entry.category for x in known or sources]
            found = Source(
                Status(rule.status) if known else Status.UNKNOWN,
                _source_text(known or sources),
                min((x.entry.since for x in known if x.entry.since), default=None),
                next(
                    (c for c in categories if law.flags(rule.source, c)),
                    categories[0] if categories else "",
                ),
            )
        facts.memo[key] = found
    return facts.memo[key]


def _national(
    code: str, own: Sequence[Listing], law: LawBook, as_of: date | None
) -> tuple[bool, str]:
    """Whether a not_listed_nationally obligation applies given the national data, in words.

    A national listing that starts after the date shows national law did not list it yet; a
    removal alone proves nothing against a standing obligation (a move to a list not loaded).
    """
    # not yet: from its start, or (its day unknown) not before the act that listed it
    later = [x.entry.since or x.entry.act_date or "" for x in own if x.state is State.NOT_YET]
    if later and all(x.state in (State.NOT_YET, State.ENDED) for x in own):
        return False, law.national["later"].format(code=code, since=min(later))
    unknown = [x for x in own if x.state is State.UNKNOWN]
    if unknown and all(x.entry.removal_pending(as_of) for x in unknown):
        return True, law.national["removal_unknown"].format(code=code)
    if unknown:
        return True, law.national["start_unknown"].format(code=code)
    return True, law.national["missing"].format(code=code)


@lru_cache(maxsize=4096)
def _derived_text(template: str, source: str, code: str) -> str:
    """A derivation's words for one jurisdiction (sources repeat: "UN: 1971 Schedule I ...")."""
    return template.format(source=source, code=code)


def _derived(
    codes: Sequence[str], facts: Facts, law: LawBook, day: date
) -> dict[str, list[Derived]]:
    """The statuses the rules of law derive for each of ``codes`` from other jurisdictions'
    listings; each rule's source is read once, then applied where the rule applies."""
    out: dict[str, list[Derived]] = {code: [] for code in codes}
    for rule in law.derivations:
        if rule.source not in facts.by_code or not rule.in_force(day):
            continue
        source = _source(rule, facts, law)
        if source is None:
            continue
        for code in rule.applies_in:
            if code not in out:
                continue
            text, applies = _derived_text(rule.text, source.text, code), True
            if rule.when == "not_listed_nationally":
                own = facts.of(code, CONTROLLING_KINDS, ANY)
                if any(x.state is State.IN_FORCE for x in own):
                    continue  # the national listing in force controls it already
                applies, national = _national(code, own, law, facts.as_of)
                text = f"{text}; {national}"
            out[code].append(
                Derived(
                    rule.id,
                    source.status,
                    text,
                    rule.basis,
                    rule.act,
                    source.text,
                    source.since,
                    source.category,
                    applies,
                )
            )
    return out


def _excluded(match: RuleMatch, facts: Facts, law: LawBook) -> str | None:
    """The provision that takes the substance out of this generic rule, if any."""
    for rule in law.exclusions:
        if rule.covers_rule_file(match.rule.law.path) and facts.of(rule.listed_in, rule.kinds):
            return f"excluded ({rule.id}): {rule.basis}"
    return None


def _removal_unknown(listing: Listing, law: LawBook) -> Derived:
    e = listing.entry
    return Derived(
        "removal-unknown",
        Status.UNKNOWN,
        law.removal_text(e),
        law.removal_unknown.basis,
        e.until_act or e.act or None,
        _source_text([listing]),
    )


def _start_unknown(listings: Sequence[Listing], law: LawBook) -> Derived:
    e = listings[0].entry
    evidence = _latest(listings[0])
    return Derived(
        "start-unknown",
        Status.UNKNOWN,
        law.start_unknown.text.format(
            list=f"{e.jurisdiction}: {e.list}",
            evidence=evidence.isoformat() if evidence else "no date",
        ),
        law.start_unknown.basis,
        e.act or None,
        _source_text(listings),
    )


def _generic_unknown(matches: Sequence[RuleMatch], law: LawBook) -> Derived:
    rule_law = matches[0].rule.law
    return Derived(
        "generic-start-unknown",
        Status.UNKNOWN,
        f"{', '.join(m.rule.id for m in matches)}: {rule_law.name}, start date unknown: in force "
        f"by {rule_law.evidence_from} (earliest evidence), not before {rule_law.effective_from}",
        law.start_unknown.basis,
        rule_law.citation,
    )


def _precedence(code: str, law: LawBook) -> Derived | None:
    rule = law.first_of(code)
    if rule is None:
        return None
    return Derived(
        "precedence",
        Status.PRECURSOR if rule.first == "precursor" else Status.GENERIC,
        f"a scheduled precursor that a generic group also describes: the {rule.first} "
        f"{'listing' if rule.first == 'precursor' else 'group'} decides in {code}",
        rule.basis,
    )


def _reaching_notes(own: Sequence[Listing], law: LawBook, status: Status) -> list[Derived]:
    """The rule of law by which listings of another substance reach the query (a positional
    isomer of a listed hallucinogen, a preparation of a listed drug), with its act and basis."""
    notes = []
    isomers = [x for x in own if x.match.relation == "positional_isomer"]
    for rule in law.positional:
        mine = [x for x in isomers if rule.covers(x.entry)]
        if mine:
            names = ", ".join(dict.fromkeys(x.entry.name_in_list for x in mine))
            first = mine[0].entry
            start = rule.start_text(first)
            text = rule.text.format(entry=names, list=first.list, act=first.act, start=start)
            # the day the text names: the rule's start for it, or the listing's own if later
            own_start = latest_start(first.since, first.since_precision, first.evidence)
            since = max((d for d in (rule.reaches_from(first), own_start) if d), default=None)
            notes.append(
                Derived(
                    rule.id,
                    status,
                    text,
                    rule.basis,
                    f"{rule.act}; {first.placed_act}" if first.placed_act else rule.act,
                    first.list,
                    since.isoformat() if since else None,
                )
            )
    made_of = [x for x in own if x.match.relation == "preparation"]
    if made_of and law.preparations is not None:
        first = made_of[0]
        notes.append(
            Derived(
                "preparation",
                status,
                first.match.reason,
                law.preparations.basis,
                law.preparations.act,
                first.entry.list,
            )
        )
    return notes


def _listing_act_notes(code: str, facts: Facts, law: LawBook, status: Status) -> list[Derived]:
    """The act a listing of ``code`` is not in force before (law.toml [listing_acts]), where the
    date asked falls before the listing is known in force: the verdict rests on that act (``not
    listed`` before it; ``unknown`` from it to the listing's earliest evidence)."""
    acts = law.listing_acts
    if facts.as_of is None or code not in facts.by_code or not acts.sources:
        return []
    notes = []
    for x in facts.of(code, None, (State.NOT_YET, State.UNKNOWN)):
        first = acts.not_before(x.entry)
        if first is None or x.entry.removal_pending(facts.as_of, facts.today):
            continue
        before = x.state is State.NOT_YET
        text = (acts.text_before if before else acts.text_after).format(
            list=f"{x.entry.jurisdiction}: {x.entry.list}",
            act=x.entry.act,
            date=first.isoformat(),
            evidence=x.entry.evidence or "a date not in the sources",
        )
        mine = Status.NOT_LISTED if before else Status.UNKNOWN
        notes.append(
            Derived(
                "listing-act",
                mine,
                text,
                acts.basis,
                x.entry.act,
                _source_text([x]),
                first.isoformat(),
                applies=mine is status,
            )
        )
    return notes


def preparation_of(
    resolution: Resolution, reference: Reference, law: LawBook
) -> StructureMatch | None:
    """The drug a preparation named without a structure is made of (law.toml [preparations]):
    the one other reference substance its name, without the preparation words, names; the
    compiler stores it (``made_of`` of the substances table), so a query looks nothing up."""
    record = reference.substances.get(resolution.substance_id or "")
    if record is None or not record.made_of or law.preparations is None:
        return None
    base = reference.substances.get(record.made_of)
    if base is None:
        return None
    reason = law.preparations.text.format(base=base.name)
    return StructureMatch(base.substance_id, "preparation", True, reason)


def _drawn_skeleton(
    resolution: Resolution, reference: Reference
) -> tuple[SubstanceRecord, SubstanceRecord, list[StructureMatch]] | None:
    """For a substance the reference knows by its InChIKey only, a drawn substance of the same
    skeleton (one without stereo first) and how each drawn substance of that skeleton relates
    to it (:func:`skeleton_matches`); None when none is drawn."""
    record = reference.substances.get(resolution.substance_id or "")
    if record is None or not record.inchikey_only or not record.connectivity:
        return None
    drawings = [
        reference.substances[sid]
        for sid in sorted(reference.by_connectivity.get(record.connectivity, ()))
        if drawing_of(reference.substances[sid], record.inchikey)  # type: ignore[arg-type]
    ]
    if not drawings:
        return None
    drawing = min(drawings, key=lambda r: r.has_stereo)
    related = skeleton_matches(
        record.inchikey,  # type: ignore[arg-type]
        record.has_stereo,
        record.connectivity,
        reference,
    )
    return record, drawing, related


def _skeleton_note(name: str, drawn: str, related: Sequence[StructureMatch]) -> str:
    """What a verdict on a substance known by its InChIKey only rests on."""
    covered = [m for m in related if m.covered]
    reach = (
        f"; the listings of {len(covered)} drawn entr{'y' if len(covered) == 1 else 'ies'} of "
        "that skeleton reach it by the stereo rule"
        if covered
        else ""
    )
    return (
        f"{name} is known by its InChIKey only: generic definitions, positional isomers and "
        f"similarity are judged on the drawing of {drawn}, which has the same skeleton (stereo "
        f"aside){reach}"
    )


def _material(resolution: Resolution, reference: Reference) -> str:
    """``plant``, ``preparation`` or ``group`` where the query is such an entry, else ""."""
    record = reference.substances.get(resolution.substance_id or "")
    return record.material if record else ""


def _structure_unknown(
    code: str, rules: RuleBook, law: LawBook, as_of: date | None
) -> Derived | None:
    """`unknown` where ``code`` has generic definitions on the date that a substance without a
    known structure could not be checked against."""
    laws = dict.fromkeys(
        x.name
        for x in rules.laws
        if x.jurisdiction == code
        and x.state(as_of) in (State.IN_FORCE, State.UNKNOWN)
        and x.path not in law.narrow_rule_files
    )
    if not laws:
        return None
    texts = law.structure_unknown
    return Derived(
        "structure-unknown",
        Status.UNKNOWN,
        texts.text.format(code=code, laws="; ".join(laws)),
        texts.basis,
    )


def _drug_signal(facts: Facts, law: LawBook) -> bool:
    """Whether some listing of the substance is a sign that it is a drug of the kind generic
    definitions describe (:meth:`LawBook.signals_a_drug`), worked out once per verdict."""
    if "drug-signal" not in facts.memo:
        facts.memo["drug-signal"] = any(
            law.signals_a_drug(x.entry) for listings in facts.by_code.values() for x in listings
        )
    return bool(facts.memo["drug-signal"])


class Gaps:
    """What each jurisdiction's loaded lists can vouch for (per class of kinds), worked out once."""

    def __init__(self, reference: Reference, codes: Iterable[str]) -> None:
        self.by_code: dict[tuple[str, frozenset[str]], Coverage | None] = {
            (code, kinds): coverage(reference.lists, code, kinds)
            for code in codes
            for kinds in (CONTROLLING_KINDS, PRECURSOR_KINDS)
        }
        self.loaded = frozenset(code for (code, _), cover in self.by_code.items() if cover)
        self.get = self.by_code.get  # the verdict asks thousands of times
        # the gap notes of a substance on no list and under no rule, per code, day and texts
        self.unlisted: BoundedCache[tuple, Derived | None] = BoundedCache(1024)


def _gap(
    code: str,
    facts: Facts,
    law: LawBook,
    gaps: Gaps,
    day: date,
    generic: Sequence[RuleMatch],
) -> Derived | None:
    """`unknown` where ``code``'s loaded data ends before ``day`` and a listing may be missing.

    The national data decides where it knows the substance (a listing added after the date, or
    removed before it); else a gap matters only when a peer (or, for UN and EU, a state bound to
    implement them) shows the substance under control at a time the gap may hide. A state bound
    by UN or EU whose complete list lacks the substance shows no decision reached it before that
    list's date.
    """
    notes = []
    for kinds in (CONTROLLING_KINDS, PRECURSOR_KINDS):
        cover = gaps.get((code, kinds))
        if cover is None or cover.covers(day) or facts.has(code, kinds):
            continue
        sources = law.signal_sources(code)
        start, event = cover.complete_to, None
        if any(facts.live(s, kinds) for s in sources) or (kinds is CONTROLLING_KINDS and generic):
            if kinds is CONTROLLING_KINDS:
                for bound in law.bound(code):
                    witness = gaps.get((bound, kinds))
                    if witness and witness.complete_to and not facts.has(bound, kinds):
                        start = max(start or witness.complete_to, witness.complete_to)
            event = _event(sources, kinds, facts, generic, start)
        phrase = (
            cover.phrase
            if start == cover.complete_to
            else f"{cover.phrase}, and states bound by it are complete to {start}"
        )
        if event:
            return Derived(
                "data-gap",
                Status.UNKNOWN,
                law.gaps.text.format(code=code, coverage=phrase, event=event),
                law.gaps.basis,
            )
        notes.append(_no_gap(code, phrase, law.gaps))
    return notes[0] if notes else None


@lru_cache(maxsize=256)
def _no_gap(code: str, phrase: str, texts: Texts) -> Derived:
    """The note of a jurisdiction whose data ends, where nothing suggests a later listing."""
    return Derived(
        "data-gap",
        Status.NOT_LISTED,
        texts.text_other.format(code=code, coverage=phrase),
        texts.basis,
        applies=False,
    )


def _event(
    sources: Iterable[str],
    kinds: frozenset[str],
    facts: Facts,
    generic: Sequence[RuleMatch],
    start: date | None,
) -> str | None:
    """A listing (or generic rule) in ``sources`` that may have begun after ``start``, in words."""
    for source in sources:
        for x in facts.of(source, kinds):
            latest = _latest(x)
            if start is None or latest is None or latest > start:
                return f"it is listed in {source} ({x.entry.list}{_since_text(x.entry)})"
        if kinds is CONTROLLING_KINDS:
            for m in generic:
                law = m.rule.law
                if law.jurisdiction == source and (
                    start is None or date.fromisoformat(law.effective_from) > start
                ):
                    return f"it falls under {m.rule.id} in {source} (since {law.effective_from})"
    return None


def _flagged(
    status: Status, code: str, own: Sequence[Listing], derived: Sequence[Derived], law: LawBook
) -> bool:
    """Whether a jurisdiction's status belongs on the flagged lists (precursors by category)."""
    if status is not Status.PRECURSOR:
        return status in FLAGGED
    own = [x for x in own if x.state is State.IN_FORCE]
    categories = [(code, x.entry.category) for x in own if x.entry.kind in PRECURSOR_KINDS]
    categories += [
        (d.source.split(":")[0] if d.source else code, d.category)
        for d in derived
        if d.applies and d.status is Status.PRECURSOR and d.rule_id != "precedence"
    ]
    return any(law.flags(where, category) for where, category in categories)


def _judge(
    code: str,
    listed: Status,
    facts: Facts,
    law: LawBook,
    derived: list[Derived],
    generic: Sequence[RuleMatch],
    unknown_generic: Sequence[RuleMatch],
) -> tuple[Status, list[Derived]]:
    """The status of one jurisdiction from its listings (``listed``: what those in force give),
    derived statuses and generic rules."""
    own = facts.of(code)
    if not (own or derived or generic or unknown_generic):
        return listed, []
    applying = [d for d in derived if d.applies]
    found = {listed} | {d.status for d in applying}
    if generic:
        found.add(Status.GENERIC)
    unknown_own = [x for x in own if x.state is State.UNKNOWN and x.entry.kind != "monitored"]
    notes = list(derived)
    removed = [x for x in unknown_own if x.entry.removal_pending(facts.as_of, facts.today)]
    unknown_start = [x for x in unknown_own if x not in removed]
    notes += [_removal_unknown(x, law) for x in removed]
    if unknown_start:
        notes.append(_start_unknown(unknown_start, law))
    if unknown_own:
        found.add(Status.UNKNOWN)
    if unknown_generic:
        notes.append(_generic_unknown(unknown_generic, law))
        found.add(Status.UNKNOWN)
    status = min(found, key=_SEVERITY.__getitem__)
    if status is Status.GENERIC and Status.PRECURSOR in found:
        rule = _precedence(code, law)
        if rule is not None:
            notes.append(rule)
            status = rule.status
    return status, notes


def evaluate(
    resolution: Resolution,
    reference: Reference,
    jurisdictions: tuple[str, ...] = JURISDICTIONS,
    as_of: date | None = None,
    rules: RuleBook | None = None,
    analogues: AnalogueSource = None,
    scope: Sequence[str] | None = None,
    law: LawBook | None = None,
) -> Verdict:
    """The verdict on one resolved query.

    ``scope`` is what the headline speaks for (None: ``jurisdictions``). ``rules`` adds the
    generic definitions; ``analogues`` (gives the index of the structures controlled on
    ``as_of`` in ``jurisdictions``, built only when a verdict needs it: most queries are listed
    substances) the similarity assessment of structures that nothing else covers. A structure
    with isotope labels is judged as its structure without them (a labelled form is a form of
    the substance: :mod:`exact`): the rules and the similarity see the unlabelled structure,
    so a deuterated standard is never an "analogue" of its own substance's neighbours.
    """
    law = law or law_module.load()
    scope = tuple(code for code in (scope or jurisdictions) if code in jurisdictions)
    if product := products.product_of(resolution, reference):  # contents vary: no one verdict
        resolution = products.answer(
            resolution,
            product,
            reference,
            lambda r: evaluate(r, reference, jurisdictions, as_of, rules, None, scope, law),
        )
    if not resolution.resolved:
        return Verdict(
            resolution.query,
            resolution,
            Status.UNRESOLVED,
            (),
            (),
            reference.version,
            as_of,
            scope=scope,
            flagged=True,
        )
    day = as_of or date.today()
    candidates = _candidates(resolution, reference)
    if resolution.keys is None and (made_of := preparation_of(resolution, reference, law)):
        candidates.append(made_of)
    judged = _unlabelled(resolution)
    if resolution.keys is None and (drawn := _drawn_skeleton(resolution, reference)):
        # known by its InChIKey only: judged on a drawing of its skeleton, and said so
        record, drawing, related = drawn
        candidates += related
        judged = replace(resolution, keys=drawing.keys)
        rests_on = (_skeleton_note(record.name, drawing.name, related),)
    else:
        rests_on = ()
    applying = [m for m in candidates if m.covered]
    reaching = positional_isomers(judged.keys, reference, law, day, applying) if judged.keys else {}
    applying += reaching
    facts = Facts(applying, reference, as_of, reaching, law)
    derived = (
        _derived(jurisdictions, facts, law, day)
        if law.sources & facts.by_code.keys()
        else dict.fromkeys(jurisdictions, ())
    )
    listed = {  # most substances are listed in a few jurisdictions only
        code: _status_of(facts.of(code)) if code in facts.by_code else Status.NOT_LISTED
        for code in jurisdictions
    }
    # a generic definition matters where no listing controls the substance already
    open_codes = tuple(
        code
        for code in jurisdictions
        if listed[code] is not Status.CONTROLLED
        and not any(d.applies and d.status is Status.CONTROLLED for d in derived[code])
    )
    evaluated = (
        exempt_medicines(rule_matches(judged, rules, open_codes, as_of), judged, law)
        if open_codes
        else []
    )
    evaluated = [
        replace(m, matched=False, failure=why)
        if m.matched and (why := _excluded(m, facts, law))
        else m
        for m in evaluated
    ]
    generic = tuple(m for m in evaluated if m.matched)
    in_force: dict[str, list[RuleMatch]] = {}
    unknown: dict[str, list[RuleMatch]] = {}
    for m in generic:
        state = m.rule.law.state(as_of)
        group = in_force if state is State.IN_FORCE else unknown
        group.setdefault(m.rule.law.jurisdiction, []).append(m)
    gaps = _gaps(reference, law)
    per_code = []
    for code in jurisdictions:
        status, notes = _judge(
            code,
            listed[code],
            facts,
            law,
            derived[code],
            in_force.get(code, ()),
            unknown.get(code, ()),
        )
        has_lists = code in gaps.loaded and law.has_lists(code)
        if (
            status is Status.NOT_LISTED
            and has_lists
            and judged.keys is None
            and facts.by_code  # listed somewhere: a substance whose structure is not known
            and not _material(resolution, reference)  # plants, preparations: no structure to check
            and rules is not None
            and (unseen := _structure_unknown(code, rules, law, as_of))
        ):
            # a drug of the kind generic definitions describe: unknown; else a note beside
            if _drug_signal(facts, law):
                notes.append(unseen)
                status = unseen.status
            else:
                entries = [x.entry for listings in facts.by_code.values() for x in listings]
                quiet = unseen.text + law.quiet_note(entries)
                notes.append(unseen._replace(text=quiet, applies=False))
        if status is Status.NOT_LISTED and has_lists:
            find = partial(_gap, code, facts, law, gaps, day, generic)
            # on no list and under no rule (most medicines): the same for every such substance
            unlisted = not (facts.by_code or generic)
            gap = gaps.unlisted.get_or_make((code, day, law.gaps), find) if unlisted else find()
            if gap is not None:
                notes.append(gap)
                status = gap.status if gap.applies else status
        if status is Status.NOT_LISTED and not has_lists:
            continue  # no lists loaded there: silence, not a "not listed" we cannot know
        own = facts.of(code)
        notes.extend(_reaching_notes(own, law, status))
        notes.extend(_listing_act_notes(code, facts, law, status))
        per_code.append(
            JurisdictionVerdict(
                code,
                status,
                tuple(
                    Evidence(
                        x.entry,
                        x.match.substance_id,
                        # a name-only query is its entry by name; a preparation says so
                        "name"
                        if resolution.keys is None and x.match.relation == "identical"
                        else x.match.relation,
                        x.match.reason,
                        x.state,
                    )
                    for x in own
                ),
                tuple(notes),
                _flagged(status, code, own, notes, law),
            )
        )
    head, flagged = headline(((j.code, j.status, j.flagged) for j in per_code), scope)
    related = tuple(m for m in candidates if not m.covered)
    analogue = None
    # the similarity flag is for structures on no list and under no rule, anywhere evaluated
    if (
        head in UNLISTED
        and analogues
        and judged.keys is not None
        and all(
            on_no_list(
                j.status, (d.rule_id for d in j.derived if d.applies and d.status == UNKNOWN)
            )
            for j in per_code
        )
    ):
        analogue = analogues().assess(judged.keys)
        medicine = law.licensed_medicine(judged.keys.inchikey)  # a known medicine, not an NPS
        if analogue_in(analogue, law.reach(scope)) and medicine is None:
            head, flagged = Status.ANALOGUE, True
    return Verdict(
        resolution.query,
        resolution,
        head,
        tuple(per_code),
        related,
        reference.version,
        as_of,
        generic,
        tuple(m for m in evaluated if not m.matched),
        rules.version if rules is not None else None,
        analogue,
        scope,
        flagged,
        rests_on,
    )


def _unlabelled(resolution: Resolution) -> Resolution:
    """The resolution with its structure's isotope labels taken off (itself when it has none)."""
    keys = resolution.keys
    if keys is None or not keys.labelled:
        return resolution
    return replace(resolution, keys=unlabelled(keys))


_GAPS: WeakKeyDictionary[Reference, Gaps] = WeakKeyDictionary()
_POSITIONAL: WeakKeyDictionary[Reference, dict[str, list[tuple[str, ListEntry]]]] = (
    WeakKeyDictionary()
)
_SIGNATURES: BoundedCache[str, tuple | None] = BoundedCache(4096)


def _signature(smiles: str) -> tuple | None:
    def make() -> tuple | None:
        mol = Chem.MolFromSmiles(smiles)
        return None if mol is None else positional_signature(mol)

    return _SIGNATURES.get_or_make(smiles, make)


def _positional_index(reference: Reference) -> dict[str, list[tuple[str, ListEntry]]]:
    """Per molecular formula, the listings of drawn substances, with their substances (worked
    out once per reference; which of them include positional isomers is the rules' to say)."""
    if reference not in _POSITIONAL:
        index: dict[str, list[tuple[str, ListEntry]]] = {}
        for sid, entries in reference.listings.items():
            record = reference.substances.get(sid)
            if record is None or not record.smiles or not record.formula:
                continue
            index.setdefault(record.formula, []).extend((sid, entry) for entry in entries)
        _POSITIONAL[reference] = index
    return _POSITIONAL[reference]


def positional_isomers(
    keys: StructureKeys,
    reference: Reference,
    law: LawBook,
    day: date,
    own: Iterable[StructureMatch] = (),
) -> dict[StructureMatch, list[ListEntry]]:
    """The listed substances the query is a positional isomer of, under a law whose listings
    include them (``[[positional_isomers]]`` of law.toml), with those listings.

    Only listed structures of the query's molecular formula are compared (a dictionary look-up
    for most queries); the query's own skeleton (itself, its stereoisomers) is left to the
    exact matches. A query scheduled in the rule's jurisdiction itself (``own``: its exact
    matches), on any list, is judged by that listing with its own dates: 1308.11 reaches
    isomers "unless listed in another schedule".
    """
    today = date.today()
    listed = [
        e
        for m in own
        for e in reference.listings.get(m.substance_id, ())
        if e.state(day, today) in LIVE
    ]
    rules = [
        rule
        for rule in law.positional
        if rule.in_force(day) and not any(rule.scheduled(e) for e in listed)
    ]
    if not rules:
        return {}
    candidates = _positional_index(reference).get(keys.formula)
    if not candidates:
        return {}
    mine = _signature(keys.smiles)
    found: dict[str, list[ListEntry]] = {}
    for sid, entry in candidates:
        record = reference.substances[sid]
        if record.connectivity == keys.connectivity or record.labelled:
            continue
        if not any(rule.covers(entry) for rule in rules):
            continue
        if mine is not None and _signature(record.smiles) == mine:  # type: ignore[arg-type]
            found.setdefault(sid, []).append(entry)
    out = {}
    for sid, listed_entries in found.items():
        rule = next(r for r in rules if r.covers(listed_entries[0]))
        # a listing reaches positional isomers only from its rule's start for it (a temporary
        # order reaches none: the placement that made it permanent is that start)
        entries = [e for e in listed_entries if rule.state(e, day, today) is not State.NOT_YET]
        if not entries:
            continue
        entry = entries[0]
        reason = rule.text.format(
            entry=entry.name_in_list, list=entry.list, act=entry.act, start=rule.start_text(entry)
        )
        match = StructureMatch(sid, "positional_isomer", True, reason)
        out[match] = entries
    return out


def _gaps(reference: Reference, law: LawBook) -> Gaps:
    """The coverage of every jurisdiction of ``reference`` (worked out once per reference)."""
    if reference not in _GAPS:
        _GAPS[reference] = Gaps(reference, law.jurisdictions)
    return _GAPS[reference]


# --- the headline --------------------------------------------------------------------------------


def headline(
    statuses: Iterable[tuple[str, str, bool]], scope: Collection[str]
) -> tuple[Status, bool]:
    """The headline status of per-jurisdiction (code, status, flagged), and whether it is flagged.

    >>> headline([("CN", "controlled", True), ("BE", "not_listed", False)], ("BE", "NL"))
    (<Status.NOT_LISTED: 'not_listed'>, False)
    >>> headline([("EU", "precursor", False), ("UN", "not_listed", False)], ("EU", "UN"))
    (<Status.PRECURSOR: 'precursor'>, False)
    """
    mine = [(status, flagged) for code, status, flagged in statuses if code in scope]
    if not mine:
        return Status.NOT_LISTED, False
    head = Status(min((status for status, _ in mine), key=_SEVERITY.__getitem__))
    if head is Status.PRECURSOR:
        return head, any(flagged for status, flagged in mine if status == head)
    return head, head in FLAGGED


def analogue_in(finding: AnalogueFinding | dict | None, reach: Collection[str]) -> bool:
    """Whether a similarity finding (or a ``check --json`` object) makes an analogue for
    ``reach``: the nearest structure controlled in one of these jurisdictions is at or above the
    threshold (a look-alike never is). The JSON's ``analogues`` hold the nearest of every
    jurisdiction (:attr:`AnalogueFinding.compared`)."""
    if finding is None:
        return False
    if not isinstance(finding, dict):
        return finding.analogue_in(reach)
    neighbours = [(n["similarity"], n["lists"]) for n in finding.get("analogues", ())]
    assessed = finding.get("analogue")
    if not assessed or assessed["lookalike"] or assessed["threshold"] is None:
        return False
    return any(
        similarity >= assessed["threshold"] and any(item.split(":")[0] in reach for item in lists)
        for similarity, lists in neighbours
    )


def rehead(verdict: dict, scope: Sequence[str], law: LawBook | None = None) -> dict:
    """A stored ``check --json`` object with its headline recomputed for another scope.

    The per-jurisdiction statuses stay; ``status``, ``flagged`` and ``headline_scope`` follow
    ``scope``. ``analogue`` holds where the stored similarity assessment shows a neighbour at or
    above the threshold controlled in the new scope; a structure on no list that was not
    assessed cannot become one without a new check, and ``notes`` says so.
    """
    out = dict(verdict)
    if verdict["status"] == Status.UNRESOLVED:
        out["headline_scope"] = list(scope)
        return out
    law = law or law_module.load()
    head, flagged = headline(
        ((j["code"], j["status"], j["flagged"]) for j in verdict["jurisdictions"]), scope
    )
    unlisted = all(
        on_no_list(
            j["status"],
            (d["rule_id"] for d in j.get("derived", ()) if d["applies"] and d["status"] == UNKNOWN),
        )
        for j in verdict["jurisdictions"]
    )
    if head in UNLISTED and unlisted:
        if verdict.get("analogue") is None and (verdict.get("resolved") or {}).get("smiles"):
            out["notes"] = [
                *verdict.get("notes", ()),
                "similarity not assessed for this scope: check again to assess it",
            ]
        elif analogue_in(verdict, law.reach(scope)) and not law.licensed_medicine(
            (verdict.get("resolved") or {}).get("inchikey")
        ):
            head, flagged = Status.ANALOGUE, True
    out.update(status=head, flagged=flagged, headline_scope=list(scope))
    return out


def at_home(verdict: dict, scope: Sequence[str] | None, law: LawBook | None = None) -> dict:
    """A stored ``check --json`` object as seen from ``scope`` (None: as stored): itself when
    its headline speaks for ``scope`` already, else :func:`rehead`."""
    if scope is None or verdict.get("headline_scope") == list(scope):
        return verdict
    return rehead(verdict, scope, law)


# --- the JSON object ------------------------------------------------------------------------------


def _entry_dict(e: Evidence) -> dict:
    entry = e.entry
    return {
        "list": entry.list,
        "name": entry.name_in_list,
        "since": entry.since_display,
        "until": entry.until,
        "kind": entry.kind,
        "category": entry.category or None,
        "act": entry.act or None,
        "act_date": entry.act_date or None,
        "in_force_from": entry.since_display or entry.evidence,
        "start_known": bool(entry.since),
        "state": str(e.state),
        "note": entry.note or None,
        "match": e.match,
        "substance_id": e.substance_id,
        "source": f"{entry.source}:{entry.source_row}",
    }


def _derived_dict(d: Derived) -> dict:
    return {
        "rule_id": d.rule_id,
        "status": d.status,
        "applies": d.applies,
        "text": d.text,
        "basis": d.basis,
        "act": d.act,
        "source": d.source,
        "since": d.since,
        "category": d.category or None,
    }


def verdict_to_dict(verdict: Verdict, reference: Reference) -> dict:
    """The JSON object of one query. Field names are a public contract: keep them stable."""
    r = verdict.resolution
    resolved = None
    if r.resolved:
        record = reference.substances.get(r.substance_id) if r.substance_id else None
        resolved = {
            "name": record.name if record else (r.matched_name or r.query.strip()),
            "substance_id": r.substance_id,
            "smiles": r.keys.smiles if r.keys else None,
            "inchikey": r.keys.inchikey if r.keys else None,
            "via": r.via,
            "confidence": r.confidence,
            "uncertain": r.uncertain,
            "matched_name": r.matched_name,
            "form": list(r.form),
            "stereo": r.stereo or None,
            "alternatives": [
                {"substance_id": a, "name": reference.substances[a].name} for a in r.alternatives
            ],
        }
    return {
        "query": verdict.query,
        "resolved": resolved,
        "status": verdict.status,
        "headline_scope": list(verdict.scope),
        "flagged": verdict.flagged,
        "jurisdictions": [
            {
                "code": j.code,
                "status": j.status,
                "flagged": j.flagged,
                "entries": [_entry_dict(e) for e in j.evidence],
                "derived": [_derived_dict(d) for d in j.derived],
            }
            for j in verdict.jurisdictions
        ],
        "related": [
            {
                "substance_id": m.substance_id,
                "name": reference.substances[m.substance_id].name,
                "relation": m.relation,
                "applies": False,
                "reason": m.reason,
            }
            for m in verdict.related
        ],
        "generic": [
            {
                "rule_id": m.rule.id,
                "jurisdiction": m.rule.law.jurisdiction,
                "citation": f"{m.rule.law.citation}; {m.rule.clause}",
                "since": m.rule.law.effective_from,
                "state": str(m.rule.law.state(verdict.as_of)),
                "provisional": m.rule.law.provisional,
                "matched_atoms": list(m.atoms),
            }
            for m in verdict.generic
        ],
        "rules_not_matched": [
            {"rule_id": m.rule.id, "jurisdiction": m.rule.law.jurisdiction, "failure": m.failure}
            for m in verdict.rules_failed
        ],
        "analogue": None
        if verdict.analogue is None
        else {
            "is_analogue": verdict.analogue.is_analogue,
            "class": verdict.analogue.structure_class,
            "threshold": verdict.analogue.threshold,
            "lookalike": verdict.analogue.lookalike,
            "reason": verdict.analogue.reason,
        },
        "analogues": []
        if verdict.analogue is None
        else [
            {
                "name": n.name,
                "substance_id": n.substance_id,
                "smiles": n.smiles,
                "similarity": n.similarity,
                "fingerprint": verdict.analogue.fingerprint,
                "by_fingerprint": dict(n.by_fingerprint),
                "via": n.via or None,
                "lists": list(n.lists),
                "difference": n.difference if rank == 0 or verdict.analogue.is_analogue else None,
            }
            for rank, n in enumerate(verdict.analogue.compared)
        ],
        "notes": [*r.notes, *verdict.notes],
        "error": r.error,
        "as_of": verdict.as_of.isoformat() if verdict.as_of else None,
        "data_version": verdict.data_version,
        "rules_version": verdict.rules_version,
        "tool_version": __version__,
    }


def listed_on(verdict: dict) -> tuple[str, ...]:
    """What makes a `check --json` verdict, per jurisdiction: ("NL: Opiumwet List I", ...).

    The headline scope first. Lists for controlled and precursor jurisdictions (or the rule that
    derives their status), rule ids for generic ones, the reason for unknown ones.
    """
    rules: dict[str, list[str]] = {}
    for g in verdict.get("generic", ()):
        rules.setdefault(g["jurisdiction"], []).append(g["rule_id"])
    scope = verdict.get("headline_scope") or ()
    out = []
    for j in sorted(verdict["jurisdictions"], key=lambda j: j["code"] not in scope):
        status = j["status"]
        live = [e for e in j["entries"] if e.get("state", "in_force") == "in_force"]
        derived = [d for d in j.get("derived", ()) if d["applies"] and d["status"] == status]
        if status in ("controlled", "precursor"):
            own = sorted({e["list"] for e in live if e["kind"] != "monitored"})
            via = [d["rule_id"] for d in derived]
            out.append(f"{j['code']}: " + "; ".join(own or via))
        elif status == "generic":
            out.append(f"{j['code']}: generic " + "; ".join(rules.get(j["code"], [])))
        elif status == "unknown":
            out.append(f"{j['code']}: unknown ({derived[0]['text'] if derived else 'see verdict'})")
    return tuple(out)
