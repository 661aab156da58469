"""The law's own semantics, as data: how listings become a status in a jurisdiction.

``reference/curated/law.toml`` states each rule once with its legal basis: which bodies bind which
jurisdictions (the UN its Parties, the EU its Member States), the statuses derived from that (an EU
"drug" is a substance of the 1961 and 1971 Conventions; the EU precursor Regulations apply in every
Member State), which generic rules a listing takes a substance out of (NpSG § 1 Abs. 2), whether a
precursor listing or a generic group decides a status, and which precursor categories are flagged.
:mod:`subsmatch.matchers.verdict` applies them.

This module also holds the date rule of a listing (it is law semantics too): a listing with a start
date is in force from it; one without is in force from its earliest evidence and ``unknown`` before;
a year- or month-precise start is ``unknown`` within its year or month. A removal works the same way
at the other end: ``ended`` from its day, ``unknown`` within its year or month when the sources give
no day, and ``unknown`` for good when the line was repealed and the sources do not say where the
substance went (``until_kind`` "destination_unknown": an act that re-arranges the annexes).

>>> un_3mmc = ("2023-01-01", "year", None, None)  # UN 1971 Schedule II, scheduled in 2023
>>> [str(listing_state(*un_3mmc, date(y, 6, 1))) for y in (2014, 2023, 2024)]
['not_yet', 'unknown', 'in_force']
>>> lu_entry = (None, "", "2023-08-06", None)  # no start date; earliest evidence 2023-08-06
>>> [str(listing_state(*lu_entry, d)) for d in (date(2020, 1, 1), None)]
['unknown', 'in_force']
>>> be_ivb = ("2021-12-27", "day", None, "2026-01-01")  # line repealed in 2026, day not given
>>> [str(listing_state(*be_ivb, date(y, 6, 1), None, "year", "destination_unknown"))
...  for y in (2025, 2026, 2027)]
['in_force', 'unknown', 'unknown']
>>> [str(listing_state(*be_ivb, date(y, 6, 1), None, "year", "removed")) for y in (2026, 2027)]
['unknown', 'ended']
"""

from __future__ import annotations

import calendar
import fnmatch
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal, Protocol

from subsmatch.errors import UserError
from subsmatch.substances.names import name_key

LAW_TOML = Path(__file__).parent / "curated" / "law.toml"

CONTROLLING_KINDS = frozenset({"narcotic", "psychotropic", "NPS"})
"""Listing kinds that control a substance (a precursor is scheduled; monitored is neither)."""

PRECURSOR_KINDS = frozenset({"precursor"})


class LawFileError(UserError, ValueError):
    """The law semantics file cannot be read; the message names the file and the key."""


# --- the date rule of a listing -----------------------------------------------------------------


class State(StrEnum):
    """Where a listing stands on a date."""

    IN_FORCE = "in_force"
    UNKNOWN = "unknown"  # it may be in force: its start date is not known that precisely
    NOT_YET = "not_yet"  # it starts after the date
    ENDED = "ended"  # it was removed before the date


def _last_day(day: date, precision: str) -> date:
    """The last day of the year or month a date of that precision names."""
    if precision == "year":
        return date(day.year, 12, 31)
    if precision == "month":
        return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def start_window(since: str, precision: str) -> tuple[date, date]:
    """The first day a change (a listing's start, a removal) may have taken effect and the first
    day it surely had.

    >>> start_window("2021-10-01", "month")
    (datetime.date(2021, 10, 1), datetime.date(2021, 10, 31))
    """
    day = date.fromisoformat(since)
    if precision == "year":
        return date(day.year, 1, 1), _last_day(day, precision)
    if precision == "month":
        return date(day.year, day.month, 1), _last_day(day, precision)
    return day, day


DESTINATION_UNKNOWN = "destination_unknown"
"""The ``until_kind`` of a line repealed where the sources do not say whether the substance left
control or moved to another list (see ``compile.records.UNTIL_KINDS``)."""


def _started(
    since: str | None, precision: str, evidence: str | None, on: date | None, day: date
) -> State:
    if since:
        first, surely = start_window(since, precision)
        if day < first:
            return State.NOT_YET
        return State.IN_FORCE if day >= surely else State.UNKNOWN
    if evidence:
        return State.IN_FORCE if day >= date.fromisoformat(evidence) else State.UNKNOWN
    return State.IN_FORCE if on is None else State.UNKNOWN


def removal_pending(until: str | None, until_precision: str, until_kind: str, day: date) -> bool:
    """Whether a removal makes the state of a listing ``unknown`` on ``day``: within the year or
    month of a removal whose day the sources do not give, or at any time after a repeal whose
    destination they do not give.

    >>> removal_pending("2026-01-01", "year", "removed", date(2026, 3, 1))
    True
    >>> removal_pending("2026-01-01", "year", "removed", date(2027, 3, 1))
    False
    >>> removal_pending("2024-04-16", "day", "destination_unknown", date(2025, 1, 1))
    True
    """
    if not until:
        return False
    first, surely = start_window(until, until_precision)
    return first <= day and (day < surely or until_kind == DESTINATION_UNKNOWN)


def listing_state(
    since: str | None,
    precision: str,
    evidence: str | None,
    until: str | None,
    on: date | None,
    today: date | None = None,
    until_precision: str = "day",
    until_kind: str = "",
) -> State:
    """Where a listing stands on ``on`` (None: now, as the loaded data stands; ``today`` saves
    asking the clock for each of many listings)."""
    day = on or today or date.today()
    started = _started(since, precision, evidence, on, day)
    if not until or started is State.NOT_YET or day < start_window(until, until_precision)[0]:
        return started
    if removal_pending(until, until_precision, until_kind, day):
        return State.UNKNOWN
    return State.ENDED


class Timed(Protocol):
    """The dates of a listing (``reference.lists.ListEntry``) that :func:`listing_state` reads."""

    since: str | None
    since_precision: str
    evidence: str | None
    until: str | None
    until_precision: str
    until_kind: str


class Removed(Timed, Protocol):
    """What :meth:`LawBook.removal_text` reads of a listing (``reference.lists.ListEntry``)."""

    jurisdiction: str
    list: str
    until_act: str


def dated_text(day: str, precision: str) -> str:
    """A date as precisely as it is known, saying so when the day is not.

    >>> dated_text("2026-01-01", "year"), dated_text("2024-04-16", "day")
    ('2026, the day not in the sources', '2024-04-16')
    """
    if precision == "year":
        return f"{day[:4]}, the day not in the sources"
    if precision == "month":
        return f"{day[:7]}, the day not in the sources"
    return day


def latest_start(since: str | None, precision: str, evidence: str | None) -> date | None:
    """The latest day a listing can have started (None: no source says anything about time)."""
    if since:
        return start_window(since, precision)[1]
    return date.fromisoformat(evidence) if evidence else None


# --- what the loaded lists of a jurisdiction can vouch for ----------------------------------------


class ListFacts(Protocol):
    """What :func:`coverage` reads of a loaded list (``reference.lists.ListInfo``)."""

    jurisdiction: str
    kind: str
    complete_to: str | None


@dataclass(frozen=True)
class Coverage:
    """How far the loaded lists of one jurisdiction (of one class of kinds) are complete.

    >>> Coverage(date(2015, 10, 2)).covers(date(2016, 1, 1)), Coverage(None).phrase
    (False, 'loaded in part')
    """

    complete_to: date | None  # None: some list is partial, so no date is vouched for

    def covers(self, day: date) -> bool:
        return self.complete_to is not None and day <= self.complete_to

    @property
    def phrase(self) -> str:
        if self.complete_to is None:
            return "loaded in part"
        return f"loaded complete to {self.complete_to.isoformat()}"


def coverage(
    lists: Iterable[ListFacts], jurisdiction: str, kinds: frozenset[str]
) -> Coverage | None:
    """The coverage of a jurisdiction's lists of ``kinds``; None when none is loaded.

    A list vouches for the dates up to its ``complete_to`` (a complete list as it stood then, or a
    partial one known complete to then); a list without that date vouches for none.
    """
    mine = [i for i in lists if i.jurisdiction == jurisdiction and i.kind in kinds]
    if not mine:
        return None
    if any(not i.complete_to for i in mine):
        return Coverage(None)
    return Coverage(min(date.fromisoformat(i.complete_to) for i in mine))  # type: ignore[arg-type]


# --- the rules of law.toml ------------------------------------------------------------------------


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    bound_by: tuple[str, ...] = ()
    peers: tuple[str, ...] = ()
    lists: bool = True


@dataclass(frozen=True)
class Derivation:
    """A status a jurisdiction takes from another's listings (an EU drug, a treaty obligation)."""

    id: str
    name: str
    applies_in: tuple[str, ...]
    source: str  # the jurisdiction whose listings it reads
    kinds: frozenset[str]
    status: str
    when: Literal["always", "not_listed_nationally"]
    act: str
    basis: str
    text: str
    in_force_from: date | None = None

    def in_force(self, on: date | None) -> bool:
        return self.in_force_from is None or (on or date.today()) >= self.in_force_from


@dataclass(frozen=True)
class Exclusion:
    """A listing that takes a substance out of some generic rules."""

    id: str
    rule_files: tuple[str, ...]
    listed_in: str
    kinds: frozenset[str]
    basis: str

    def covers_rule_file(self, path: str) -> bool:
        return any(fnmatch.fnmatch(path, pattern) for pattern in self.rule_files)


@dataclass(frozen=True)
class PositionalIsomers:
    """A law whose listings include their entries' positional isomers (21 CFR 1300.01(b) for
    the hallucinogens of 21 CFR 1308.11(d)): a structure with the same formula, core and
    functional groups as a listed entry, substituents placed elsewhere, is controlled as it.

    Which listings: those of ``jurisdiction`` on ``lists``, of ``kinds``, whose act names a code
    of the list's own numbering (``code_prefix``, e.g. "DEA drug code ") other than those of the
    paragraphs the definition does not reach (``other_paragraphs``: code -> paragraph)."""

    id: str
    jurisdiction: str
    lists: frozenset[str]
    kinds: frozenset[str]
    code_prefix: str
    other_paragraphs: Mapping[str, str]
    in_force_from: date | None
    act: str
    basis: str
    text: str
    text_placed: str = "{placed} ({act})"

    def scheduled(self, entry: Covered) -> bool:
        """Whether ``entry`` schedules a substance in the rule's jurisdiction, on any list
        (21 CFR 1308.11: "unless specifically excepted or unless listed in another schedule")."""
        return entry.jurisdiction == self.jurisdiction and entry.kind in CONTROLLING_KINDS

    def covers(self, entry: Covered) -> bool:
        """Whether the listing ``entry`` includes its substance's positional isomers: not a
        listing itself derived as an isomer of another entry (the definition is relative to
        "the respective Schedule I hallucinogen")."""
        if entry.jurisdiction != self.jurisdiction or entry.list not in self.lists:
            return False
        if entry.note.startswith(POSITIONAL_ISOMER_NOTE):
            return False
        if entry.kind not in self.kinds or not entry.act.startswith(self.code_prefix):
            return False
        return entry.act[len(self.code_prefix) :].strip() not in self.other_paragraphs

    def in_force(self, on: date | None) -> bool:
        return self.in_force_from is None or (on or date.today()) >= self.in_force_from

    def reaches_from(self, entry: Placed) -> date | None:
        """The first day the listing ``entry`` reaches its substance's positional isomers: the
        definition's own start, or a later permanent placement of the entry (before it the
        listing stood on a temporary scheduling order, 21 CFR 1308.11(h), whose 'isomer' is the
        optical isomer only: 21 CFR 1300.01(b) 'isomer' (1))."""
        if temporary_only(entry):
            return date.max  # the order's isomers are the optical isomers: never positional
        placed = date.fromisoformat(entry.placed) if entry.placed else None
        return max((d for d in (self.in_force_from, placed) if d), default=None)

    def state(self, entry: Placed, on: date | None, today: date | None = None) -> State:
        """Where the listing ``entry`` stands for its positional isomers on ``on``: not yet
        before :meth:`reaches_from`, else where the listing itself stands.

        >>> from types import SimpleNamespace as E
        >>> rule = load().positional[0]
        >>> nehx = E(since=None, since_precision="day", evidence="2021-06-18", until=None,
        ...     until_precision="", until_kind="", placed="2022-06-01")
        >>> listing = lambda d: listing_state(None, "day", "2021-06-18", None, d)
        >>> [str(listing(date(y, 1, 2))) for y in (2021, 2022, 2023)]
        ['unknown', 'in_force', 'in_force']
        >>> [str(rule.state(nehx, date(y, 1, 2))) for y in (2021, 2022, 2023)]
        ['not_yet', 'not_yet', 'in_force']
        """
        first = self.reaches_from(entry)
        if first is not None and (on or today or date.today()) < first:
            return State.NOT_YET
        return listing_state(
            entry.since,
            entry.since_precision,
            entry.evidence,
            entry.until,
            on,
            today,
            entry.until_precision,
            entry.until_kind,
        )

    def start_text(self, entry: Placed) -> str:
        """Since when the listing ``entry`` reaches positional isomers, with the act, in words."""
        if temporary_only(entry):
            return f"never while it stands on a {entry.placed_act} (21 CFR 1308.11(h))"
        if entry.placed:
            return self.text_placed.format(placed=entry.placed, act=entry.placed_act)
        first = self.in_force_from
        if entry.since:
            own = start_window(entry.since, entry.since_precision)[1]
            if first is None or own > first:
                return dated_text(entry.since, entry.since_precision)
        elif entry.evidence and (first is None or date.fromisoformat(entry.evidence) > first):
            return f"{entry.evidence} (earliest evidence of the listing)"
        return f"{first.isoformat()} (the definition)" if first else "a date not in the sources"


TEMPORARY_ONLY = "temporary scheduling order only: "
"""How ``placed_act`` begins for a listing whose sources show a temporary scheduling order (and
its extensions, named after it) and no permanent placement (``compile/dating.py``)."""


def temporary_only(entry: Placed) -> bool:
    """Whether the listing stands on a temporary scheduling order alone (21 CFR 1308.11(h)):
    'isomer' there is the optical isomer (21 CFR 1300.01(b) 'isomer' (1)), so the listing does
    not reach positional isomers until a permanent placement in 1308.11(d).

    >>> from types import SimpleNamespace as E
    >>> temporary_only(E(placed=None, placed_act=TEMPORARY_ONLY + "Federal Register 2023-27243"))
    True
    >>> temporary_only(E(placed="2022-06-01", placed_act="Federal Register 2022-11740"))
    False
    """
    return not entry.placed and entry.placed_act.startswith(TEMPORARY_ONLY)


class Placed(Timed, Protocol):
    """What :meth:`PositionalIsomers.state` reads of a listing (``reference.lists.ListEntry``)."""

    placed: str | None
    placed_act: str


@dataclass(frozen=True)
class ListingActs:
    """Sources whose act date is the day of the act that listed the row: such a listing, its
    in-force day unknown, is not in force before that act (``restating`` acts excepted: they
    re-enacted lists whose rows may be older)."""

    sources: frozenset[str]
    restating: frozenset[str]
    basis: str
    text_before: str = "{list}: listed by {act} ({date}), not in force before that act"
    text_after: str = "{list}: listed by {act} ({date}); in force by {evidence}"

    def not_before(self, entry: Dated) -> date | None:
        """The day before which the listing ``entry`` was surely not in force, if known."""
        if entry.since or not entry.act_date or entry.source not in self.sources:
            return None
        if entry.act in self.restating:
            return None
        return date.fromisoformat(entry.act_date)


_CONNECTORS = frozenset({"of", "de", "van", "der", "des", "du"})  # "tincture of opium"


@dataclass(frozen=True)
class Preparations:
    """A preparation of a listed drug (an extract, a tincture, a powder) named without a structure
    is under the control of the drug it is made of: the drug's name is what is left of its name
    without the preparation words."""

    words: tuple[str, ...]  # longest first
    act: str
    basis: str
    text: str

    def base_name(self, name: str) -> str | None:
        """What ``name`` names the preparation of, or None when no preparation word is in it.

        >>> p = Preparations(("fluid extract", "extract", "tincture", "powdered", "of"), "", "", "")
        >>> p.base_name("Opium fluid extract"), p.base_name("Tincture of opium")
        ('opium', 'opium')
        >>> p.base_name("Opium, powdered"), p.base_name("Opium poppy"), p.base_name("of")
        ('opium', None, None)
        >>> p.base_name("powdered-opium"), p.base_name("Concentrate of poppy straw")
        ('opium', None)
        """
        words = re.sub(r"[,;()-]", " ", name.lower()).split()
        text = f" {' '.join(words)} "
        found = False
        for word in self.words:
            if f" {word} " in text:
                text = text.replace(f" {word} ", " ")
                found = found or word not in _CONNECTORS
        left = " ".join(text.split())
        return left if found and left and left not in self.words else None

    def made_of(
        self, substances: Iterable[Mapping[str, object]], names: Iterable[Mapping[str, object]]
    ) -> dict[str, str]:
        """Per preparation named without a structure (a row of the substances table with a
        ``material`` and no ``smiles``), the one other substance its name, without the
        preparation words, names (by :func:`name_key` of the names table's names); the compiler
        stores it, so that a query looks nothing up. A name naming no substance, or several,
        gives none.

        >>> p = Preparations(("tincture", "of"), "", "", "")
        >>> rows = [{"substance_id": "t", "name": "Tincture of opium", "smiles": None,
        ...     "material": "preparation"}, {"substance_id": "o", "name": "Opium", "smiles": None,
        ...     "material": ""}]
        >>> p.made_of(rows, [{"name": "OPIUM", "substance_id": "o"}])
        {'t': 'o'}
        """
        index: dict[str, set[str]] = {}
        for row in names:
            index.setdefault(name_key(str(row["name"])), set()).add(str(row["substance_id"]))
        out = {}
        for row in substances:
            sid = str(row["substance_id"])
            if row.get("smiles") or not row.get("material"):
                continue
            base = self.base_name(str(row["name"]))
            found = index.get(name_key(base), set()) - {sid} if base is not None else set()
            if len(found) == 1:
                out[sid] = found.pop()
        return out


class Dated(Protocol):
    """What :meth:`ListingActs.not_before` reads of a listing (``reference.lists.ListEntry``)."""

    since: str | None
    act: str
    act_date: str | None
    source: str


class Listed(Protocol):
    """What :meth:`LawBook.signals_a_drug` reads of a listing (``reference.lists.ListEntry``)."""

    jurisdiction: str
    list: str
    kind: str


class Covered(Protocol):
    """What :meth:`PositionalIsomers.covers` reads of a listing (``reference.lists.ListEntry``)."""

    jurisdiction: str
    list: str
    kind: str
    act: str
    note: str


POSITIONAL_ISOMER_NOTE = "controlled as a positional isomer of"
"""How the note of a listing begins that the DEA's list gives as an entry's positional isomer
(``compile/read/dea.py``): a listing of its own, never the entry its isomers are reckoned from."""


@dataclass(frozen=True)
class Precedence:
    """Whether a precursor listing or a generic group decides a jurisdiction's status."""

    jurisdictions: tuple[str, ...]
    first: Literal["precursor", "generic"]
    basis: str


@dataclass(frozen=True)
class Texts:
    """A rule of reading the data (not of law): its basis and the sentences it writes."""

    basis: str
    text: str
    text_other: str = ""


def _texts(raw: Mapping, section: str, where: str, *sentences: str) -> Texts:
    """The ``[section]`` of a reading of the data: its basis and its sentences, in order."""
    table: Mapping = _need(raw, section, where)  # type: ignore[assignment]
    return Texts(*(str(_need(table, key, f"{where} [{section}]")) for key in ("basis", *sentences)))


@dataclass(frozen=True)
class LawBook:
    """The rules of ``law.toml``, indexed for the verdict."""

    version: str
    jurisdictions: Mapping[str, Jurisdiction]
    derivations: tuple[Derivation, ...]
    exclusions: tuple[Exclusion, ...]
    precedence: Mapping[str, Precedence]
    flagged_categories: Mapping[str, frozenset[str]]
    unnamed_flagged: bool
    precursor_basis: str
    gaps: Texts
    start_unknown: Texts
    removal_unknown: Texts  # text: a removal within its year or month; text_other: destination
    structure_unknown: Texts
    national: Mapping[str, str] = field(default_factory=dict)  # missing, start_unknown, later...
    medicines: Mapping[str, str] = field(default_factory=dict)  # InChIKey skeleton -> name
    medicines_basis: str = ""
    positional: tuple[PositionalIsomers, ...] = ()
    narrow_rule_files: frozenset[str] = frozenset()  # [structure_unknown] narrow
    # [[structure_unknown.lists]]: "US: CSA Schedule V" -> (signals a drug?, the reason)
    list_signals: Mapping[str, tuple[bool, str]] = field(default_factory=dict)
    quiet_text: str = ""  # [structure_unknown] quiet_text: why such a note does not decide
    preparations: Preparations | None = None
    listing_acts: ListingActs = field(
        default_factory=lambda: ListingActs(frozenset(), frozenset(), "")
    )
    _bound: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _signals: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _sources: frozenset[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        # frozen: the indexes are worked out once here and read for every verdict
        codes = tuple(self.jurisdictions)
        bound = {
            b: tuple(j.code for j in self.jurisdictions.values() if b in j.bound_by) for b in codes
        }
        object.__setattr__(self, "_bound", bound)
        object.__setattr__(self, "_sources", frozenset(d.source for d in self.derivations))
        object.__setattr__(
            self,
            "_signals",
            {
                c: tuple(
                    dict.fromkeys(
                        (*self.jurisdictions[c].peers, *bound[c], *self.jurisdictions[c].bound_by)
                    )
                )
                for c in codes
            },
        )

    @property
    def quiet_lists(self) -> frozenset[str]:
        """The lists ("US: CSA Schedule V") that are no sign of a drug."""
        return frozenset(name for name, (signals, _) in self.list_signals.items() if not signals)

    def quiet_note(self, entries: Iterable[Listed]) -> str:
        """The words beside a structure-unknown note where only quiet lists know the substance:
        each such list with its reason.

        >>> from types import SimpleNamespace as E
        >>> note = load().quiet_note([E(jurisdiction="US", list="CSA Schedule V")])
        >>> note.startswith("; it is listed only where") and "US: CSA Schedule V (" in note
        True
        """
        named = dict.fromkeys(f"{e.jurisdiction}: {e.list}" for e in entries)
        lists = "; ".join(
            f"{name} ({self.list_signals[name][1]})" for name in named if name in self.quiet_lists
        )
        return self.quiet_text.format(lists=lists or "no list")

    @property
    def sources(self) -> frozenset[str]:
        """The jurisdictions whose listings some rule derives statuses from (UN, EU)."""
        return self._sources

    def bound(self, body: str) -> tuple[str, ...]:
        """The jurisdictions bound by the decisions of ``body`` (UN: Parties; EU: Members)."""
        return self._bound.get(body, ())

    def reach(self, scope: Iterable[str]) -> frozenset[str]:
        """``scope`` and the jurisdictions whose listings control a substance there (UN for the
        EU and its Parties; the EU for its Members).

        >>> sorted(load().reach(["EU"]))
        ['EU', 'UN']
        """
        codes = set(scope)
        return frozenset(
            codes
            | {
                d.source
                for d in self.derivations
                if d.status == "controlled" and codes & set(d.applies_in)
            }
        )

    def signal_sources(self, code: str) -> tuple[str, ...]:
        """Whose listings make a gap in ``code``'s data matter: its peers, who it binds, and who
        binds it (a UN Table I listing makes a Party's precursor list that vouches for no date
        say 'unknown', not 'not listed': the Party may have listed it in data not loaded).

        >>> load().signal_sources("US")
        ('UN',)
        """
        return self._signals.get(code, ())

    def flags(self, jurisdiction: str, category: str) -> bool:
        """Whether a precursor listing of that category puts a verdict on the flagged lists.

        >>> book = load()
        >>> book.flags("EU", "1"), book.flags("EU", "3"), book.flags("UN", "I")
        (True, False, True)
        """
        if not category:
            return self.unnamed_flagged
        return category in self.flagged_categories.get(jurisdiction, frozenset())

    def licensed_medicine(self, inchikey: str | None) -> str | None:
        """The name of the licensed medicine with this structure's skeleton, if it is one.

        >>> load().licensed_medicine("YQEZLKZALYSWHR-ZDUSSCGKSA-N")  # esketamine
        'ketamine'
        """
        return self.medicines.get((inchikey or "")[:14])

    def removal_text(self, entry: Removed) -> str:
        """What is known of a removal that leaves a listing ``unknown``: the list and since when,
        the act that removed it and when, and what the sources do not give.

        >>> from types import SimpleNamespace as E
        >>> print(load().removal_text(E(jurisdiction="BE", list="BE Annex IVb",
        ...     since=None, since_precision="day", evidence="2021-12-27", until="2026-01-01",
        ...     until_precision="year", until_kind="destination_unknown",
        ...     until_act="AR 2026 (numac 2026000055)")))  # doctest: +NORMALIZE_WHITESPACE
        listed in BE: BE Annex IVb from 2021-12-27 (earliest evidence); that line was repealed by
        AR 2026 (numac 2026000055) (2026, the day not in the sources); where the substance went
        (another list, or none) is not in the sources
        """
        start = (
            dated_text(entry.since, entry.since_precision)
            if entry.since
            else f"{entry.evidence} (earliest evidence)"
            if entry.evidence
            else "a date not in the sources"
        )
        template = (
            self.removal_unknown.text_other
            if entry.until_kind == DESTINATION_UNKNOWN
            else self.removal_unknown.text
        )
        return template.format(
            list=f"{entry.jurisdiction}: {entry.list}",
            start=start,
            act=entry.until_act or "an act not named in the sources",
            when=dated_text(entry.until or "", entry.until_precision),
        )

    def signals_a_drug(self, entry: Listed) -> bool:
        """Whether a listing is a sign that a substance whose structure is not known may fall
        under generic definitions ([structure_unknown]): a controlling listing, or the monitoring
        of a new psychoactive substance (the EU's early-warning system), not on a list that
        [[structure_unknown.lists]] calls quiet (medicines with an accepted medical use, anabolic
        steroids, precursors), each with its reason.

        >>> from types import SimpleNamespace as E
        >>> book = load()
        >>> book.signals_a_drug(E(jurisdiction="US", list="CSA Schedule I", kind="narcotic"))
        True
        >>> book.signals_a_drug(E(jurisdiction="US", list="CSA Schedule V", kind="psychotropic"))
        False
        >>> book.signals_a_drug(E(jurisdiction="NL", list="NL precursors", kind="precursor"))
        False
        >>> book.signals_a_drug(E(jurisdiction="EU", list="EU EWS", kind="monitored"))
        True
        """
        return (
            entry.kind in CONTROLLING_KINDS or entry.kind == "monitored"
        ) and f"{entry.jurisdiction}: {entry.list}" not in self.quiet_lists

    def first_of(self, code: str) -> Precedence | None:
        return self.precedence.get(code)

    def positional_rule(self, entry: Covered) -> PositionalIsomers | None:
        """The rule by which the listing ``entry`` includes positional isomers, if any."""
        return next((rule for rule in self.positional if rule.covers(entry)), None)

    def has_lists(self, code: str) -> bool:
        j = self.jurisdictions.get(code)
        return j is not None and j.lists


def _need(raw: Mapping, key: str, where: str) -> object:
    if key not in raw:
        raise LawFileError(f"{where}: missing '{key}'")
    return raw[key]


def _date(value: object, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise LawFileError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _derivation(raw: Mapping, where: str, bound: Mapping[str, tuple[str, ...]]) -> Derivation:
    source = str(_need(raw, "from", where))
    applies = _need(raw, "applies_in", where)
    when = str(_need(raw, "when", where))
    if when not in ("always", "not_listed_nationally"):
        raise LawFileError(f"{where}: 'when' must be 'always' or 'not_listed_nationally'")
    return Derivation(
        id=str(_need(raw, "id", where)),
        name=str(_need(raw, "name", where)),
        applies_in=bound.get(source, ()) if applies == "bound" else tuple(applies),  # type: ignore[arg-type]
        source=source,
        kinds=frozenset(_need(raw, "kinds", where)),  # type: ignore[arg-type]
        status=str(_need(raw, "status", where)),
        when=when,  # type: ignore[arg-type]
        act=str(_need(raw, "act", where)),
        basis=str(_need(raw, "basis", where)),
        text=str(_need(raw, "text", where)),
        in_force_from=_date(raw.get("in_force_from"), where),
    )


def _preparations(raw: Mapping | None, where: str) -> Preparations | None:
    if raw is None:
        return None
    words = sorted((str(w).lower() for w in _need(raw, "words", where)), key=len, reverse=True)  # type: ignore[attr-defined]
    return Preparations(
        tuple(words),
        str(_need(raw, "act", where)),
        str(_need(raw, "basis", where)),
        str(_need(raw, "text", where)),
    )


def _listing_acts(raw: Mapping, where: str) -> ListingActs:
    if not raw:
        return ListingActs(frozenset(), frozenset(), "")
    return ListingActs(
        frozenset(raw.get("sources", ())),
        frozenset(raw.get("restating", ())),
        str(_need(raw, "basis", where)),
        str(_need(raw, "text_before", where)),
        str(_need(raw, "text_after", where)),
    )


def _positional(raw: Mapping, where: str) -> PositionalIsomers:
    other: Mapping = raw.get("other_paragraphs", {})
    return PositionalIsomers(
        id=str(_need(raw, "id", where)),
        jurisdiction=str(_need(raw, "jurisdiction", where)),
        lists=frozenset(_need(raw, "lists", where)),  # type: ignore[arg-type]
        kinds=frozenset(_need(raw, "kinds", where)),  # type: ignore[arg-type]
        code_prefix=str(_need(raw, "code_prefix", where)),
        other_paragraphs={
            str(code): paragraph for paragraph, codes in other.items() for code in codes
        },
        in_force_from=_date(raw.get("in_force_from"), where),
        act=str(_need(raw, "act", where)),
        basis=str(_need(raw, "basis", where)),
        text=str(_need(raw, "text", where)),
        text_placed=str(raw.get("text_placed", "{placed} ({act})")),
    )


def parse(raw: Mapping, where: str = LAW_TOML.name) -> LawBook:
    """The law book of a parsed ``law.toml``."""
    jurisdictions = {
        code: Jurisdiction(
            code,
            str(_need(j, "name", f"{where} [jurisdictions.{code}]")),
            tuple(j.get("bound_by", ())),
            tuple(j.get("peers", ())),
            bool(j.get("lists", True)),
        )
        for code, j in _need(raw, "jurisdictions", where).items()  # type: ignore[attr-defined]
    }
    for j in jurisdictions.values():
        if unknown := set(j.bound_by + j.peers) - set(jurisdictions):
            raise LawFileError(f"{where} [jurisdictions.{j.code}]: unknown codes {sorted(unknown)}")
    bound = {
        body: tuple(j.code for j in jurisdictions.values() if body in j.bound_by)
        for body in jurisdictions
    }
    precedence = {}
    for i, p in enumerate(raw.get("precedence", ())):
        rule = Precedence(
            tuple(_need(p, "jurisdictions", f"{where} precedence {i}")),  # type: ignore[arg-type]
            _need(p, "first", f"{where} precedence {i}"),  # type: ignore[arg-type]
            str(_need(p, "basis", f"{where} precedence {i}")),
        )
        if rule.first not in ("precursor", "generic"):
            raise LawFileError(f"{where} precedence {i}: 'first' must be precursor or generic")
        precedence.update(dict.fromkeys(rule.jurisdictions, rule))
    precursors = _need(raw, "precursors", where)
    medicines = raw.get("medicines", {})
    return LawBook(
        version=str(_need(raw, "version", where)),
        jurisdictions=jurisdictions,
        derivations=tuple(
            _derivation(d, f"{where} derive {d.get('id', i)}", bound)
            for i, d in enumerate(raw.get("derive", ()))
        ),
        exclusions=tuple(
            Exclusion(
                str(_need(x, "id", f"{where} exclude {i}")),
                tuple(_need(x, "rule_files", f"{where} exclude {i}")),  # type: ignore[arg-type]
                str(_need(x, "listed_in", f"{where} exclude {i}")),
                frozenset(_need(x, "kinds", f"{where} exclude {i}")),  # type: ignore[arg-type]
                str(_need(x, "basis", f"{where} exclude {i}")),
            )
            for i, x in enumerate(raw.get("exclude", ()))
        ),
        precedence=precedence,
        flagged_categories={
            code: frozenset(cats)
            for code, cats in _need(precursors, "flagged", f"{where} [precursors]").items()  # type: ignore[attr-defined]
        },
        unnamed_flagged=bool(precursors.get("unnamed_flagged", True)),  # type: ignore[attr-defined]
        precursor_basis=str(_need(precursors, "basis", f"{where} [precursors]")),
        gaps=_texts(raw, "gaps", where, "text_unknown", "text_not_listed"),
        start_unknown=_texts(raw, "start_unknown", where, "text"),
        removal_unknown=_texts(raw, "removal_unknown", where, "text_window", "text_destination"),
        structure_unknown=_texts(raw, "structure_unknown", where, "text"),
        national={
            key: str(_need(_need(raw, "national", where), key, f"{where} [national]"))  # type: ignore[arg-type]
            for key in ("missing", "start_unknown", "removal_unknown", "later")
        },
        medicines={
            str(_need(m, "inchikey", f"{where} [medicines]"))[:14]: str(
                _need(m, "name", f"{where} [medicines]")
            )
            for m in medicines.get("licensed", ())
        },
        medicines_basis=str(medicines.get("basis", "")),
        listing_acts=_listing_acts(raw.get("listing_acts", {}), f"{where} [listing_acts]"),
        preparations=_preparations(raw.get("preparations"), f"{where} [preparations]"),
        narrow_rule_files=frozenset(raw.get("structure_unknown", {}).get("narrow", ())),
        list_signals=_list_signals(
            raw.get("structure_unknown", {}), f"{where} [structure_unknown]"
        ),
        quiet_text=str(raw.get("structure_unknown", {}).get("quiet_text", "")),
        positional=tuple(
            _positional(x, f"{where} positional_isomers {x.get('id', i)}")
            for i, x in enumerate(raw.get("positional_isomers", ()))
        ),
    )


def _list_signals(raw: Mapping, where: str) -> dict[str, tuple[bool, str]]:
    """[[structure_unknown.lists]]: each list named once, with ``signals`` and a ``reason``."""
    out: dict[str, tuple[bool, str]] = {}
    for i, group in enumerate(raw.get("lists", ())):
        here = f"{where} lists {i}"
        signals = _need(group, "signals", here)
        reason = str(_need(group, "reason", here)).strip()
        if not isinstance(signals, bool) or not reason:
            raise LawFileError(f"{here}: 'signals' must be true or false and 'reason' not empty")
        for name in _need(group, "lists", here):  # type: ignore[attr-defined]
            if name in out:
                raise LawFileError(f"{here}: {name!r} is classified twice")
            if ": " not in name:
                raise LawFileError(f"{here}: {name!r} must read 'CODE: list'")
            out[name] = (signals, reason)
    return out


@cache
def load(path: Path = LAW_TOML) -> LawBook:
    """The law book of the shipped ``law.toml`` (read once per process)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise LawFileError(f"{path.name}: not valid TOML: {error}") from None
    return parse(raw, path.name)
