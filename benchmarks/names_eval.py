"""Name resolution measured on names the reference never saw.

    .venv/bin/python benchmarks/names_eval.py [--no-opsin] [--show 12] [--reference DIR]
    .venv/bin/python benchmarks/names_eval.py --dev [--misses "a stereo descriptor"]
    .venv/bin/python benchmarks/names_eval.py --languages dev|held-out [--no-opsin]

The shipped reference (``reference/data``) reads every row of every source. The evaluation runs
on the *held-out build* instead: the same compiler without the held-out rows
(``python -m subsmatch.compile --hold-out --shared ../shared``, written to
``build/reference-held-out``; ``--reference DIR`` names another; built here when missing).

Three sets, read from ../shared (the held-out build never reads the held-out rows):

- ``drugbank``: every name, synonym and CAS number of the held-out 20% of DrugBank's open
  vocabulary (``subsmatch.compile.holdout.is_held_out``: the compiler never reads them), each
  expected to resolve to the entry's InChIKey.
  Names that another DrugBank entry of a different structure also carries, case, spaces and
  hyphens aside (``spelled``), are left out (the source itself is ambiguous about them).
- ``street``: the held-out street-name rows, each asked as a user of the row's region would
  ask it. The expected structure is the substance label's in ``substance_structures.csv``, or
  that of the label's head (the text before " (") when the head is such a label. Labels of
  mixtures, classes and products (no single structure) form the set ``street: no single
  structure``: the honest answer there is unresolved or uncertain.
- ``nist``: the hit names of the real NIST MS Search result files in ``formats/`` (never read
  by the compiler), each with the formula the NIST library prints. No structure is given, so
  the check is on the formula: how often a resolution, OPSIN's in particular, disagrees with
  it, and whether such readings are marked uncertain, without and with the formula passed
  to the resolver as a fact.

``--languages`` measures the language rules alone (:func:`language_forms`): DrugBank's own
one-word synonyms that spell an entry's common name in another language, of the entries not
held out (``dev``, to tune on) or of the held-out ones, each taken out of the name index.

``--dev`` measures instead the development set, to tune on: the names of the DrugBank entries
that are not held out which the reference does not ship as targets of near-spelling matching
(the compiler keeps, of a substance only DrugBank knows, its own name for every lookup and its
other short names for lookup by their own spelling only), and lists the misses of one pattern.

"Right" is the expected structure: same InChIKey (exact) or same first InChIKey block
(connectivity: stereo or isotopes aside). "Wrong" is another structure. A name resolved to a
substance known only by name cannot be compared and is counted apart ("no structure").
"Should know" keeps the names whose expected structure the reference holds (same
connectivity): a tool cannot know what is in none of its sources; "same stereo" those whose
very InChIKey it holds (not only a stereoisomer: bupivacaine where levobupivacaine is known).

"Reachable" (the held-out DrugBank set, :func:`reachable`) splits the should-know names not
answered right by whether anything the tool reads could give the expected structure: a name
of a source row the compiler reads (held-out rows are never read; names the compiler trims
count) or of the shipped reference, given to a structure of the expected connectivity, whose
key equals the query's key, its separator-blind key or its spelling-folded key (ph/f, y/i,
INN endings: near-spellings by convention, not typos); or the same for a form the resolver's
rules make of the query (salt and form words off, another language's INN endings and letters,
a stereo word made or unmade, a stated stereo off); or OPSIN's reading of the query; or, for a
CAS number, a source row giving it to a structure of that connectivity. A query stating a
stereo form reaches only the very InChIKey or a structure of unspecified stereo (a racemate):
another stereoisomer is no lawful answer (dextro never answers levo). The rest is what no
source the tool reads names: "right among reachable" is right / (right + reachable misses).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import partial
from pathlib import Path

from rdkit import Chem

from subsmatch.compile.build import main as compile_main
from subsmatch.compile.holdout import (
    DRUGBANK,
    EVALUATION_DATA,
    STREET_NAMES,
    is_held_out,
    street_key,
)
from subsmatch.compile.read import read_all
from subsmatch.compile.roles import load_roles
from subsmatch.ingest.readers import open_report
from subsmatch.ingest.records import Finding
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.names import SynonymIndex
from subsmatch.reference.lists import Reference, load
from subsmatch.substances.facts import QueryFacts, formula_agrees, split_derivative
from subsmatch.substances.identifiers import normalise_cas
from subsmatch.substances.labels import ion_parent, isotope_label
from subsmatch.substances.names import (
    KEY_VERSION,
    alias_parts,
    compact_key,
    normalise,
    spelling_fold,
    stereo_word_relatives,
)
from subsmatch.substances.opsin import names_to_smiles, uninvert_cas_name
from subsmatch.substances.regions import DEFAULT_REGION
from subsmatch.substances.resolve import Resolution, Resolver
from subsmatch.substances.stereo import stated_stereo
from subsmatch.substances.structures import StructureError, keys_of
from subsmatch.substances.variants import english_forms, letter_forms

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the checkout, or beside the folder of worktrees (<root>/wt/<name>)
SHARED = next(
    (p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared",
)
SOURCES = SHARED / "sources"
DRUGBANK_CSV = SOURCES / "drugbank_open_vocabulary" / "drugbank_vocabulary.csv"
STREET_DIR = SOURCES / "names_street_and_precursor"
NIST_DIR = SHARED / "formats" / "chemclipse" / "nist_ms_search"


# --- the sets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One query with what the source says it is."""

    query: str
    kind: str  # name | cas
    expected: str | None  # InChIKey; None: no single structure
    region: str = ""
    formula: str | None = None  # NIST cases: the library's formula
    cas: str | None = None  # NIST cases: the library's CAS number
    origin: str = ""


def spelled(name: str) -> str:
    """A name with case, spaces and hyphens aside (its salt words kept: "serine phosphate" is
    not "serine").

    >>> spelled("INDENO[1,2-C] PYRAZOLE") == spelled("Indeno[1,2-c]pyrazole")
    True
    """
    return compact_key(name.casefold())


def drugbank_cases(held_out: bool = True, shipped: frozenset[str] = frozenset()) -> list[Case]:
    """The held-out entries' names and CAS numbers; with ``held_out`` False, the development
    set: the names of the other entries that the reference does not ship (keys not in
    ``shipped``: the compiler keeps only the own name of a substance only DrugBank knows), to
    tune on without looking at the held-out rows.

    Left out where the source contradicts itself: a name another entry of another structure
    also carries (``spelled``), or that another language's spelling of an INN makes another
    entry's name of another structure (:func:`english_forms`: 'Methionin' on N-acetylmethionine
    while methionine's entry has 'L-Methionin'); the names and CAS number of an entry whose CAS
    number another entry of another structure also carries (Adrabetadex and Hydroxypropyl
    betadex: one substance drawn twice; 13 CAS numbers, one of them held out)."""
    with DRUGBANK_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[2:]
    structures_of_name: defaultdict[str, set[str]] = defaultdict(set)
    structures_of_key: defaultdict[str, set[str]] = defaultdict(set)
    structures_of_cas: defaultdict[str, set[str]] = defaultdict(set)
    entries = []
    for dbid, _acc, common, cas, _unii, synonyms, inchikey in rows:
        names = list(
            dict.fromkeys(n.strip() for n in [common, *synonyms.split(" | ")] if n.strip())
        )
        structure = inchikey[:14] if inchikey else dbid
        for name in names:
            structures_of_name[spelled(name)].add(structure)
            structures_of_key[normalise(name).key].add(structure)
        if cas.strip():
            structures_of_cas[cas.strip()].add(structure)
        if inchikey and is_held_out(DRUGBANK, dbid) == held_out:
            entries.append((dbid, names, cas.strip(), inchikey))

    def contradicted(name: str, structure: str) -> bool:
        key = normalise(name).key
        return any(structures_of_key.get(f, {structure}) - {structure} for f in english_forms(key))

    cases = []
    for dbid, names, cas, inchikey in entries:
        if cas and len(structures_of_cas[cas]) > 1:
            continue
        cases.extend(
            Case(name, "name", inchikey, origin=dbid)
            for name in names
            if len(structures_of_name[spelled(name)]) == 1
            and not contradicted(name, inchikey[:14])
            and (held_out or normalise(name).key not in shipped)
        )
        if cas and held_out:
            cases.append(Case(cas, "cas", inchikey, origin=dbid))
    return cases


def street_cases(named: Callable[[str], str | None], held_out: bool = True) -> list[Case]:
    """``named``: the InChIKey of a label's head that substance_structures.csv lacks;
    ``held_out``: the held-out rows (False: the rows the compiler reads, to tune on)."""
    with (STREET_DIR / "substance_structures.csv").open(encoding="utf-8", newline="") as fh:
        structure_of = {row["substance"]: row["inchikey"] for row in csv.DictReader(fh)}
    with (STREET_DIR / "street_names.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cases = []
    for row in rows:
        if is_held_out(STREET_NAMES, street_key(row["name"], row["substance"])) != held_out:
            continue
        label = row["substance"]
        head = label.split(" (")[0]
        expected = structure_of.get(label) or structure_of.get(head) or named(head)
        cases.append(Case(row["name"], "name", expected, row["region"], origin=label))
    return cases


def nist_cases() -> list[Case]:
    cases = {}
    for path in sorted(NIST_DIR.glob("*.TXT")):
        with open_report(path) as report:
            for record in report:
                if isinstance(record, Finding) and record.name and record.formula:
                    cases[(record.name, record.formula)] = Case(
                        record.name,
                        "name",
                        None,
                        formula=record.formula,
                        cas=record.cas,
                        origin=path.name,
                    )
    return list(cases.values())


# --- outcomes ---------------------------------------------------------------------------------


def resolved_inchikey(resolution: Resolution, reference: Reference) -> str | None:
    if resolution.keys is not None:
        return resolution.keys.inchikey
    if resolution.substance_id and (record := reference.substances.get(resolution.substance_id)):
        return record.inchikey
    return None


def outcome(resolution: Resolution, expected: str, reference: Reference) -> str:
    if not resolution.resolved:
        return "unresolved"
    got = resolved_inchikey(resolution, reference)
    if got is None:
        return "no structure"
    if got == expected:
        return "exact"
    if got[:14] == expected[:14]:
        return "connectivity"
    return "wrong"


@dataclass
class Tally:
    n: int = 0
    exact: int = 0
    connectivity: int = 0
    wrong: int = 0
    wrong_certain: int = 0
    unresolved: int = 0
    no_structure: int = 0
    salt: int = 0
    right_uncertain: int = 0

    def add(self, result: str, uncertain: bool) -> None:
        self.n += 1
        if result == "exact":
            self.exact += 1
        elif result == "connectivity":
            self.connectivity += 1
        elif result == "wrong":
            self.wrong += 1
            self.wrong_certain += not uncertain
        elif result == "unresolved":
            self.unresolved += 1
        elif result == "salt":
            self.salt += 1
        else:
            self.no_structure += 1
        if result in ("exact", "connectivity") and uncertain:
            self.right_uncertain += 1

    def line(self, label: str) -> str:
        def pct(k: int, n: int | None = None) -> str:
            n = self.n if n is None else n
            return f"{100 * k / n:5.1f}%" if n else "    -"

        right = self.exact + self.connectivity
        return (
            f"| {label} | {self.n} | {pct(right)} | {pct(self.exact)} | {pct(self.wrong)} | "
            f"{pct(self.wrong_certain, self.wrong)} | {pct(self.unresolved)} | "
            f"{pct(self.no_structure)} | {pct(self.salt)} | {pct(self.right_uncertain, right)} |"
        )


HEADER = (
    "| set | names | right (connectivity) | right (exact) | wrong | wrong, NOT marked "
    "uncertain (of wrong) | unresolved | resolved, no structure | a salt named, its parent "
    "answered | right but uncertain (of right) |\n|---|---|---|---|---|---|---|---|---|---|"
)


def resolve_all(
    resolver: Resolver, cases: list[Case], with_facts: bool = False
) -> list[Resolution]:
    """Resolutions aligned with ``cases``: each case asked as a user of its region would
    (the default region where it has none; "global" rows with no preference)."""
    by_region: defaultdict[str, list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        by_region[case.region].append(i)
    out: list[Resolution | None] = [None] * len(cases)
    for region, indexes in by_region.items():
        asked = Resolver(
            resolver.lookups,
            resolver.use_opsin,
            region="any" if region == "global" else region or DEFAULT_REGION,
        )
        facts = (
            [QueryFacts(cases[i].formula, cases[i].cas) for i in indexes] if with_facts else None
        )
        for i, resolution in zip(
            indexes, asked.resolve_many((cases[i].query for i in indexes), facts), strict=True
        ):
            out[i] = resolution
    return out  # type: ignore[return-value]


def evaluate(
    label: str,
    cases: list[Case],
    resolutions: list[Resolution],
    reference: Reference,
    show: int,
    sources: Sources | None = None,
) -> list[str]:
    """The tallies by stratum, the misses by pattern, the wrong examples; with ``sources``,
    the should-know misses split into reachable and unreachable (:func:`reachable`)."""
    known = {r.connectivity for r in reference.substances.values() if r.connectivity}
    known_exactly = {r.inchikey for r in reference.substances.values() if r.inchikey}
    tallies: defaultdict[str, Tally] = defaultdict(Tally)
    wrong: list[str] = []
    wrong_known: list[str] = []  # of the names it should know: the figure the targets are on
    wrong_unmarked: list[str] = []  # the answers an officer would act on: the worst kind
    results = [outcome(r, c.expected, reference) for c, r in zip(cases, resolutions, strict=True)]  # type: ignore[arg-type]
    for i in salts_named(cases, resolutions, results):
        results[i] = "salt"
    for case, resolution, result in zip(cases, resolutions, results, strict=True):
        strata = ["all", f"{case.kind}s"]
        if case.expected[:14] in known:  # type: ignore[index]
            strata += ["should know", f"should know, {case.kind}s"]
        if case.expected in known_exactly:
            strata.append("should know, same stereo")
        if resolution.via:
            strata.append(f"answered via {resolution.via}")
        for stratum in strata:
            tallies[stratum].add(result, resolution.uncertain)
        if result == "wrong":
            got = reference.substances.get(resolution.substance_id or "")
            line = (
                f"  {case.query!r} ({case.origin}{', ' + case.region if case.region else ''}) -> "
                f"{got.name if got else resolution.keys.smiles if resolution.keys else '?'} "
                f"via {resolution.via}{' UNCERTAIN' if resolution.uncertain else ''}"
            )
            wrong.append(line)
            if "should know" in strata:
                wrong_known.append(line)
            if not resolution.uncertain:
                wrong_unmarked.append(line)
    reach: list[str] = []
    if sources is not None:
        ways = reachable(cases, results, sources)
        reach = reach_report(label, cases, results, known, ways)
        reached = [
            f"  {ways[i]}: {c.query!r} ({c.origin}) {results[i]}"
            for i, c in enumerate(cases)
            if ways[i] and c.expected[:14] in known  # type: ignore[index]
        ]
        reach += examples(f"{label}: {len(reached)} reachable, not right", reached, show)
    return (
        [tallies[s].line(f"{label}: {s}") for s in tallies]
        + misses(label, cases, results, known, known_exactly)
        + reach
        + examples(f"{label}: {len(wrong)} wrong", wrong, show)
        + examples(f"{label}: {len(wrong_known)} wrong of those it should know", wrong_known, show)
        + examples(
            f"{label}: {len(wrong_unmarked)} wrong, NOT marked uncertain", wrong_unmarked, show
        )
    )


MISS_PATTERNS: list[tuple[str, Callable[[Case], object]]] = [
    ("a CAS number", lambda c: c.kind == "cas"),
    ("an isotope label", lambda c: isotope_label(c.query)),
    ("an ion word", lambda c: ion_parent(c.query)),
    ("salt or form words", lambda c: normalise(c.query).form),
    ("an INN form of another language", lambda c: english_forms(normalise(c.query).base)),
    ("an alias form", lambda c: alias_parts(c.query)),
    ("a stereo descriptor", lambda c: normalise(c.query).stereo or STEREO_WORD.search(c.query)),
    ("digits or locants", lambda c: any(ch.isdigit() for ch in c.query)),
]
STEREO_WORD = re.compile(r"(?i)\b(?:cis|trans|threo|erythro|endo|exo|[RSEZ])\b|alpha|beta|[αβ]")


def pattern_of(case: Case) -> str:
    """The first pattern of :data:`MISS_PATTERNS` a query shows, else "another name"."""
    return next((name for name, shows in MISS_PATTERNS if shows(case)), "another name")


def misses(
    label: str, cases: list[Case], results: list[str], known: set[str], known_exactly: set[str]
) -> list[str]:
    """The names it should know that are unresolved or wrong, by the pattern the query shows
    and by whether the reference holds the very structure or only another stereo form or
    isotopologue of it (a name the resolver must not carry over to that other form)."""
    counted: Counter[tuple[str, str, str]] = Counter()
    for case, result in zip(cases, results, strict=True):
        if case.expected[:14] not in known or result not in ("unresolved", "wrong"):  # type: ignore[index]
            continue
        held = "held" if case.expected in known_exactly else "another form held"
        counted[(result, pattern_of(case), held)] += 1
    if not counted:
        return []
    lines = [
        f"\n{label}: names it should know, not right, by pattern "
        "(held: the reference holds the very structure; another form held: only another "
        "stereoisomer or isotopologue)\n",
        "| outcome | pattern | held | another form held |",
        "|---|---|---|---|",
    ]
    for result, pattern in sorted({(r, p) for r, p, _ in counted}):
        lines.append(
            f"| {result} | {pattern} | {counted[(result, pattern, 'held')]} | "
            f"{counted[(result, pattern, 'another form held')]} |"
        )
    return [*lines, ""]


STREET_REASONS = [
    ("several meanings in the region", "street name for several substances"),
    ("in the region only by a source's note", "only by a source's note"),
    ("known only outside the region", "only outside"),
    ("not in the reference", "no substance of this name"),
]


def street_unresolved(
    cases: list[Case], resolutions: list[Resolution], results: list[str]
) -> list[str]:
    """The unresolved street names by why: contested in the asker's region (its places give
    several substances, or only a note gives one), known only elsewhere, or unknown."""
    counted: Counter[str] = Counter()
    for resolution, result in zip(resolutions, results, strict=True):
        if result == "unresolved":
            error = resolution.error or ""
            counted[next((r for r, text in STREET_REASONS if text in error), "other")] += 1
    return [
        "\nstreet: unresolved, by why\n",
        "| why | names |",
        "|---|---|",
        *(f"| {why} | {n} |" for why, n in counted.most_common()),
        "",
    ]


def salts_named(cases: list[Case], resolutions: list[Resolution], results: list[str]) -> list[int]:
    """The wrong OPSIN answers to names of a salt: the whole reading (counter-ions kept) is
    the expected structure, the parent was answered (the law covers the salts of a listed
    parent, so that is the answer wanted; DrugBank keys the salt)."""
    wrong = [i for i, r in enumerate(results) if r == "wrong" and resolutions[i].via == "opsin"]
    spellings = [uninvert_cas_name(split_derivative(cases[i].query)[0]) for i in wrong]
    found = []
    for i, smiles in zip(wrong, names_to_smiles(spellings), strict=True):
        mol = Chem.MolFromSmiles(smiles) if smiles else None
        if mol is not None and Chem.MolToInchiKey(mol)[:14] == (cases[i].expected or "")[:14]:
            found.append(i)
    return found


# --- reachable: could anything the tool reads give the expected structure? ---------------------


def lookup_keys(text: str, bare: bool = False) -> set[str]:
    """The keys under which a name meets another by spelling: its key, separator-blind key and
    spelling-folded key (the stereo prefix kept in each); with ``bare``, the same keys of the
    name without its stereo prefix, marked as such."""
    name = normalise(text)
    fold = spelling_fold(compact_key(name.base))
    if bare:
        return {f"bare:{k}" for k in (name.base, compact_key(name.base), fold)}
    return {name.key, compact_key(name.key), f"{name.stereo}|{fold}" if name.stereo else fold}


def source_keys(text: str) -> set[str]:
    """The keys a source's name is found under: its own, and those of its base (a query that
    states no stereo meets a name held with a stereo prefix: lysine, d-lysine)."""
    return lookup_keys(text) | lookup_keys(text, bare=True)


def rule_forms(text: str) -> list[str]:
    """The forms the resolver's rules make of a name (see the module's text)."""
    name = normalise(text)
    forms = [name.base, *english_forms(name.base), *stereo_word_relatives(name.base)]
    forms += [form for form, _ in letter_forms(name.base)]
    if found := stated_stereo(text):
        forms.append(found[1])
    return forms


@dataclass
class Sources:
    """What the sources the compiler reads, and the shipped reference, give: name keys and
    CAS numbers -> the InChIKeys they are given to."""

    names: defaultdict[str, set[str]]
    cas: defaultdict[str, set[str]]

    @classmethod
    def read(cls, reference: Reference) -> Sources:
        names: defaultdict[str, set[str]] = defaultdict(set)
        cas: defaultdict[str, set[str]] = defaultdict(set)
        for row in read_all(SOURCES, load_roles(), hold_out=True):
            inchikeys = {row.inchikey} if row.inchikey else set()
            if row.structure:
                with suppress(StructureError):
                    inchikeys.add(keys_of(row.structure).inchikey)
            for inchikey in inchikeys:
                for name in row.names:
                    for key in source_keys(name.text):
                        names[key].add(inchikey)
                for number in row.cas:
                    cas[normalise_cas(number) or number].add(inchikey)
        for name, sid, _ in reference.name_rows():
            if inchikey := reference.substances[sid].inchikey:
                for key in source_keys(name):
                    names[key].add(inchikey)
        for number, ids in reference.by_cas.items():
            cas[number].update(k for sid in ids if (k := reference.substances[sid].inchikey))
        return cls(names, cas)


def lawful(inchikey: str, expected: str, states_stereo: bool) -> bool:
    """Whether a structure a source gives answers a query expecting ``expected``: the same
    connectivity, and, where the query states a stereo form, the very InChIKey or one of
    unspecified stereo."""
    if inchikey[:14] != expected[:14]:
        return False
    return not states_stereo or inchikey == expected or inchikey[15:23] == "UHFFFAOY"


def reachable(cases: list[Case], results: list[str], sources: Sources) -> list[str | None]:
    """For each case unresolved or wrong: how a tool could reach its expected structure ("a
    source's name", "a rule's form", "OPSIN", "a source's CAS"), None when nothing it reads
    gives it (see the module's text); None for the cases answered otherwise."""
    out: list[str | None] = [None] * len(cases)
    need_opsin = []
    for i, (case, result) in enumerate(zip(cases, results, strict=True)):
        if result not in ("unresolved", "wrong") or not case.expected:
            continue
        if case.kind == "cas":
            given = sources.cas.get(normalise_cas(case.query) or case.query, ())
            if any(lawful(k, case.expected, False) for k in given):
                out[i] = "a source's CAS"
            continue
        states = bool(normalise(case.query).stereo or stated_stereo(case.query))
        for way, forms in (
            ("a source's name", [case.query]),
            ("a rule's form", rule_forms(case.query)),
        ):
            given = {
                k
                for form in forms
                for key in lookup_keys(form, bare=not states)
                for k in sources.names.get(key, ())
            }
            if any(lawful(k, case.expected, states) for k in given):
                out[i] = way
                break
        else:
            need_opsin.append(i)
    spellings = [
        [uninvert_cas_name(s) for s in (cases[i].query, *alias_parts(cases[i].query))]
        for i in need_opsin
    ]
    read = iter(names_to_smiles([s for group in spellings for s in group]))
    for i, group in zip(need_opsin, spellings, strict=True):
        for smiles in [next(read) for _ in group]:
            try:
                if smiles and keys_of(smiles).connectivity == (cases[i].expected or "")[:14]:
                    out[i] = "OPSIN"
            except StructureError:
                continue
    return out


def reach_report(
    label: str, cases: list[Case], results: list[str], known: set[str], ways: list[str | None]
) -> list[str]:
    """Should know: right, reachable misses by way, unreachable, right among reachable."""
    should = [i for i, c in enumerate(cases) if (c.expected or "")[:14] in known]
    right = sum(results[i] in ("exact", "connectivity") for i in should)
    missed = [i for i in should if results[i] in ("unresolved", "wrong")]
    by_way = Counter(ways[i] for i in missed if ways[i])
    reach = sum(by_way.values())
    lines = [
        f"\n{label}: should know {len(should)}: right {right} ({100 * right / len(should):.1f}%); "
        f"not right {len(should) - right}, of which reachable {reach} "
        f"({', '.join(f'{w} {n}' for w, n in by_way.most_common()) or 'none'}) and unreachable "
        f"{len(missed) - reach} (in no source the tool reads); right among reachable "
        f"{right} / {right + reach} = {100 * right / max(1, right + reach):.1f}%",
    ]
    return lines


def examples(title: str, lines: list[str], show: int) -> list[str]:
    """The first ``show`` of ``lines`` under ``title``, as a comment the README can keep."""
    return [f"<!-- {title}, e.g.:", *lines[:show], "-->"] if lines else []


def formula_of(resolution: Resolution, reference: Reference) -> str | None:
    if resolution.keys is not None:
        return resolution.keys.formula
    if resolution.substance_id and (record := reference.substances.get(resolution.substance_id)):
        return record.formula
    return None


def nist_report(
    cases: list[Case], plain: list[Resolution], reference: Reference, show: int
) -> list[str]:
    by_via: defaultdict[str, Counter[str]] = defaultdict(Counter)
    misread: list[str] = []
    for case, resolution in zip(cases, plain, strict=True):
        via = resolution.via or "unresolved"
        formula = formula_of(resolution, reference)
        if formula is None:
            by_via[via]["no formula"] += 1
            continue
        agrees = formula_agrees(case.formula or "", formula, split_derivative(case.query)[1])
        key = (
            "agrees"
            if agrees
            else ("disagrees, uncertain" if resolution.uncertain else "disagrees")
        )
        by_via[via][key] += 1
        if not agrees:
            misread.append(
                f"  {case.query!r}: NIST {case.formula}, {via} {formula}"
                f"{' UNCERTAIN' if resolution.uncertain else ''}"
            )
    lines = [
        "| via | names | formula agrees | disagrees, marked uncertain | disagrees, NOT marked |",
        "|---|---|---|---|---|",
    ]
    for via, counts in sorted(by_via.items()):
        n = sum(counts.values())
        lines.append(
            f"| {via} | {n} | {counts['agrees']} | {counts['disagrees, uncertain']} | "
            f"{counts['disagrees']} |"
        )
    return lines + examples(f"nist: {len(misread)} disagree", misread, show)


def named_structure(checker: Checker, name: str) -> str | None:
    """The InChIKey of the one reference substance whose synonym is exactly ``name``."""
    hits = checker.resolver.lookups.names.exact(normalise(name))
    ids = {h.substance_id for h in hits}
    record = checker.reference.substances[ids.pop()] if len(ids) == 1 else None
    return record.inchikey if record else None


def development(resolver: Resolver, reference: Reference, show: int, pattern: str | None) -> int:
    """The development set measured (see :func:`drugbank_cases`), and the misses of one
    pattern listed. The names the reference holds for lookup by their own spelling only are
    counted as not shipped, so that the set does not change when they are kept."""
    # names kept for lookup by their own spelling only (``fuzzy`` false) stay in the set: the
    # development set is the same before and after such names were kept
    exact_only = set(reference.exact_only_rows)
    shipped = frozenset(
        normalise(name).key
        for i, (name, _, _) in enumerate(reference.name_rows())
        if i not in exact_only
    )
    cases = drugbank_cases(held_out=False, shipped=shipped)
    resolutions = resolve_all(resolver, cases)
    for line in evaluate("dev", cases, resolutions, reference, show):
        print(line)
    if pattern:
        known = {r.connectivity for r in reference.substances.values() if r.connectivity}
        for case, resolution in zip(cases, resolutions, strict=True):
            result = outcome(resolution, case.expected or "", reference)
            if (
                case.expected
                and case.expected[:14] in known
                and result in ("unresolved", "wrong")
                and pattern_of(case) == pattern
            ):
                print(f"  {result}: {case.query!r} ({case.origin}) {resolution.error or ''}")
    return 0


def language_forms(held_out: bool = False) -> list[Case]:
    """DrugBank's own multilingual INN forms (cisteina, cysteinum, Zystein of cysteine): each
    one-word synonym of an entry that is another language's spelling of the entry's own
    (common) name (the same once spelling-folded, or a close spelling with the same first two
    letters), and no other entry's name; of the entries not held out (``held_out`` False, to
    tune on) or of the held-out ones."""
    with DRUGBANK_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))[2:]
    owners: defaultdict[str, set[str]] = defaultdict(set)
    entries = []
    for dbid, _acc, common, _cas, _unii, synonyms, inchikey in rows:
        keys = {normalise(n).key for n in [common, *synonyms.split(" | ")] if n.strip()}
        for key in keys:
            owners[key].add(inchikey[:14] or dbid)
        if inchikey and is_held_out(DRUGBANK, dbid) == held_out:
            entries.append((dbid, normalise(common).key, keys, inchikey))
    commons = {own for _, own, _, _ in entries}  # never taken out of the index
    cases = []
    for dbid, own, keys, inchikey in entries:
        if not own.isalpha():
            continue
        for key in sorted(keys - commons):
            if len(owners[key]) > 1 or len(key) < 5 or not key.isalpha():
                continue
            close = key[:2] == own[:2] and abs(len(own) - len(key)) <= 3
            if spelling_fold(key) == spelling_fold(own) or (
                close and SequenceMatcher(None, own, key).ratio() >= 0.8
            ):
                cases.append(Case(key, "name", inchikey, origin=dbid))
    return cases


def languages(checker: Checker, show: int, held_out: bool) -> int:
    """:func:`language_forms` asked of the reference with every one of them taken out of its
    name index (so that only a rule can find them), by how they were answered."""
    reference = checker.reference
    cases = language_forms(held_out)
    asked = {c.query for c in cases}
    rows = list(enumerate(reference.name_rows()))
    # the stored keys, or made again where another normaliser stored them
    keys = reference.name_keys(KEY_VERSION) or [normalise(row[0]).key for _, row in rows]
    exact_only = set(reference.exact_only_rows)
    kept = [(i, row) for i, row in rows if keys[i] not in asked]
    index = SynonymIndex(
        [row for _, row in kept],
        [keys[i] for i, _ in kept],
        exact_only=[j for j, (i, _) in enumerate(kept) if i in exact_only],
    )
    resolver = Resolver(replace(checker.resolver.lookups, names=index), checker.resolver.use_opsin)
    resolutions = resolve_all(resolver, cases)
    print(f"languages: {len(cases)} DrugBank INN forms, taken out of the name index")
    for line in evaluate("languages", cases, resolutions, reference, show):
        print(line)
    return 0


def evaluation_reference(folder: Path) -> Reference:
    """The held-out build in ``folder``, built first when it is missing; refused when it is a
    build that read the held-out rows (its figures would be flattering)."""
    command = f".venv/bin/python -m subsmatch.compile --hold-out --shared {SHARED} --out {folder}"
    if not (folder / "VERSION.json").is_file():
        print(
            f"{folder} holds no reference: building the held-out build (4-7 min), as\n"
            f"  nice {command}",
            file=sys.stderr,
        )
        if compile_main(["--hold-out", "--shared", str(SHARED), "--out", str(folder)]):
            sys.exit(f"the held-out build failed; run: nice {command}")
    version = json.loads((folder / "VERSION.json").read_text())
    if version.get("held_out_rows") != "left out":
        sys.exit(
            f"{folder} is not a held-out build (it read the held-out rows; the figures would "
            f"be flattering); build one with: nice {command}"
        )
    return load(folder)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=EVALUATION_DATA,
        metavar="DIR",
        help="the held-out build to measure on (default: build/reference-held-out, built when "
        "missing with: python -m subsmatch.compile --hold-out)",
    )
    parser.add_argument("--no-opsin", action="store_true", help="resolve without OPSIN")
    parser.add_argument("--show", type=int, default=12, help="wrong examples shown per set")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="measure on the development set instead: the names of DrugBank entries that are "
        "not held out and that the reference does not ship (tune on these, never on the "
        "held-out rows)",
    )
    parser.add_argument(
        "--misses",
        metavar="PATTERN",
        help="with --dev: list the should-know names of this miss pattern not answered right",
    )
    parser.add_argument(
        "--languages",
        choices=("dev", "held-out"),
        help="measure instead DrugBank's own INN forms of other languages (of the entries not "
        "held out, or of the held-out ones), each taken out of the name index: what the "
        "language rules find",
    )
    parser.add_argument(
        "--street-dev",
        action="store_true",
        help="the street set on the rows the compiler reads instead of the held-out ones "
        "(tune there: their own name is in the index, so 'right' is flattering)",
    )
    args = parser.parse_args()
    if not SOURCES.is_dir():
        sys.exit(f"{SOURCES} is absent: the evaluation reads the held-out rows from ../shared")
    checker = Checker(evaluation_reference(args.reference), use_opsin=not args.no_opsin)
    reference = checker.reference
    resolver = checker.resolver
    started = time.perf_counter()
    print(f"reference data {reference.version}; OPSIN {'off' if args.no_opsin else 'on'}\n")
    print(HEADER)
    if args.languages:
        return languages(checker, args.show, args.languages == "held-out")
    if args.dev:
        return development(resolver, reference, args.show, args.misses)
    drugbank = drugbank_cases()
    sources = Sources.read(reference)
    for line in evaluate(
        "drugbank", drugbank, resolve_all(resolver, drugbank), reference, args.show, sources
    ):
        print(line)
    street = street_cases(partial(named_structure, checker), held_out=not args.street_dev)
    single = [c for c in street if c.expected]
    answers = resolve_all(resolver, single)
    for line in evaluate("street", single, answers, reference, args.show):
        print(line)
    results = [
        outcome(r, c.expected or "", reference) for c, r in zip(single, answers, strict=True)
    ]
    for line in street_unresolved(single, answers, results):
        print(line)
    mixtures = [c for c in street if not c.expected]
    confident = [
        (c, r)
        for c, r in zip(mixtures, resolve_all(resolver, mixtures), strict=True)
        if r.resolved and not r.uncertain
    ]
    print(
        f"\nstreet: no single structure: {len(mixtures)} names, {len(confident)} resolved to one "
        "structure without being marked uncertain"
    )
    for case, resolution in confident[: args.show]:
        print(f"  {case.query!r} ({case.origin}, {case.region}) -> {resolution.matched_name}")
    nist = nist_cases()
    print(
        f"\nnist: {len(nist)} distinct hit names with the library's formula, resolved without it\n"
    )
    for line in nist_report(nist, resolve_all(resolver, nist), reference, args.show):
        print(line)
    print("\nnist: the same names with the formula and CAS number passed as facts\n")
    for line in nist_report(
        nist, resolve_all(resolver, nist, with_facts=True), reference, args.show
    ):
        print(line)
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
