"""Step 4, names: synonyms, street names and vocabulary names on the substances they name.

- Street-name and synonym tables name their substance by a label ("cocaine (base/crack form)",
  "GHB or GBL (sold as GHB)"): the label's names are looked up among the substances' own names;
  a label naming several substances ("X or Y") puts the street name on each (with its region: an
  ambiguous street name stays ambiguous, and says where it is used). A label no substance carries
  is reported, never guessed. Grouping tables (a drug category per name) give no names at all.
- A name given to several substances stays only where it is carried most strongly (a list's own
  name over a synonym table's, an INN over an "other name"); a name two substances carry equally
  is dropped from both and reported.
- A name that leaves open a position its locanted forms fix on different substances
  ("fluoroamphetamine" beside "2-fluoroamphetamine" and "4-fluoroamphetamine") names none,
  unless two sources agree on it.
- A name whose OPSIN reading is another structure than its substance's is kept only where the
  substance is settled by a given structure, an InChIKey or a CAS number, and reported either way.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from subsmatch.compile.identify import LOCANTS, Decision, Reading, read_names
from subsmatch.compile.merge import Dropped, NameEntry, Substance, abbreviation, index_names
from subsmatch.compile.read.text import name_and_aliases
from subsmatch.compile.read.vocabulary import label_heads
from subsmatch.compile.records import Row
from subsmatch.compile.roles import SourceRole
from subsmatch.substances.names import name_key, normalise
from subsmatch.substances.opsin_checks import ESTER_WORDS, ester_or_salt
from subsmatch.substances.stereo import stated_stereo
from subsmatch.substances.variants import english_forms

KIND_RANK = {
    "preferred": 0,
    "inn": 0,
    "code": 1,
    "curated": 1,
    "other": 2,
    "systematic": 2,
    "trade": 3,
    "street": 3,
}
WEAK_ROLES = ("synonyms", "vocabulary", "street")
_ALTERNATIVES = re.compile(r"\s+or\s+|\s*\+\s*")


@dataclass
class NameReport:
    joined: Counter = field(default_factory=Counter)  # source -> label rows joined
    unjoined: dict[str, list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )  # source -> labels
    grouping_rows: Counter = field(default_factory=Counter)
    dropped: list[Dropped] = field(default_factory=list)
    contradicted_kept: list[str] = field(default_factory=list)
    ambiguous_street: list[str] = field(default_factory=list)
    vocabulary_names_trimmed: int = 0


def label_targets(label: str, index: dict[str, set[str]]) -> list[str]:
    """The substances a label names: each alternative of "X or Y", else the first of its names
    (the label, then the aliases in its brackets) that names exactly one substance.

    >>> idx = {"ghb": {"s1"}, "gbl": {"s2"}, "cocaine": {"s3"}}
    >>> label_targets("GHB or GBL (sold as GHB)", idx)
    ['s1', 's2']
    >>> label_targets("cocaine (base/crack form)", idx)
    ['s3']
    >>> label_targets("mixture sold as 'pink cocaine' (ketamine + MDMA)", idx)
    []
    """
    names = name_and_aliases(label)
    if not names:
        return []
    head = names[0]
    parts = _ALTERNATIVES.split(head)
    if len(parts) > 1:
        targets = [_unique(part, index) for part in parts]
        return sorted(t for t in targets if t) if all(targets) else []
    for name in [*names, *label_heads(label)]:
        if target := _unique(name, index):
            return [target]
    return []


def _unique(name: str, index: dict[str, set[str]]) -> str | None:
    ids = index.get(name_key(name), set())
    return next(iter(ids)) if len(ids) == 1 else None


def attach_label_rows(
    rows: list[Row],
    roles: dict[str, SourceRole],
    by_row: dict[int, str],
    substances: dict[str, Substance],
    report: NameReport,
) -> None:
    """Names of street and synonym tables on the substances their labels name."""
    index = index_names(substances)
    structures = {rows[i].label: sid for i, sid in by_row.items() if rows[i].label}
    for i, row in enumerate(rows):
        role = roles[row.source].role
        if role == "grouping":
            report.grouping_rows[row.source] += 1
            continue
        if i in by_row or not row.label or role not in ("synonyms", "street"):
            continue
        targets = label_targets(row.label, index) or (
            [structures[row.label]] if row.label in structures else []
        )
        if not targets:
            report.unjoined[row.source].append(row.label)
            continue
        report.joined[row.source] += 1
        for sid in targets:
            substances[sid].add_names(row.names, row)


def _drop(report: NameReport, entry: NameEntry, sid: str, reason: str) -> None:
    """Report a name kept off a substance, with its source row and why."""
    report.dropped.append(
        Dropped(f"{entry.source}:{entry.row}", f"name '{entry.name.text}'", sid, reason)
    )


def _keep_names(
    substance: Substance, sid: str, reasons: list[str | None], report: NameReport
) -> None:
    """Keep the names of a substance that have no reason to be dropped (``reasons``, aligned
    with its names); report the others."""
    kept = []
    for entry, reason in zip(substance.names, reasons, strict=True):
        if reason is None:
            kept.append(entry)
        else:
            _drop(report, entry, sid, reason)
    substance.names = kept


def name_rank(entry: NameEntry, roles: dict[str, SourceRole]) -> int:
    """How strongly a name belongs to a substance: a list's own name over a synonym table's."""
    return KIND_RANK.get(entry.name.kind, 2) * 2 + (roles[entry.source].role in WEAK_ROLES)


def drawn_stereoisomer(sids: set[str], substances: dict[str, Substance]) -> str | None:
    """The one stereo-drawn substance among ``sids`` when the others are drawings of its
    skeleton without stereo; else None.

    A name a source draws without stereo and another source draws as one stereoisomer names
    that stereoisomer: the flat drawing leaves the stereo open, the other states it, and
    nothing disagrees ('methyldihydromorphine': a US list's flat drawing and the Belgian
    list's natural (-)-form). Two stereo-drawn holders disagree, and the name stays open.
    """
    ordered = sorted(sids)
    keys = [substances[sid].keys for sid in ordered]
    if any(k is None for k in keys) or len({k.connectivity for k in keys}) != 1:
        return None
    drawn = [sid for sid, k in zip(ordered, keys, strict=True) if k.has_stereo]
    return drawn[0] if len(drawn) == 1 else None


def drop_loose_names(
    substances: dict[str, Substance], roles: dict[str, SourceRole], report: NameReport
) -> None:
    """A (non-street) name stays only on the substances that carry it most strongly; between
    equals, on the one more sources name so; otherwise on none. Names that differ only in
    spaces and hyphens (CP 47,497, CP-47,497) are one name here. An abbreviation
    (:func:`abbreviation`) that sources whose names are identity (lists, vocabularies: not a
    synonym table's label) give to different substances names each of them: it stays on all
    of them, so that a lookup answers it ambiguous, never one of them as if certain (MPA:
    methiopropamine in a list, medroxyprogesterone acetate in DrugBank). Between a drawing
    without stereo and one stereoisomer of the same skeleton, the stereoisomer
    (:func:`drawn_stereoisomer`)."""
    strength: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    abbreviated: dict[str, set[str]] = defaultdict(set)  # key -> holders by identity sources
    for sid, substance in substances.items():
        by_key: dict[str, list[NameEntry]] = defaultdict(list)
        for entry in substance.names:
            if entry.name.kind != "street":
                by_key[name_key(entry.name.text)].append(entry)
        for key, entries in by_key.items():
            rank = min(name_rank(e, roles) for e in entries)
            strength[key][sid] = (rank, -len({e.source for e in entries}))
            if any(
                abbreviation(e.name.text) and roles[e.source].names_are_identity for e in entries
            ):
                abbreviated[key].add(sid)
    keep: dict[str, set[str]] = {}
    for key, holders in strength.items():
        best = min(holders.values())
        winners = {sid for sid, s in holders.items() if s == best}
        if len(winners) > 1 and (drawn := drawn_stereoisomer(winners, substances)):
            winners = {drawn}
        keep[key] = winners if len(winners) == 1 or len(holders) == 1 else set()
        if len(abbreviated.get(key, ())) > 1:
            keep[key] = abbreviated[key]
            continue
        if len(holders) > 1 and len(winners) > 1:
            report.dropped.append(
                Dropped(
                    "-",
                    f"name '{key}'",
                    ", ".join(sorted(winners)),
                    "names these substances equally strongly: dropped from all",
                )
            )
    for sid, substance in substances.items():
        kept = []
        for entry in substance.names:
            key = name_key(entry.name.text)
            if entry.name.kind == "street" or sid in keep[key]:
                kept.append(entry)
            elif keep[key]:
                others = ", ".join(sorted(keep[key]))
                _drop(report, entry, sid, f"carried more strongly by {others}")
        substance.names = kept


def open_position(key: str) -> str:
    """A name key with its numeric locants taken out, hyphens aside: the name of a substituted
    substance with its positions left open.

    >>> open_position("4-fluoroamphetamine"), open_position("2-fluoro-phenmetrazine")
    ('fluoroamphetamine', 'fluorophenmetrazine')
    >>> open_position("n-methylamphetamine")
    'nmethylamphetamine'
    """
    return LOCANTS.sub("", key).replace("-", "")


def drop_open_positions(
    substances: dict[str, Substance], roles: dict[str, SourceRole], report: NameReport
) -> None:
    """A name without a locant ("fluoroamphetamine") whose locanted forms name two or more
    substances ("2-fluoroamphetamine", "4-fluoroamphetamine") leaves open the position that
    tells them apart: it names none of them where one source alone gives it to one. Sources
    that agree on it settle its convention, and so does a vocabulary's own name for its entry
    (DrugBank's "Androstenedione")."""
    positioned: dict[str, set[str]] = defaultdict(set)
    for sid, substance in substances.items():
        for entry in substance.names:
            key = normalise(entry.name.text).key
            if LOCANTS.search(key):
                positioned[open_position(key)].add(sid)
    for sid, substance in substances.items():
        sources: dict[str, set[str]] = defaultdict(set)
        settled: set[str] = set()
        for entry in substance.names:
            key = normalise(entry.name.text).key
            sources[key].add(entry.source)
            if entry.name.kind == "preferred" and roles[entry.source].role == "vocabulary":
                settled.add(key)
        reasons: list[str | None] = []
        for entry in substance.names:
            key = normalise(entry.name.text).key
            isomers = positioned.get(open_position(key), set())
            agreed = len(sources[key]) > 1 or key in settled
            placed = any(c.isdigit() for c in key) or len(isomers) < 2 or agreed
            reasons.append(
                None
                if placed
                else "names no position; its locanted forms name " + ", ".join(sorted(isomers))
            )
        _keep_names(substance, sid, reasons, report)


_STEREO_WORD = re.compile(r"^(?:levo|dextro|race)(?=[a-z]{4})")


def stereo_base(text: str) -> str | None:
    """The key of the name a stereo-named name names a stereoisomer of, or None.

    >>> stereo_base("l-methorphan"), stereo_base("Levomethorphan"), stereo_base("(S)-citalopram")
    ('methorphan', 'methorphan', 'citalopram')
    >>> stereo_base("methorphan"), stereo_base("levamisole"), stereo_base("dextran")
    (None, None, None)
    """
    if (stated := stated_stereo(text)) is not None:
        return normalise(stated[1]).key
    key = normalise(text).key
    return key[found.end() :] if (found := _STEREO_WORD.match(key)) else None


def drop_open_stereo(
    substances: dict[str, Substance], roles: dict[str, SourceRole], report: NameReport
) -> None:
    """A synonym without a stereo descriptor ("methorphan", the DoD's name for levomethorphan)
    whose stereo-named forms name two or more substances (levo-, dextro-, racemethorphan)
    leaves open the stereo that tells them apart: a synonym table alone does not give it to
    one stereoisomer (levomethorphan is a controlled drug, dextromethorphan a cough medicine).
    The names of identity and control lists and of an identity vocabulary are theirs to give
    (DrugBank's "Phenylalanine" is L-phenylalanine, as the INN has it)."""
    forms: dict[str, set[str]] = defaultdict(set)
    for sid, substance in substances.items():
        for entry in substance.names:
            if base := stereo_base(entry.name.text):
                forms[base].add(sid)
    for sid, substance in substances.items():
        if substance.keys is None or not substance.keys.has_stereo:
            continue
        reasons: list[str | None] = []
        for entry in substance.names:
            named = forms.get(normalise(entry.name.text).key, set())
            open_stereo = (
                roles[entry.source].role in ("synonyms", "street")
                and len(named) > 1
                and stereo_base(entry.name.text) is None
            )
            reasons.append(
                "names no stereoisomer; its stereo-named forms name " + ", ".join(sorted(named))
                if open_stereo
                else None
            )
        _keep_names(substance, sid, reasons, report)


def check_readings(
    substances: dict[str, Substance],
    rows: list[Row],
    by_row: dict[int, str],
    decisions: dict[int, Decision],
    readings: dict[tuple[str, str], Reading],
    roles: dict[str, SourceRole],
    report: NameReport,
) -> None:
    """Drop a name whose OPSIN reading is another structure, unless a given structure, an InChIKey
    or a CAS number settles its substance; then it is kept and reported, unless it names another
    compound outright (:meth:`Reading.names_another_compound`), whatever the row's other facts
    say."""
    settled: dict[str, bool] = defaultdict(bool)
    for i, sid in by_row.items():
        decision = decisions.get(i)
        settled[sid] |= bool(decision and decision.settled_by_structure_or_cas)
    for sid, substance in substances.items():
        if substance.ident is None:
            continue
        kept = []
        for entry in substance.names:
            language = entry.name.language or roles[entry.source].language
            reading = readings.get((entry.name.text, language))
            if (
                entry.name.kind == "street"
                or reading is None
                or reading.ident.connectivity == substance.ident.connectivity
            ):
                kept.append(entry)
                continue
            what = (
                f"{entry.source}:{entry.row} '{entry.name.text}' on {sid}: "
                f"OPSIN reads {reading.ident.inchikey}"
            )
            if settled[sid] and not reading.names_another_compound(substance.keys):
                kept.append(entry)
                report.contradicted_kept.append(
                    what + " (kept: the substance is settled by a given structure, InChIKey or CAS)"
                )
            elif settled[sid]:
                _drop(
                    report,
                    entry,
                    sid,
                    f"OPSIN reads it, with no feature it is known to misread, as "
                    f"{reading.ident.inchikey} ({reading.ident.keys.formula}): a name of "
                    f"another compound",
                )
            else:
                _drop(report, entry, sid, f"OPSIN reads it as {reading.ident.inchikey}")
        substance.names = kept


def salt_name_bases(
    substances: dict[str, Substance], roles: dict[str, SourceRole]
) -> set[tuple[str, str]]:
    """The (base, language) of every name with salt or ester words on a substance with a
    structure: what :func:`check_salt_names` needs read."""
    return {
        (base, entry.name.language or roles[entry.source].language)
        for substance in substances.values()
        if substance.ident is not None
        for entry in substance.names
        if entry.name.kind != "street" and (base := _salt_base(entry.name.text))
    }


PHYSICAL_FORMS = frozenset(
    {
        "anhydrous",
        "base",
        "crystal",
        "powder",
        "inner salt",
        "hydrate",
        "monohydrate",
        "dihydrate",
        "trihydrate",
        "hemihydrate",
        "sesquihydrate",
    }
)
"""Form words that name no other component: water and physical forms. "Chloral hydrate" (a
covalent hydrate, itself listed) keeps the key "chloral"."""


def _salt_base(text: str) -> str | None:
    """The base a name with salt or ester words is looked up by ("choline salicylate":
    "choline"), None for a name without such words (or with water and physical forms only).

    >>> _salt_base("Choline salicylate"), _salt_base("Chloral hydrate"), _salt_base("cocaine")
    ('choline', None, None)
    """
    name = normalise(text)
    return name.key if set(name.form) - PHYSICAL_FORMS else None


def check_salt_names(
    substances: dict[str, Substance],
    readings: dict[tuple[str, str], Reading],
    roles: dict[str, SourceRole],
    report: NameReport,
) -> None:
    """A name with salt or ester words is looked up by its base alone, so it stays only where
    the base can name its substance: dropped where OPSIN reads the base as another skeleton
    ("choline salicylate" would make "choline" name the salicylate). A base OPSIN cannot read
    is kept when a source other than a vocabulary gives the name, or when the substance also
    carries the base as a name of its own; a vocabulary's salt or ester name with nothing to
    corroborate its base is dropped ("alpha-tocopherol succinate", the ester, would take
    "alpha-tocopherol": DrugBank's entry of the base may be one it does not ship).
    A dropped name may still name its substance for display (``Substance.unindexed``)."""
    for sid, substance in substances.items():
        if substance.ident is None:
            continue
        reasons: list[str | None] = []
        plain = {n.key for e in substance.names if not (n := normalise(e.name.text)).form}
        for entry in substance.names:
            base = _salt_base(entry.name.text) if entry.name.kind != "street" else None
            language = entry.name.language or roles[entry.source].language
            reading = readings.get((base, language)) if base else None
            if reading is not None and reading.ident.connectivity != substance.ident.connectivity:
                reasons.append(
                    f"its base '{base}' (salt and ester words aside, as a query is looked "
                    f"up) is read by OPSIN as {reading.ident.inchikey}"
                )
            elif (
                base
                and reading is None
                and roles[entry.source].role == "vocabulary"
                and base not in plain
            ):
                reasons.append(
                    f"its base '{base}' (salt and ester words aside, as a query is looked up) "
                    "is not corroborated: OPSIN cannot read it and no other name of the "
                    "substance is the base"
                )
            else:
                reasons.append(None)
        substance.unindexed += [e for e, r in zip(substance.names, reasons, strict=True) if r]
        _keep_names(substance, sid, reasons, report)


def ester_of(text: str, own: set[str], smiles: str) -> str | None:
    """The ester word when ``text`` is "<a name of the substance> <ester word>" and the
    substance is an alcohol that the word esterifies rather than salts (a hydroxy group, no
    amine): the name of its ester, another substance. None otherwise.

    >>> testosterone = "CC12CCC3C(CCC4=CC(=O)CCC34C)C1CCC2O"
    >>> ester_of("Testosterone undecanoate", {"testosterone"}, testosterone)
    'undecanoate'
    >>> ester_of("Testosterone undecanoate", set(), testosterone)  # the substance is the ester
    >>> ester_of("Codeine phosphate", {"codeine"}, "CN1CCC23C4Oc5c(OC)ccc(CC1C2C=CC4O)c53")
    """
    words = text.split()
    if len(words) < 2 or (word := words[-1].casefold()) not in ESTER_WORDS:
        return None
    if name_key(" ".join(words[:-1])) not in own:
        return None
    return word if ester_or_salt((word,), smiles) else None


def drop_ester_names(substances: dict[str, Substance], report: NameReport) -> None:
    """A name "<the substance's name> <ester word>" on an alcohol names its ester (synonym
    tables list a steroid's esters among its names): the ester is another substance, so the
    name stays off this one (for display only) and is reported."""
    for sid, substance in substances.items():
        if substance.keys is None:
            continue
        own = {name_key(e.name.text) for e in substance.names}
        reasons: list[str | None] = []
        for entry in substance.names:
            word = ester_of(entry.name.text, own, substance.keys.smiles)
            reasons.append(
                f"names an ester of the substance ('{word}' on its hydroxy group), "
                "another substance"
                if word
                else None
            )
        substance.unindexed += [e for e, r in zip(substance.names, reasons, strict=True) if r]
        _keep_names(substance, sid, reasons, report)


def synonym_readings(
    rows: list[Row], roles: dict[str, SourceRole], known: dict[tuple[str, str], Reading]
) -> dict[tuple[str, str], Reading]:
    """OPSIN readings of the synonym-table names identification did not read."""
    pairs = {
        (n.text, n.language or roles[row.source].language)
        for row in rows
        if roles[row.source].role == "synonyms"
        for n in row.names
    } - known.keys()
    return {**known, **read_names(pairs)}


VOCABULARY_NAME_LENGTH = 40
MIN_VOCABULARY_NAME = 3  # one- and two-letter keys name many things ('D': aspartic acid, MDMA)


def foreign_spellings_of_others(
    substances: dict[str, Substance], roles: dict[str, SourceRole]
) -> dict[str, set[str]]:
    """Substance id -> the keys of its vocabulary synonyms that another language's spelling of
    an INN makes another substance's own name of (:func:`variants.english_forms`), another
    structure, where no other source gives the synonym: the vocabulary contradicts itself
    (DrugBank's 'Methionin', German for methionine, on N-acetylmethionine, while its
    methionine entry has 'L-Methionin'). Kept, such a name answers the wrong substance where the
    rule would answer the right one."""
    own: dict[str, set[str]] = defaultdict(set)  # own-name key -> connectivities
    for substance in substances.values():
        if substance.ident is None:
            continue
        for entry in substance.names:
            if entry.name.kind == "preferred":
                own[normalise(entry.name.text).key].add(substance.ident.connectivity)
    found: dict[str, set[str]] = {}
    for sid, substance in substances.items():
        if substance.ident is None:
            continue
        given = defaultdict(set)  # key -> whether a vocabulary gives it
        for entry in substance.names:
            given[normalise(entry.name.text).key].add(roles[entry.source].role == "vocabulary")
        for key, vocabulary in given.items():
            if vocabulary != {True} or key in own or not key.isalpha():
                continue
            others = {c for form in english_forms(key) for c in own.get(form, ())}
            if others and substance.ident.connectivity not in others:
                found.setdefault(sid, set()).add(key)
    return found


def trim_vocabulary_names(substances: dict[str, Substance], roles: dict[str, SourceRole]) -> int:
    """Keep a vocabulary's names where they help a user without weighing on every start-up: all
    its short names on substances other sources name too; on substances only the vocabulary
    knows, its own name and the short names that carry a stereo prefix ('dl-hyoscyamine',
    'DL-Milchsäure': how a query for another stereo form, or without one, finds the form held),
    and its other short names (synonyms, brands) found by their own spelling only (case,
    spaces and hyphens aside), never as targets of near-spelling matching: they would crowd
    the near-spellings of names the tool does not know (measured: 'Pheniramine' answered the
    aniline of 'phenylamine'). Long systematic synonyms served identification; OPSIN reads them
    at query time. Names looked up by one or two letters (amino acids' 'D', queuine's 'Q Base')
    name other things in other tables (street names, lists). A substance known only by an
    InChIKey whose skeleton a listed substance has (DrugBank's 'Carfentanil, C-11') keeps its own
    name only: no structure relates it to its listed skeleton, so its other names ('11C-
    CARFENTANIL') are left to the resolver's rules (the labelled form's parent, a stereo
    relative), which do. Returns the number of names dropped."""
    listed = {s.ident.connectivity for s in substances.values() if s.ident and s.listings}
    foreign = foreign_spellings_of_others(substances, roles)
    dropped = 0
    for sid, substance in substances.items():
        if sid in foreign:  # another substance's own name in another language's spelling
            substance.names = [
                e for e in substance.names if normalise(e.name.text).key not in foreign[sid]
            ]
        others = any(roles[e.source].role != "vocabulary" for e in substance.names)
        undrawn = (
            substance.ident is not None
            and substance.ident.keys is None
            and substance.ident.connectivity in listed
            and not substance.listings
        )
        kept = []
        for entry in substance.names:
            vocabulary = roles[entry.source].role == "vocabulary"
            text = entry.name.text
            name = normalise(text)
            short = len(text) <= VOCABULARY_NAME_LENGTH and "[" not in text
            short = short and len(name.base) >= MIN_VOCABULARY_NAME  # 'Q Base' is asked as 'q'
            if (
                not vocabulary
                or entry.name.kind == "preferred"
                or (short and (others or name.stereo))
            ):
                kept.append(entry)
            elif short and not undrawn:
                kept.append(replace(entry, fuzzy=False))
        dropped += len(substance.names) - len(kept)
        substance.names = kept
    return dropped


def report_ambiguous_street(substances: dict[str, Substance], report: NameReport) -> None:
    holders: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for sid, substance in substances.items():
        for entry in substance.names:
            if entry.name.kind == "street":
                holders[normalise(entry.name.text).key].add((sid, entry.name.region))
    for key, found in sorted(holders.items()):
        if len({sid for sid, _ in found}) > 1:
            places = "; ".join(f"{sid} [{region or 'any'}]" for sid, region in sorted(found))
            report.ambiguous_street.append(f"'{key}': {places}")
