"""Step 2, identify: which structure each source row is, settled by the agreement of its facts.

For every row the independent facts are gathered (:func:`Identifier.facts`):

- its given structure (SMILES, InChI) or given InChIKey;
- each valid CAS number it gives, when the rows already identified tie that CAS to one structure;
- each of its names that the identified rows of identity and control lists tie to one structure
  (an INN, a common name, a code), matched as written, respelt from Dutch, German or French, and
  with spelling conventions folded (amfetamine = amphetamine);
- OPSIN's reading of each of its names (after respelling), marked risky when the name has a
  feature OPSIN is known to misread (:mod:`subsmatch.compile.spelling`) or the reading has
  isotopes the name does not mention or stereo on only some of its centres.

Facts that name the same structure (same skeleton; stereo agreeing, or given by one of them only)
form a cluster. Each fact weighs as much as it can be trusted (:data:`WEIGHTS`); the row is joined
to the heaviest cluster when it outweighs every other by :data:`MARGIN` (so a single trusted fact
may stand alone, a name outweighs the CAS number of another substance, and an OPSIN reading never
outweighs a given structure); otherwise the row stays off every structure and the conflict is
recorded. The facts that lose are returned with the decision: the next steps keep a losing CAS
number or name off the substance and report it.

A given structure that wins its row's facts is then heard against what other sources say *on
their own* under the row's names and CAS numbers (:mod:`subsmatch.compile.witnesses`: their
given structures and their printed chemical names, never what the identified rows taught them);
a dispute keeps the row off until a person or a majority of provenances settles it.

Identification is repeated with what the previous round identified (names and CAS numbers of
rows joined by at least two agreeing facts or one trusted one), until nothing changes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from rdkit import Chem
from rdkit.Chem.rdMolDescriptors import CalcMolFormula

from subsmatch.compile.read.text import name_and_aliases
from subsmatch.compile.records import Name, Row
from subsmatch.compile.roles import SourceRole
from subsmatch.compile.spelling import name_risks, opsin_spellings, respell, without_stereo_locants
from subsmatch.compile.witnesses import (
    OWN_NAME,
    Claim,
    Claims,
    Dispute,
    cas_keys,
    name_claim_keys,
    whole_connectivity,
)
from subsmatch.substances.labels import isotope_label
from subsmatch.substances.names import compact_key, normalise, spelling_fold
from subsmatch.substances.opsin import names_to_smiles
from subsmatch.substances.opsin_checks import doubts
from subsmatch.substances.structures import (
    StructureError,
    StructureKeys,
    keys_of,
    parse,
    without_stereo,
)

WEIGHTS = {
    "given:trusted": 10,  # a structure an identity list gives
    "given:curated": 10,  # a structure or systematic name a person gave (curated/overrides.csv)
    "inchikey": 10,  # an InChIKey an identity vocabulary gives (DrugBank)
    "name": 4,  # the row's preferred name or INN, which the identified rows tie to one structure
    "name:code": 3,  # a code or systematic name of the row, tied to one structure
    "name:other": 2,  # any other name of the row (a synonym a list adds), tied to one structure
    "cas": 2,  # a CAS number the identified rows tie to exactly one structure
    "given:unreviewed": 2,  # a structure from an unreviewed list
    "opsin": 2,  # OPSIN's reading of a name
    "given:from_knowledge": 1,  # a structure given from knowledge: needs a second fact
    "opsin:risky": 1,  # OPSIN's reading of a name with a feature it is known to misread
    "ester": 2,  # "X acid, ethyl ester": the ester of the structure X's name is tied to
    "witness": 0,  # another source's given structure under a name or CAS of the row: see settle
}
NAME_KIND_WEIGHT = {
    "preferred": "name",
    "inn": "name",
    "code": "name:code",
    "systematic": "name:code",
}
MARGIN = 2
"""A row joins the heaviest cluster of facts when it outweighs every other by this much (and so a
lone fact must weigh at least this: a from-knowledge structure or a risky reading never does)."""
STRONG = 4
"""Rows joined by at least this much support, or by two agreeing facts, teach the next round
their names and CAS numbers."""
MIN_NAME_KEY = 3  # a shorter name ("K", "H") ties nothing to a structure
MIN_VOCABULARY_KEY = 5  # a vocabulary's short abbreviations ("NPP") are other fields' codes
SKIPPED_NOTES = ("not loaded", "not applied", "not placed")

IDENTITY_KINDS = ("preferred", "inn", "code", "other", "systematic", "curated")
_STEREO_WORD = re.compile(
    r"^(?:dextro|levo|dex|lev|es(?=[a-z]{4})|ar(?=[a-z]{5}))|\((?:[RS]|[+-]|[RS],[RS].*)\)|^[dl]-",
    re.I,
)
_RACEMIC = re.compile(r"\d\s*RS\b|\(±\)|\brac-|\(RS\)|\d\s*SR\b|\(\+/-\)|\(\+-\)", re.I)
_ISOTOPE_WORDS = re.compile(
    r"deuter|-d\d|\[2h\]|\[13c\]|\[18f\]|\[11c\]|\bd\d\b|tritium|\(2h", re.I
)
_PARENTHESISED_LABEL = re.compile(r"\(\s*\d{1,3}m?\s*[A-Z][a-z]?\s*\)")  # "Florbetapir (18F)"


def _states_label(name: Name) -> bool:
    """Whether a name states an isotope label ('Urea C-14', 'Flutemetamol (18F)', 'MDMA-d5').

    >>> [_states_label(Name(n)) for n in ("Urea C-14", "Florbetapir (18F)", "4'-methyl-a-PPP")]
    [True, True, False]
    """
    text = name.text
    return bool(
        isotope_label(text) or _ISOTOPE_WORDS.search(text) or _PARENTHESISED_LABEL.search(text)
    )


@dataclass(frozen=True)
class Ident:
    """A structure: standardised keys when drawable, else only an InChIKey (DrugBank).

    ``whole`` is the skeleton of the structure as given, salts and counter-ions kept (an
    identity vocabulary's InChIKey is of the whole compound: codeine methylbromide's is the
    salt's, the standardised structure the N-methylcodeinium cation's); it takes no part in
    equality.
    """

    inchikey: str
    keys: StructureKeys | None = None
    whole: str = field(default="", compare=False)

    @property
    def connectivity(self) -> str:
        return self.inchikey.split("-", 1)[0]

    @property
    def flat(self) -> bool:
        """No stereo layer: it covers every stereoisomer of its skeleton."""
        if self.keys is not None:
            return not self.keys.has_stereo
        return self.inchikey.split("-")[1].startswith("UHFFFAOY")


def ident_of(keys: StructureKeys, whole: str = "") -> Ident:
    return Ident(keys.inchikey, keys, whole)


def same_compound(a: Ident, b: Ident) -> bool:
    """An InChIKey without a structure and a drawn salt are the same compound when the key is
    that of the drawing as given, salt kept (the key's skeleton is the drawing's whole one and
    not its standardised one: without a salt, the usual comparison of skeleton and stereo holds).

    >>> cation = Ident("MLIBORQWQWVNCO-UHFFFAOYSA-N", whole="KIKLDWULAZATJG")
    >>> same_compound(Ident("KIKLDWULAZATJG-YZZSNFJZSA-M"), cation)
    True
    >>> same_compound(Ident("OROGSEYTTFOCAN-DNJOTXNNSA-N"), cation)
    False
    >>> flat = Ident("AYXYPKUFHZROOJ-UHFFFAOYSA-N", whole="AYXYPKUFHZROOJ")  # no salt
    >>> same_compound(Ident("AYXYPKUFHZROOJ-ZETCQYMHSA-N"), flat)
    False
    """
    key_only, drawn = (a, b) if a.keys is None else (b, a)
    return (
        key_only.keys is None
        and bool(drawn.whole)
        and key_only.connectivity == drawn.whole != drawn.connectivity
    )


@dataclass(frozen=True)
class Fact:
    """One fact about a row: the structure it points to, how much it weighs, what it is."""

    kind: str  # a key of WEIGHTS
    ident: Ident
    what: str  # "CAS 50-36-2", "name 'heroine'", "OPSIN 'diamorfine'", "given structure"
    weak_stereo: bool = False  # OPSIN: its stereo is no evidence
    systematic: bool = False  # OPSIN: a sure reading of a systematic name the row itself gives

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind]


def compatible(a: Fact, b: Fact) -> bool:
    """Two facts name the same structure: same skeleton, and the same stereo unless one of them
    leaves it open (a flat drawing, or an OPSIN reading whose stereo is no evidence). An InChIKey
    without a structure agrees with the drawing it is the whole-compound key of (a salt)."""
    if same_compound(a.ident, b.ident):
        return True
    if a.ident.connectivity != b.ident.connectivity:
        return False
    return (
        a.ident.inchikey == b.ident.inchikey
        or a.ident.flat
        or b.ident.flat
        or a.weak_stereo
        or b.weak_stereo
    )


def clusters(facts: Iterable[Fact]) -> list[list[Fact]]:
    """Facts grouped by the structure they name, strongest fact first."""
    groups: list[list[Fact]] = []
    for fact in sorted(facts, key=lambda f: (-f.weight, f.what, f.ident.inchikey)):
        for group in groups:
            if all(compatible(fact, other) for other in group):
                group.append(fact)
                break
        else:
            groups.append([fact])
    return groups


def representative(group: Sequence[Fact]) -> Ident:
    """The structure a cluster stands for: its heaviest fact with evidence for its stereo; a
    specific stereoisomer over a flat drawing when only one is given."""
    strong = [f for f in group if not f.weak_stereo] or list(group)
    # a structure-less InChIKey of a whole salt yields to the drawing it is the key of
    drawn = [f.ident for f in group if f.ident.keys is not None]
    strong = [
        f for f in strong if not any(same_compound(f.ident, other) for other in drawn)
    ] or strong
    top = max(f.weight for f in strong)
    idents = sorted({f.ident for f in strong if f.weight == top}, key=lambda i: i.inchikey)
    specific = [i for i in idents if not i.flat]
    chosen = idents[0] if len(idents) == 1 or len(specific) != 1 else specific[0]
    if chosen.flat:  # a flat drawing is underspecified when an agreeing fact gives the stereo
        refined = sorted({f.ident for f in strong if not f.ident.flat}, key=lambda i: i.inchikey)
        if len(refined) == 1:
            return refined[0]
    return chosen


@dataclass(frozen=True)
class Decision:
    """Which structure a row is (None: none) and the facts for and against it."""

    ident: Ident | None
    support: tuple[Fact, ...]
    against: tuple[Fact, ...]
    reason: str

    @property
    def weight(self) -> int:
        return sum(f.weight for f in self.support)

    @property
    def strong(self) -> bool:
        """Strong enough to teach other rows: two agreeing facts, a heavy one, or an
        uncontested one."""
        return self.weight >= STRONG or len(self.support) >= 2 or not self.against

    @property
    def settled_by_structure_or_cas(self) -> bool:
        return any(f.kind.startswith(("given", "inchikey", "cas", "witness")) for f in self.support)


CONTRADICTS = "given structure contradicts"
"""How a decision on a self-contradicting row begins its reason (the audit lists them apart)."""
SOURCE_GIVEN = ("given:trusted", "given:unreviewed", "given:from_knowledge", "inchikey")
"""Structures a source gives (a person's structure, ``given:curated``, is not checked again)."""
DISPUTED = "given structure disputed by other sources"
"""How a decision on a row whose given structure other sources contradict (under its names or
CAS numbers: :mod:`subsmatch.compile.witnesses`) begins its reason."""


def contradiction(facts: Sequence[Fact]) -> tuple[Fact, list[Fact]] | None:
    """The row's given structure and the sure OPSIN readings of its own systematic names that
    name another skeleton (connectivity: stereo aside), when there are any."""
    given = next((f for f in facts if f.kind in SOURCE_GIVEN), None)
    if given is None:
        return None
    readings = [
        f
        for f in facts
        if f.kind == "opsin" and f.systematic and f.ident.connectivity != given.ident.connectivity
    ]
    return (given, readings) if readings else None


def settle(given: Fact, readings: list[Fact], facts: Sequence[Fact]) -> Decision:
    """A row whose given structure contradicts its own systematic name, settled by a third fact
    independent of both: a ``witness`` (another source's given structure under one of the
    row's names or CAS numbers; facts the identified rows teach could echo this very row) or a
    person's systematic name. The side it agrees with wins; with none, or with both sides
    supported, the row stays off both structures. The row's formula has already ruled out
    whichever side it contradicts (:meth:`Identifier.facts`).

    >>> pv8 = Ident("XXXXXXXXXXXXXX-UHFFFAOYSA-N")
    >>> methoxy = Ident("YYYYYYYYYYYYYY-UHFFFAOYSA-N")
    >>> given = Fact("given:trusted", methoxy, "given structure")
    >>> read = Fact("opsin", pv8, "OPSIN 'heptan-1-one'", weak_stereo=True, systematic=True)
    >>> witness = Fact("witness", pv8, "PV8 given by eu_nps:12")
    >>> settle(given, [read], [given, read, witness]).ident == pv8
    True
    >>> name = Fact("name", pv8, "name 'PV-8'")  # the row's name agrees with the winner: kept
    >>> [f.what for f in settle(given, [read], [given, read, witness, name]).against]
    ['given structure']
    >>> settle(given, [read], [given, read, Fact("name", pv8, "name 'PV-8'")]).ident is None
    True
    """
    third = [f for f in facts if f.kind in ("witness", "given:curated")]
    sides = [[given], *[[r] for r in readings]]
    backed = [
        side + [f for f in third if f.ident.connectivity == side[0].ident.connectivity]
        for side in sides
    ]
    backed = [side for side in backed if len(side) > 1]
    systematic = ", ".join(r.what for r in readings)
    if len(backed) != 1:
        why = "both sides have support" if backed else "no third fact settles it"
        return Decision(None, (), tuple(facts), f"{CONTRADICTS} {systematic}: {why}")
    side = backed[0]
    # every fact naming the winning structure is on its side (the row's own names and CAS
    # numbers that agree with it are not lost with the losing side)
    won = side + [
        f for f in facts if f not in side and f.ident.connectivity == side[0].ident.connectivity
    ]
    lost = tuple(f for f in facts if f not in won)
    for_what = "the given structure" if side[0] is given else "the systematic name"
    by = ", ".join(f.what for f in side[1:])
    return Decision(
        representative(won),
        tuple(won),
        lost,
        f"{CONTRADICTS} {systematic}: settled for {for_what} by {by}",
    )


def decide(facts: Sequence[Fact]) -> Decision:
    """Join the row to the heaviest cluster when it outweighs every other by MARGIN; a given
    structure that the row's own systematic name contradicts is settled by :func:`settle`.

    >>> from subsmatch.substances.structures import keys_of
    >>> meph = Ident("YELGFTGWJGBAQU-UHFFFAOYSA-N")
    >>> methcath = Ident("LPLLVINFLBSFRP-UHFFFAOYSA-N")
    >>> decide([Fact("name", meph, "name"), Fact("cas", methcath, "CAS")]).ident == meph
    True
    >>> decide([Fact("cas", methcath, "CAS"), Fact("opsin", meph, "OPSIN")]).ident is None
    True
    >>> decide([Fact("given:from_knowledge", meph, "given")]).ident is None
    True
    >>> risky = Fact("opsin:risky", methcath, "OPSIN b")
    >>> decide([Fact("opsin", meph, "OPSIN a"), risky]).ident == meph
    True
    """
    if not facts:
        return Decision(None, (), (), "no fact")
    if found := contradiction(facts):
        return settle(*found, facts)
    facts = [f for f in facts if f.kind != "witness"]
    if not facts:
        return Decision(None, (), (), "no fact")
    groups = sorted(
        clusters(facts), key=lambda g: (-sum(f.weight for f in g), representative(g).inchikey)
    )
    best, rest = groups[0], groups[1:]
    best_weight = sum(f.weight for f in best)
    # a risky reading that disagrees is what its risk predicts: reported, but it blocks nothing
    rival = max((sum(f.weight for f in g if f.kind != "opsin:risky") for g in rest), default=0)
    if best_weight - rival >= MARGIN:
        reason = "agreement" if len(best) > 1 else f"single {best[0].kind} fact"
        if rest:
            reason += f" outweighing {sum(len(g) for g in rest)} disagreeing fact(s)"
        return Decision(
            representative(best), tuple(best), tuple(f for g in rest for f in g), reason
        )
    reason = "facts disagree" if rest else f"a lone {best[0].kind} fact is not enough"
    return Decision(None, (), tuple(facts), reason)


def name_keys(text: str, language: str) -> tuple[list[str], list[str]]:
    """The exact keys of a name (as written and respelt in English), separator-blind so that
    spacing and hyphen variants of a code meet (CP 47,497 = CP-47,497), and their folded forms.

    >>> name_keys("CP 47,497", "en")[0] == name_keys("CP-47,497", "en")[0]
    True
    """
    keys = [normalise(text).key]
    respelt = respell(text, language)
    if respelt != text:
        keys.append(normalise(respelt).key)
    keys = [k for k in dict.fromkeys(keys) if k]
    folded = [f for f in dict.fromkeys(spelling_fold(k) for k in keys) if len(f) >= 5]
    exact = list(dict.fromkeys(compact_key(k) for k in keys))
    return exact, folded


_LOCANT = re.compile(r"\d")


def systematic_enough(name: Name) -> bool:
    """A chemical name whose OPSIN reading may witness for a structure: a systematic or a
    person's name, or one that places its parts with locants ("4-methyl-2,5-dimethoxy-
    amphetamine"); not a trivial or ester name OPSIN completes by guessing ("testosterone
    succinate", "iodine").

    >>> systematic_enough(Name("N-(2-fluorophenyl)-N-(1-phenethylpiperidin-4-yl)butyramide"))
    True
    >>> systematic_enough(Name("Testosterone succinate"))
    False
    """
    return name.kind in ("systematic", "curated") or bool(_LOCANT.search(name.text))


def organic_components(structure: str) -> int:
    """How many carbon-bearing fragments of different formulas a given structure draws: more
    than one is a co-crystal or a mixture (chloral betaine, dichloralphenazone), whose
    standardised parent (the largest fragment) would be a component, not the substance; salts
    with an inorganic counter-ion and isomers drawn side by side count one.

    >>> organic_components("C[N+](C)(C)CC(=O)[O-].OC(O)C(Cl)(Cl)Cl")
    2
    >>> organic_components("C[N+]1(C)CCC23C4C1CC5=C2C(=C(C=C5)OC)OC3C(C=C4)O.[Br-]")
    1
    """
    mol = parse(structure)
    formulas = {
        CalcMolFormula(part)
        for part in Chem.GetMolFrags(mol, asMols=True)
        if any(atom.GetAtomicNum() == 6 for atom in part.GetAtoms())
    }
    return len(formulas)


def stereo_marked(name: str) -> bool:
    """The name itself says which stereoisomer (levo-, dextro-, (S)-, d-)."""
    return bool(_STEREO_WORD.search(name.strip()))


@dataclass
class _Entry:
    ident: Ident
    rows: set[str] = field(default_factory=set)


def _sources(entry: _Entry) -> int:
    return len({ref.rsplit(":", 1)[0] for ref in entry.rows})


def _resolve(entries: Iterable[_Entry], marked: bool) -> Ident | None:
    """The one structure entries of an index name: one skeleton, and among its stereo forms
    the one most sources give; when as many give a flat drawing as a stereoisomer, the
    stereoisomer if the name marks one (levo-, (S)-) and there is only one, else the flat one.

    >>> flat, s = Ident("MYWUZJCMWCOHBA-UHFFFAOYSA-N"), Ident("MYWUZJCMWCOHBA-VIFPVBQESA-N")
    >>> _resolve([_Entry(flat, {"a:1", "b:2"}), _Entry(s, {"c:3"})], marked=False) == flat
    True
    >>> _resolve([_Entry(flat, {"a:1"}), _Entry(s, {"c:3"})], marked=True) == s
    True
    """
    entries = list(entries)
    drawn = [e.ident for e in entries if e.ident.keys is not None]
    # a structure-less InChIKey of a whole salt stands for the drawing it is the key of
    entries = [e for e in entries if not any(same_compound(e.ident, other) for other in drawn)]
    if not entries or len({e.ident.connectivity for e in entries}) > 1:
        return None
    merged: dict[Ident, set[str]] = defaultdict(set)
    for entry in entries:
        merged[entry.ident] |= entry.rows
    ranked = sorted(
        merged.items(), key=lambda item: (-_sources(_Entry(item[0], item[1])), item[0].inchikey)
    )
    if len(ranked) == 1:
        return ranked[0][0]
    top = _sources(_Entry(*ranked[0]))
    leaders = [ident for ident, rows in ranked if _sources(_Entry(ident, rows)) == top]
    if len(leaders) == 1:
        return leaders[0]
    specific = [i for i in leaders if not i.flat]
    flat = [i for i in leaders if i.flat]
    if marked and len(specific) == 1:
        return specific[0]
    if len(flat) == 1:
        return flat[0]
    return specific[0] if len(specific) == 1 else None


class Index:
    """Names and CAS numbers of identified rows, with the rows that gave them."""

    def __init__(
        self, vocabularies: frozenset[str] = frozenset(), other_sources: bool = False
    ) -> None:
        self.vocabularies = vocabularies
        self.other_sources = other_sources  # only other sources' rows answer, not other rows
        self.exact: dict[str, dict[str, _Entry]] = defaultdict(dict)
        self.folded: dict[str, dict[str, _Entry]] = defaultdict(dict)
        self.cas: dict[str, dict[str, _Entry]] = defaultdict(dict)

    @staticmethod
    def _add(table: dict[str, dict[str, _Entry]], key: str, ident: Ident, ref: str) -> None:
        table[key].setdefault(ident.inchikey, _Entry(ident)).rows.add(ref)

    def add(
        self, row: Row, ident: Ident, names: Iterable[Name], cas: Iterable[str], language: str
    ) -> None:
        for name in names:
            exact, folded = name_keys(name.text, name.language or language)
            for key in exact:
                self._add(self.exact, key, ident, row.ref)
            for key in folded:
                self._add(self.folded, key, ident, row.ref)
        for number in cas:
            self._add(self.cas, number, ident, row.ref)

    def _others(self, table: dict[str, dict[str, _Entry]], key: str, ref: str) -> list[_Entry]:
        if self.other_sources:
            source = ref.rsplit(":", 1)[0]
            return [
                e
                for e in table.get(key, {}).values()
                if any(not r.startswith(f"{source}:") for r in e.rows)
            ]
        return [e for e in table.get(key, {}).values() if e.rows - {ref}]

    def _vocabulary_only(self, entries: list[_Entry]) -> bool:
        return all(r.rsplit(":", 1)[0] in self.vocabularies for e in entries for r in e.rows)

    def name(self, name: Name, language: str, ref: str) -> Ident | None:
        exact, folded = name_keys(name.text, name.language or language)
        marked = stereo_marked(name.text)
        for table, keys in ((self.exact, exact), (self.folded, folded)):
            for key in keys:
                if len(key) < MIN_NAME_KEY:
                    return None
                if entries := self._others(table, key, ref):
                    if len(key) < MIN_VOCABULARY_KEY:  # a vocabulary's short codes are not ours
                        entries = [e for e in entries if not self._vocabulary_only([e])]
                    return _resolve(entries, marked) if entries else None
        return None

    def cas_number(self, number: str, ref: str) -> Ident | None:
        return _resolve(self._others(self.cas, number, ref), marked=False)


_ESTER_NAME = re.compile(
    r"^(?P<acid>.+?),?\s+(?P<alkyl>methyl|ethyl|propyl|isopropyl|butyl|isobutyl|sec-butyl|tert-butyl)\s+ester$",
    re.I,
)
_ESTER_OF = re.compile(
    r"^(?P<alkyl>methyl|ethyl|propyl|isopropyl|butyl|isobutyl|sec-butyl|tert-butyl)\s+ester\s+of\s+(?P<acid>.+)$",
    re.I,
)
_ALKYL_SMILES = {
    "methyl": "C",
    "ethyl": "CC",
    "propyl": "CCC",
    "isopropyl": "C(C)C",
    "butyl": "CCCC",
    "isobutyl": "CC(C)C",
    "sec-butyl": "C(C)CC",
    "tert-butyl": "C(C)(C)C",
}
_ACID = Chem.MolFromSmarts("[CX3:1](=[O:2])[OX2H1]")


def ester_name(name: str) -> tuple[str, str] | None:
    """The acid and the alkyl group of an ester named "X acid, ethyl ester".

    >>> ester_name("P-2-P methyl glycidic acid (BMK glycidic acid), ethyl ester")
    ('P-2-P methyl glycidic acid (BMK glycidic acid)', 'ethyl')
    >>> ester_name("ethyl ester of 3,4-MDP-2-P methyl glycidic acid")
    ('3,4-MDP-2-P methyl glycidic acid', 'ethyl')
    >>> ester_name("ethyl acetate") is None
    True
    """
    match = _ESTER_NAME.match(name.strip()) or _ESTER_OF.match(name.strip())
    return (match["acid"], match["alkyl"].lower()) if match else None


def esterify(acid: StructureKeys, alkyl: str) -> StructureKeys | None:
    """The alkyl ester of an acid with exactly one carboxylic acid group (else None).

    >>> esterify(keys_of("CC1(C(=O)O)OC1c1ccccc1"), "ethyl").smiles
    'CCOC(=O)C1(C)OC1c1ccccc1'
    """
    mol = Chem.MolFromSmiles(acid.smiles)
    matches = mol.GetSubstructMatches(_ACID) if mol is not None else ()
    if len(matches) != 1:
        return None
    hydroxy = matches[0][2]
    editable = Chem.RWMol(mol)
    alkyl_mol = Chem.MolFromSmiles(_ALKYL_SMILES[alkyl])
    offset = editable.GetNumAtoms()
    editable.InsertMol(alkyl_mol)
    editable.AddBond(hydroxy, offset, Chem.BondType.SINGLE)
    editable.GetAtomWithIdx(hydroxy).SetNumExplicitHs(0)
    try:
        return keys_of(Chem.MolToSmiles(editable.GetMol()))
    except StructureError:
        return None


@dataclass(frozen=True)
class Reading:
    """OPSIN's reading of one name: the structure, and what makes it risky."""

    spelling: str
    ident: Ident
    risks: tuple[str, ...]
    read: tuple[str, str] = ("", "")  # the spelling OPSIN read and its SMILES, as OPSIN gave it

    @property
    def sure(self) -> bool:
        """No known risk in the name and no doubt about the reading (:func:`doubts`): sure
        enough to contradict a given structure."""
        return not self.risks and not doubts(*self.read)

    def names_another_compound(self, keys: StructureKeys | None) -> bool:
        """A sure reading of a locanted systematic name whose heavy atoms are not those of the
        drawing ``keys``: the name is of another compound, not a trivial name OPSIN misread, an
        isomer a source confused or a hydro/tautomer form (a Belgian row's IUPAC cell holding
        a tetrahydrocannabinol's name beside thebaine). No drawing, no judgement."""
        theirs = self.ident.keys
        return (
            self.sure
            and keys is not None
            and theirs is not None
            and bool(LOCANTS.search(self.spelling))
            and _heavy_atoms(keys.formula) != _heavy_atoms(theirs.formula)
        )


LOCANTS = re.compile(r"(?<![a-z0-9])\d+'?(?:,\d+'?)*-")  # "2-", "3,4-", "1'-" in a name


def _heavy_atoms(formula: str) -> str:
    """'C19H21NO3' -> 'C19NO3' (hydrogens aside; Hg, He, Hf, Ho kept)."""
    return re.sub(r"H\d*(?![a-z])", "", formula)


def partial_stereo(smiles: str) -> bool:
    """Some stereocentres are specified and others are not: a half-read stereo name."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return False
    centres = Chem.FindMolChiralCenters(mol, includeUnassigned=True, useLegacyImplementation=False)
    assigned = [c for c in centres if c[1] != "?"]
    return bool(assigned) and len(assigned) < len(centres)


QUATERNARY_RISK = "quaternary salt named as a salt"  # curated/opsin_risks.csv
_METHYL_HALIDES = {"CBr": "[Br-]", "CI": "[I-]", "CCl": "[Cl-]"}
_TERTIARY_AMINE = Chem.MolFromSmarts("[NX3;H0;+0;!a;!$(N-[a,$(C=[O,S,N])])]([#6])([#6])[#6]")


def quaternised(smiles: str) -> str | None:
    """OPSIN's reading of "X methylbromide" (X beside methyl bromide) as the salt the name means:
    X's one tertiary amine N-methylated, with the halide as its anion. None when the reading is
    not one structure beside a methyl halide, or the structure has no single tertiary amine
    (which nitrogen takes the methyl would be a guess).

    >>> quaternised("CBr.CN1CCCC1")
    'C[N+]1(C)CCCC1.[Br-]'
    >>> quaternised("CBr.CN(C)CCN(C)C") is None, quaternised("CC(=O)O.CN1CCCC1") is None
    (True, True)
    """
    parts = [Chem.MolFromSmiles(p) for p in smiles.split(".")]
    if len(parts) != 2 or any(m is None for m in parts):
        return None
    canonical = [Chem.MolToSmiles(m) for m in parts]
    halides = [i for i, c in enumerate(canonical) if c in _METHYL_HALIDES]
    if len(halides) != 1:
        return None
    base = Chem.RWMol(parts[1 - halides[0]])
    amines = base.GetSubstructMatches(_TERTIARY_AMINE)
    if len(amines) != 1:
        return None
    nitrogen = amines[0][0]
    methyl = base.AddAtom(Chem.Atom(6))
    base.AddBond(nitrogen, methyl, Chem.BondType.SINGLE)
    base.GetAtomWithIdx(nitrogen).SetFormalCharge(1)
    Chem.SanitizeMol(base)
    return f"{Chem.MolToSmiles(base)}.{_METHYL_HALIDES[canonical[halides[0]]]}"


def read_names(names: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Reading]:
    """OPSIN's reading of each (name, language), in one batch; names it cannot read are absent."""
    pairs = sorted(set(names))
    spellings = {pair: opsin_spellings(*pair) for pair in pairs}
    flat = sorted({s for group in spellings.values() for s in group})
    parsed = dict(zip(flat, names_to_smiles(flat), strict=True))
    readings: dict[tuple[str, str], Reading] = {}
    for pair, group in spellings.items():
        found = next(((s, parsed[s]) for s in group if parsed.get(s)), None)
        if found is None:
            continue
        spelling, smiles = found
        read = (spelling, smiles)
        risks = list(name_risks(spelling))
        notes = []
        if QUATERNARY_RISK in risks and (salt := quaternised(smiles)):
            smiles = salt  # the quaternary salt the name means, no longer a risk
            risks.remove(QUATERNARY_RISK)
            notes.append("read as the N-methyl quaternary salt")
        respelt = respell(" ".join(pair[0].replace("*", "").split()), pair[1])
        flattened = spelling == without_stereo_locants(respelt) != respelt
        partial = partial_stereo(smiles)  # a half-read stereo name: its skeleton, stereo open
        try:
            flat = flattened or partial or bool(_RACEMIC.search(spelling))
            keys = keys_of(without_stereo(smiles) if flat else smiles)
        except StructureError:
            continue
        if keys.labelled and not _states_label(Name(pair[0])):
            risks.append("isotopes the name does not mention")
        if flattened:
            notes.append("α/β descriptors not read: stereo left open")
        elif partial:
            notes.append("stereo read on only some centres: left open")
        spelling += "".join(f" ({note})" for note in notes)
        whole = whole_connectivity(smiles)
        readings[pair] = Reading(spelling, ident_of(keys, whole), tuple(risks), read)
    return readings


@dataclass
class Identified:
    """The build's identification of every row, and what it could not parse."""

    decisions: dict[int, Decision]  # row position -> decision
    unparsable: list[str]


class Identifier:
    """Facts of rows and decisions, round after round."""

    def __init__(self, rows: Sequence[Row], roles: dict[str, SourceRole]) -> None:
        self.rows = rows
        self.roles = roles
        self.unparsable: list[str] = []
        self.given: dict[int, Fact] = {}
        for i, row in enumerate(rows):
            if fact := self._given(row):
                self.given[i] = fact
        pairs = [(n.text, self._language(row, n)) for row in rows for n in self._named(row)]
        self.readings = read_names(pairs)
        self.witnesses = Index(other_sources=True)
        for i, fact in self.given.items():
            row, role = rows[i], roles[rows[i].source]
            if role.names_are_identity:
                self.witnesses.add(row, fact.ident, self._named(row), row.cas, role.language)
        self.claim_idents: dict[tuple[str, str, str], Ident] = {}
        self.claims = self._claims()

    def _sure_readings(self, row: Row) -> list[Reading]:
        """OPSIN's sure readings of the row's names systematic enough to be a chemical name
        (:func:`systematic_enough`) that its formula (if any) allows."""
        found = []
        for name in self._named(row):
            if not systematic_enough(name):
                continue
            reading = self.readings.get((name.text, self._language(row, name)))
            if reading is None or not reading.sure:
                continue
            keys = reading.ident.keys
            if row.formula and keys is not None and keys.formula != row.formula:
                continue
            found.append(reading)
        return found

    def _claim(self, i: int, provenance: str, basis: str, ident: Ident, whole: str = "") -> Claim:
        ref = self.rows[i].ref
        self.claim_idents[(ref, basis, ident.connectivity)] = ident
        return Claim(i, ref, provenance, basis, ident.connectivity, whole, ident.keys is not None)

    def ident_of_claim(self, claim: Claim) -> Ident:
        return self.claim_idents[(claim.ref, claim.basis, claim.connectivity)]

    def _own_claim(self, i: int) -> Claim | None:
        """What the row says on its own: its given structure, else the one skeleton OPSIN
        surely reads from its names (a person's systematic name counts as a person's
        structure), never what other rows taught it."""
        row = self.rows[i]
        origin = self.roles[row.source].origin
        if fact := self.given.get(i):
            whole = whole_connectivity(row.structure) if row.structure else ""
            return self._claim(i, origin, fact.kind, fact.ident, whole)
        readings = {r.ident.connectivity: r for r in self._sure_readings(row)}
        if len(readings) != 1:
            return None
        reading = next(iter(readings.values()))
        curated = any(
            n.kind == "curated" and self.readings.get((n.text, self._language(row, n))) is reading
            for n in row.names
        )
        basis = "given:curated" if curated else "opsin"
        return self._claim(i, origin, basis, reading.ident, whole_connectivity(reading.read[1]))

    def _claims(self) -> Claims:
        """Each row's own claim, filed under its name keys and CAS numbers."""
        claims: dict[int, Claim] = {}
        keys: dict[int, set[str]] = {}
        for i, row in enumerate(self.rows):
            role = self.roles[row.source]
            if not role.names_are_identity or not self.identifiable(row):
                continue
            if (claim := self._own_claim(i)) is None:
                continue
            claims[i] = claim
            keys[i] = cas_keys(row)
            for name in self._named(row):
                if role.role == "vocabulary" and name.kind not in ("preferred", "inn"):
                    continue  # a vocabulary's synonyms include its parents' names ('Testosterone')
                if normalise(name.text).form:
                    continue  # a salt's (or an ester's) name: its key is the parent's
                keys[i] |= name_claim_keys(name_keys(name.text, self._language(row, name))[0])
        return Claims(claims, keys)

    def rejected(self, decisions: dict[int, Decision]) -> set[int]:
        """Rows whose decision rejects their own claim (kept off the structure they give, or
        moved off the reading of their own name): they vouch for nothing."""
        claims = self.claims.claims
        return {
            j
            for j, decision in decisions.items()
            if j in claims
            and (decision.ident is None or decision.ident.connectivity != claims[j].connectivity)
        }

    def dispute(self, i: int, rejected: Collection[int] = frozenset()) -> Dispute | None:
        """The dispute over the row's given structure, if any (:mod:`witnesses`), heard
        without the ``rejected`` rows' claims."""
        claim = self.claims.claims.get(i)
        if claim is None or claim.basis not in SOURCE_GIVEN or claim.rank < 1:
            return None  # a structure from knowledge needs a second fact in decide already
        readings = {r.ident.connectivity: r for r in self._sure_readings(self.rows[i])}
        own = [  # one more witness when the row's own chemical names agree on one skeleton
            self._claim(i, OWN_NAME, "opsin", r.ident, whole_connectivity(r.read[1]))
            for r in readings.values()
            if len(readings) == 1
        ]
        return self.claims.dispute(claim, own, rejected)

    def _witness(self, claim: Claim) -> Fact:
        what = f"{claim.basis} of {claim.ref} ({claim.provenance})"
        return Fact("witness", self.ident_of_claim(claim), what, weak_stereo=claim.basis == "opsin")

    def decision(self, i: int, index: Index, rejected: Collection[int]) -> Decision:
        """The row's decision by its facts (:func:`decide`); a given structure that won them
        and that other sources dispute is settled as the dispute is (:meth:`dispute`, without
        the claims the previous round rejected)."""
        decision = decide(self.facts(i, index))
        if decision.reason.startswith(CONTRADICTS) or decision.ident is None or i not in self.given:
            return decision
        if decision.ident.connectivity != self.given[i].ident.connectivity:
            return decision  # the row's own facts already keep it off its given structure
        dispute = self.dispute(i, rejected)
        return decision if dispute is None else self._disputed(decision, dispute)

    def _disputed(self, decision: Decision, dispute: Dispute) -> Decision:
        sides = [
            [self._witness(c) for c in side if c is not dispute.given] for side in dispute.sides
        ]
        reason = f"{DISPUTED}: {dispute.reason}"
        if dispute.winner is None:
            every = (*decision.support, *decision.against, *[f for s in sides for f in s])
            return Decision(None, (), every, f"{reason}; kept off every structure")
        won = next(k for k, side in enumerate(dispute.sides) if dispute.winner in side)
        lost = tuple(f for k, side in enumerate(sides) if k != won for f in side)
        if won == 0:
            return Decision(
                decision.ident,
                (*decision.support, *sides[0]),
                (*decision.against, *lost),
                f"{reason}; settled for the given structure",
            )
        winner = self.ident_of_claim(dispute.winner)
        # the row's own facts that name the winning structure are on its side, not lost
        own = (*decision.support, *decision.against)
        agree = tuple(f for f in own if f.ident.connectivity == winner.connectivity)
        return Decision(
            winner,
            (*sides[won], *agree),
            (*(f for f in own if f not in agree), *lost),
            f"{reason}; settled for the structure of {dispute.winner}",
        )

    def _language(self, row: Row, name: Name) -> str:
        return name.language or self.roles[row.source].language

    def _other_compound(self, row: Row, name: Name, decision: Decision) -> bool:
        """A name of the row that OPSIN surely reads as another compound than the row's
        structure (:meth:`Reading.names_another_compound`) names nothing for other rows."""
        reading = self.readings.get((name.text, self._language(row, name)))
        return reading is not None and reading.names_another_compound(decision.ident.keys)

    @staticmethod
    def _named(row: Row) -> list[Name]:
        return [n for n in row.names if n.kind in IDENTITY_KINDS]

    def _given(self, row: Row) -> Fact | None:
        if row.inchikey:
            return Fact("inchikey", Ident(row.inchikey), f"InChIKey {row.inchikey}")
        if not row.structure:
            return None
        try:
            keys = keys_of(row.structure)
        except StructureError as error:
            self.unparsable.append(f"{row.ref} {row.first_name}: {error}")
            return None
        if row.formula and keys.formula != row.formula:
            self.unparsable.append(
                f"{row.ref} {row.first_name}: given formula {row.formula}, structure {keys.formula}"
            )
            return None
        if row.trust != "curated" and keys.labelled and not any(map(_states_label, row.names)):
            self.unparsable.append(
                f"{row.ref} {row.first_name}: the structure carries isotope labels that none of "
                "the row's names states (a list names substances, not labelled forms)"
            )
            return None
        if row.trust != "curated" and (parts := organic_components(row.structure)) > 1:
            self.unparsable.append(
                f"{row.ref} {row.first_name}: {parts} organic components of different formulas "
                "(a co-crystal or a mixture); standardised, it would be only one of them"
            )
            return None
        trust = row.trust or self.roles[row.source].structures
        whole = whole_connectivity(row.structure)
        return Fact(f"given:{trust}", ident_of(keys, whole), f"given structure ({trust})")

    def facts(self, i: int, index: Index) -> list[Fact]:
        row = self.rows[i]
        found = [self.given[i]] if i in self.given else []
        for number in row.cas:
            if ident := index.cas_number(number, row.ref):
                found.append(Fact("cas", ident, f"CAS {number}"))
        seen: set[str] = set()
        for name in self._named(row):
            language = self._language(row, name)
            key = normalise(name.text).key
            if key in seen:
                continue
            seen.add(key)
            if ident := index.name(name, language, row.ref):
                kind = NAME_KIND_WEIGHT.get(name.kind, "name:other")
                found.append(Fact(kind, ident, f"name '{name.text}'"))
            if derived := self._ester(name.text, language, row.ref, index):
                found.append(derived)
            if reading := self.readings.get((name.text, language)):
                if row.formula and reading.ident.keys and reading.ident.keys.formula != row.formula:
                    continue
                if (
                    name.kind == "curated"
                ):  # a person's systematic name: as good as a given structure
                    found.append(
                        Fact(
                            "given:curated",
                            reading.ident,
                            f"curated name '{reading.spelling}' (OPSIN)",
                        )
                    )
                    continue
                kind = "opsin:risky" if reading.risks else "opsin"
                risk = f" ({'; '.join(reading.risks)})" if reading.risks else ""
                found.append(
                    Fact(
                        kind,
                        reading.ident,
                        f"OPSIN '{reading.spelling}'{risk}",
                        weak_stereo=True,
                        systematic=name.kind == "systematic" and i in self.given and reading.sure,
                    )
                )
        if contradiction(found):
            found += self._witnesses(row)
        return found

    def _witnesses(self, row: Row) -> list[Fact]:
        """Other sources' given structures under the row's names and CAS numbers."""
        found = []
        for name in self._named(row):
            if ident := self.witnesses.name(name, self._language(row, name), row.ref):
                found.append(
                    Fact("witness", ident, f"another source's structure for '{name.text}'")
                )
        for number in row.cas:
            if ident := self.witnesses.cas_number(number, row.ref):
                found.append(Fact("witness", ident, f"another source's structure for CAS {number}"))
        return found

    def _ester(self, text: str, language: str, ref: str, index: Index) -> Fact | None:
        """An ester named after its acid ("X acid, ethyl ester"), when X is tied to a structure."""
        ester = ester_name(text)
        acid = self._acid(ester[0], language, ref, index) if ester else None
        derived = esterify(acid, ester[1]) if acid else None
        if derived is None:
            return None
        return Fact(
            "ester", ident_of(derived), f"{ester[1]} ester of '{ester[0]}'", weak_stereo=True
        )

    @staticmethod
    def _acid(text: str, language: str, ref: str, index: Index) -> StructureKeys | None:
        """The drawable structure the acid part of an ester name is tied to."""
        for alias in name_and_aliases(text):
            ident = index.name(Name(alias, "other", language), language, ref)
            if ident is not None and ident.keys is not None:
                return ident.keys
        return None

    def identifiable(self, row: Row) -> bool:
        """Rows that stand for a substance of their own and are not plant material,
        preparations or groups (those have no single structure)."""
        role = self.roles[row.source]
        if row.material or row.note.startswith(SKIPPED_NOTES) or not row.names:
            return False
        return role.makes_substances or role.role == "vocabulary" or bool(row.structure or row.cas)

    def index_of(self, decisions: dict[int, Decision]) -> Index:
        """Names and CAS numbers of rows given a structure by a trusted source, and of rows
        identified strongly, from tables whose names are identity."""
        vocabularies = frozenset(s for s, role in self.roles.items() if role.role == "vocabulary")
        index = Index(vocabularies)
        for i, decision in sorted(decisions.items()):
            row = self.rows[i]
            role = self.roles[row.source]
            if decision.ident is None or not role.names_are_identity or not decision.strong:
                continue
            lost_names = {f.what for f in decision.against}
            names = [
                n
                for n in self._named(row)
                if f"name '{n.text}'" not in lost_names
                and not self._other_compound(row, n, decision)
            ]
            lost_cas = {f.what for f in decision.against if f.kind == "cas"}
            cas = [c for c in row.cas if f"CAS {c}" not in lost_cas]
            index.add(row, decision.ident, names, cas, role.language)
        return index

    def run(self, rounds: int = 5) -> Identified:
        positions = [i for i, row in enumerate(self.rows) if self.identifiable(row)]
        anchors = {  # trusted structures no other source disputes
            i: Decision(f.ident, (f,), (), "given")
            for i, f in self.given.items()
            if f.weight >= WEIGHTS["given:trusted"]
            and i in set(positions)
            and ((dispute := self.dispute(i)) is None or dispute.upholds)
        }
        decisions = dict(anchors)
        for _ in range(rounds):
            index = self.index_of(decisions)
            rejected = self.rejected(decisions)
            updated = {i: self.decision(i, index, rejected) for i in positions}
            if updated == decisions:
                break
            decisions = updated
        return Identified(decisions, self.unparsable)
