"""US Federal Register scheduling notices 2020-2026: every kind of notice, each substance it
names as a row of its own.

A notice is classified by its title and summary (:func:`notice_kind`): a final or interim
final rule placing substances, a temporary scheduling order and its extension, a specific
listing of a substance already controlled, a removal, or a notice that controls nothing (a
notice of intent, a proposed rule, a correction, a hearing, an international scheduling
request). Only the first kinds carry listings; the others are kept as rows without one, so that
the audit can say what was read and why it was not applied.

Dates: a notice rarely states its effective date. A specific listing says since when the
substance has been controlled ("since March 7, 2014"): that is its ``since``. An extension says
when the order it extends was made ("In an order dated July 26, 2023"). Otherwise the
publication date is the only date known: it is kept as evidence (the notice shows the substance
controlled on that day), never as ``since``, and the note says so.

Substances are named in the title ("Placement of 5F-ADB, 5F-AMB ... in Schedule I"), with their
chemical names in the summary ("methyl 2-(...)butanoate [5F-ADB; 5F-MDMB-PINACA]"). A final
rule whose summary names none ("Placement of 10 Specific Fentanyl-Related Substances") takes
them from the earlier notice with the same title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from subsmatch.compile.read.dates import english_dates
from subsmatch.compile.read.text import cas_numbers, csv_rows, name_and_aliases
from subsmatch.compile.records import Listing, Name, Row

SOURCE = "us_federal_register"
FILE = "federal_register_scheduling_notices_2020_2026.csv"

APPLIED = ("placement", "temporary", "extension", "specific_listing", "removal")
_SCHEDULE = r"(?:Schedule|List) (?P<schedule>IV|V|I{1,3})\b"
_TITLE_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("international", re.compile(r"^International Drug Scheduling")),
    ("hearing", re.compile(r"Announcement of Hearing")),
    ("exemption", re.compile(r"Exempted Prescription Products")),
    ("correction", re.compile(r";\s*Correction\s*$")),
    ("withdrawal", re.compile(r"Withdrawal of Proposed Rule")),
    (
        "specific_listing",
        re.compile(
            rf"Specific Listing for (?P<names>.+?),? a Currently Controlled {_SCHEDULE}", re.I
        ),
    ),
    (
        "specific_listing",  # "Specific Listing for Three Currently Controlled Schedule I ..."
        re.compile(rf"Specific Listing for (?P<names>\w+) Currently Controlled {_SCHEDULE}", re.I),
    ),
    (
        "extension",
        re.compile(
            rf"Extension of Temporary Placement of (?P<names>.+?) in(?:to)? {_SCHEDULE}", re.I
        ),
    ),
    (
        "temporary",
        re.compile(rf"Temporary Placement of (?P<names>.+?) in(?:to)? {_SCHEDULE}", re.I),
    ),
    ("placement", re.compile(rf"Placement of (?P<names>.+?) (?:in|into) ?{_SCHEDULE}", re.I)),
    ("removal", re.compile(r"Removal of (?P<names>.+?) From Control", re.I)),
)
_INTENT = re.compile(
    r"notice of intent|notification of intent|\bproposes\b|\bproposed rule\b|If finalized", re.I
)
_COUNTED = re.compile(r"^(?:\d+|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten)(?: Specific|$)", re.I)


@dataclass(frozen=True)
class NoticeKind:
    kind: str  # placement | temporary | extension | specific_listing | removal | intent | ...
    schedule: str | None
    names: tuple[str, ...]  # substance names in the title (empty when it gives a count)


def notice_kind(title: str, summary: str) -> NoticeKind:
    """What a notice does, read from its title and the opening of its summary.

    >>> notice_kind("Schedules of Controlled Substances: Placement of Lasmiditan in Schedule V",
    ...     "DEA is hereby issuing an interim final rule placing lasmiditan")
    NoticeKind(kind='placement', schedule='V', names=('Lasmiditan',))
    >>> notice_kind("Placement of 4,4′-DMAR in Schedule I", "DEA proposes placing 4,4'-DMAR").kind
    'intent'
    >>> notice_kind("Temporary Placement of Bromazolam in Schedule I",
    ...     "is issuing this notification of intent to publish a temporary order").kind
    'intent'
    >>> notice_kind(
    ...     "Specific Listing for Eutylone, a Currently Controlled Schedule I Substance", "")
    NoticeKind(kind='specific_listing', schedule='I', names=('Eutylone',))
    >>> notice_kind("Specific Listing for 1-boc-4-AP, a Currently Controlled List I Chemical", "")
    NoticeKind(kind='specific_listing', schedule='I', names=('1-boc-4-AP',))
    >>> notice_kind("Placement of Brorphine in Schedule I; Correction", "").kind
    'correction'
    """
    for kind, pattern in _TITLE_KINDS:
        if not (match := pattern.search(title)):
            continue
        groups = match.groupdict()
        names = groups.get("names") or ""
        if kind in ("placement", "temporary", "removal") and _INTENT.search(summary[:600]):
            kind = "intent"
        titled = () if not names or _COUNTED.match(names) else split_title_names(names)
        return NoticeKind(kind, groups.get("schedule"), titled)
    return NoticeKind("other", None, ())


def split_title_names(text: str) -> tuple[str, ...]:
    """Substance names in a notice title.

    >>> split_title_names("5F-ADB, N,N-Dimethylamino Etonitazene, and FUB-144")
    ('5F-ADB', 'N,N-Dimethylamino Etonitazene', 'FUB-144')
    >>> split_title_names("Butonitazene, Flunitazene, and Metodesnitazene Substances")
    ('Butonitazene', 'Flunitazene', 'Metodesnitazene')
    """
    text = re.sub(r"\s+Substances?$", "", text.strip())
    parts = re.split(r",\s+(?:and\s+)?|\s+and\s+(?![^(]*\))", text)
    return tuple(p.strip() for p in parts if p.strip())


def clean_summary(text: str) -> str:
    """The summary with the line-break hyphens and bracketed Greek letters of the FR text
    undone: "N-(1- phenethylpiperidin-4-yl)" -> "N-(1-phenethylpiperidin-4-yl)".

    >>> clean_summary("N-(1- phenethyl)-4-piperidin- 4-yl [alpha]-methyl [\\\\18\\\\F]FP-CIT")
    'N-(1-phenethyl)-4-piperidin-4-yl alpha-methyl [18F]FP-CIT'
    """
    text = re.sub(r"\[(alpha|beta|gamma|omega|delta)\]", r"\1", text)
    text = re.sub(r"\[\\(\d+)\\([A-Z][a-z]?)\]", r"[\1\2]", text)
    return re.sub(r"(?<=[\w)\]'])- (?=[\w(\[])", "-", text)


_LABEL = re.compile(
    r"^(?:trivial names?|other names?|chemical names?|commonly known as|also known as|"
    r"Chemical name)\s*:?\s*",
    re.I,
)
_SEPARATOR = re.compile(
    r";\s+(?:and\s+)?|,\s+(?:and\s+)?|\s+and\s+|\bplac(?:es|ing)\s+|\bschedule\s+|\bstatus of\s+"
    r"|\bremoves\s+|:\s+|\s+for\s+"
)
_CAS_LABEL = re.compile(r"^(?:and\s+)?CAS Number:\s*", re.I)
_CHEMICAL = re.compile(r"\d")  # a name worth keeping from prose holds a locant or a code number


def _plausible(name: str) -> bool:
    """A name, not prose: few words, or a chemical name (with a locant)."""
    if re.match(r"^(?:controlled|commonly|also|the|and|DEA|I{1,3}|IV|V)\b", name):
        return False
    return len(name.split()) <= 4 or (bool(_CHEMICAL.search(name)) and len(name.split()) <= 6)


@dataclass(frozen=True)
class Mention:
    names: tuple[str, ...]  # the name before the bracket, then the names inside it


def mentions(summary: str) -> list[Mention]:
    """Each "name (other names)" or "chemical name [codes]" pair in a summary.

    >>> [m.names for m in mentions("places methyl 2-(1-(5-fluoropentyl)-1H-indazole-3-carboxamido)"
    ...     "-3-methylbutanoate [5F-AMB]; and N-(adamantan-1-yl)-1-(5-fluoropentyl)-1H-indazole-"
    ...     "3-carboxamide [5F-APINACA, 5F-AKB48], including")]
    [('methyl 2-(1-(5-fluoropentyl)-1H-indazole-3-carboxamido)-3-methylbutanoate', '5F-AMB'), \
('N-(adamantan-1-yl)-1-(5-fluoropentyl)-1H-indazole-3-carboxamide', '5F-APINACA', '5F-AKB48')]
    """
    text = clean_summary(summary)
    found: list[Mention] = []
    depth, start, segment_start = 0, 0, 0
    for i, char in enumerate(text):
        if char in "([":
            if depth == 0:
                start = i
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
            if depth == 0 and (
                i + 1 == len(text) or (not text[i + 1].isalnum() and text[i + 1] not in "-(")
            ):
                head = text[segment_start:start]
                if start > 0 and text[start - 1].isspace() and (pieces := _SEPARATOR.split(head)):
                    inner = _LABEL.sub("", text[start + 1 : i].strip())
                    others = [
                        o.strip() for o in re.split(r";\s*|,\s+|\s+or\s+", inner) if o.strip()
                    ]
                    names = [n for n in (pieces[-1].strip(), *others) if _plausible(n)]
                    if (
                        len(names) >= 2
                        and not inner.startswith("controlled")
                        and any(map(_CHEMICAL.search, names))
                    ):
                        found.append(Mention(tuple(names)))
                segment_start = i + 1
    return found


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def notice_mentions(titled: tuple[str, ...], summary: str) -> list[Mention]:
    """The substances of a notice: each title name with the summary's names for it; with no
    title names, every mention in the summary."""
    found = mentions(summary)
    if not titled:
        return found
    out = []
    for title_name in titled:
        aliases = {_key(n) for n in name_and_aliases(title_name)}
        match = next((m for m in found if aliases & {_key(n) for n in m.names}), None)
        names = name_and_aliases(title_name) + [
            n for n in (match.names if match else ()) if _key(n) not in aliases
        ]
        out.append(Mention(tuple(names)))
    return out


def _kind(schedule: str) -> str:
    return "narcotic" if schedule in ("I", "II") else "psychotropic"


def notice_listing(kind: NoticeKind, row: dict[str, str], summary: str) -> Listing:
    """The listing one notice makes (or ends) for each substance it names."""
    published, document = row["published"], row["document"]
    act = f"Federal Register {document} ({published})"
    chemical = "Chemical" in row["title"] and kind.kind == "specific_listing"
    list_name = (
        f"US List {kind.schedule} chemicals" if chemical else f"CSA Schedule {kind.schedule}"
    )
    base = Listing(
        "US",
        list_name,
        "precursor" if chemical else _kind(kind.schedule or ""),
        kind.schedule if chemical else "",
        act=act,
        act_date=published,
    )
    publication = "publication date (the notice does not state its effective date)"
    if kind.kind == "removal":
        was = re.search(r"(?:was|is currently) a schedule (IV|V|I{1,3}) controlled", summary, re.I)
        return base.dated(
            list=f"CSA Schedule {was[1].upper()}" if was else "CSA Schedule ?",
            kind=_kind(was[1].upper()) if was else "narcotic",
            change="remove",
            until=published,
            until_kind="removed",  # removed from the schedules: decontrolled
            until_act=act,
            note=f"removed; until = {publication}",
        )
    dates = english_dates(summary)
    if kind.kind == "specific_listing":
        since = re.search(r"since ([A-Z][a-z]+ \d{1,2}, \d{4})", summary)
        if since is None and len(kind.names) == 1:  # "a positional isomer of X (controlled <date>)"
            since = re.search(
                r"isomer of [^()]+\(controlled (?:as an? \w+ )?([A-Z][a-z]+ \d{1,2}, \d{4})\)",
                summary,
            )
        if since:
            return base.dated(
                since=english_dates(since[1])[0],
                note=f"specific listing of {published}; controlled since",
            )
        return base.dated(evidence=published, note=f"specific listing; evidence: {publication}")
    if kind.kind == "extension":
        ordered = re.search(r"order dated ([A-Z][a-z]+ \d{1,2}, \d{4})", summary)
        evidence = english_dates(ordered[1])[0] if ordered else published
        through = [d for d in dates if d > published]
        note = "temporary scheduling order extended" + (
            f" (was in effect through {through[0]})" if through else ""
        )
        return base.dated(evidence=min(evidence, published), note=note)
    note = "temporary scheduling order" if kind.kind == "temporary" else "placement"
    return base.dated(evidence=published, note=f"{note}; evidence: {publication}")


def read(folder: Path) -> Iterator[Row]:
    earlier: dict[str, list[Mention]] = {}  # title -> substances named by an earlier notice
    for line, row in csv_rows(folder / FILE):
        title, summary = row["title"], clean_summary(row["summary"])
        kind = notice_kind(title, summary)
        found = notice_mentions(kind.names, summary)
        title_key = re.sub(r"^Schedules of Controlled Substances:\s*", "", title)
        if found:
            earlier.setdefault(title_key, found)
        elif kind.kind in APPLIED:
            found = earlier.get(title_key, [])
        ref = f"{row['document']} ({row['published']}): {kind.kind}"
        if kind.kind not in APPLIED:
            names = [Name(n, "other", "en") for m in found for n in m.names[:1]]
            yield Row(SOURCE, line, names, note=f"not applied: {ref} — {title}")
            continue
        if not found:
            yield Row(
                SOURCE,
                line,
                [],
                note=f"not placed: {ref} names no substance the summary identifies — {title}",
            )
            continue
        listing = notice_listing(kind, row, summary)
        for mention in found:
            cas = [c for n in mention.names if _CAS_LABEL.match(n) for c in cas_numbers(n)]
            names = [Name(n, "other", "en") for n in mention.names if not _CAS_LABEL.match(n)]
            yield Row(SOURCE, line, names, cas=cas, listings=[listing], note=ref)
