"""What a name says beside its substance: an isotope label, or that the ion is meant.

A radiolabelled or stable-isotope tracer is named after its unlabelled parent with the label
written around it: "Acetic acid C-11", "Fludeoxyglucose, F-18", "[11C]raclopride",
"(1,2,6,7-3H)Testosterone", "18F-FDG", "Carbon-13 urea", "Helium-3", "tritiated naloxone",
and the deuterated internal standards of a lab's methods by their count of deuterium atoms
after a hyphen: "MDMA-d5", "Cocaine-D3" ("Vitamin D3", with a space, is no label).
:func:`isotope_label` splits such a name into the parent's name and the label. The label is
an isotope only when the element exists and the isotope is known (RDKit's periodic table) and
is not the element's common one: 4F-PHP, 5F-ADB, 2C-B and 25I-NBOMe carry no label (no F-4,
F-5, C-2 or I-25), and neither does "1H-indole" (a lone H after a number is the indicated
hydrogen of ring nomenclature, never read as a label unless bracketed). The resolver then asks
that the label's element be in the parent's structure ("Vitamin B 12" is no boron-12 of a
vitamin) and answers the parent, uncertain: the label's position is not given, so the
labelled structure cannot be drawn (:mod:`resolve`).

"Choline ion", "Cobalt(II) cation", "Fluoride-18 anion", "Cobalt, ion (Co2+)": the ion of a
substance has the same parent structure once standardised (a salt's parent is its
neutralised ion), so :func:`ion_parent` gives the name without its ion word.

>>> isotope_label("Acetic acid C-11"), isotope_label("[11C]raclopride")
(('Acetic acid', 'C-11'), ('raclopride', 'C-11'))
>>> isotope_label("(1,2,6,7-3H)Testosterone"), isotope_label("18F-FDG")
(('Testosterone', 'H-3'), ('FDG', 'F-18'))
>>> isotope_label("Carbon-13 urea"), isotope_label("Helium-3"), isotope_label("tritiated water")
(('urea', 'C-13'), ('Helium', 'He-3'), ('water', 'H-3'))
>>> isotope_label("MDMA-d5"), isotope_label("Cocaine-D3")
(('MDMA', 'H-2'), ('Cocaine', 'H-2'))
>>> [isotope_label(t) for t in ("4F-PHP", "5F-ADB", "2C-B", "1H-indole", "Vitamin D3", "JWH-018")]
[None, None, None, None, None, None]
>>> [isotope_label(t) for t in ("alpha-D2PV", "D9-THCP", "MDMA-d", "vitamin-d0")]
[None, None, None, None]
>>> ion_parent("Choline ion"), ion_parent("Cobalt, ion (Co2+)"), ion_parent("Fluoride-18 anion")
('Choline', 'Cobalt', 'Fluoride-18')
>>> ion_parent("Ion exchange resin"), ion_parent("Cation")
(None, None)
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from subsmatch.substances.structures import parse

if TYPE_CHECKING:
    from rdkit.Chem.rdchem import PeriodicTable

Label = tuple[str, str]  # (the parent's name, the label as "C-11")
NOBLE_GASES = frozenset({"He", "Ne", "Ar", "Kr", "Xe", "Rn"})  # elements found as lone atoms

_MASS = r"(?P<mass>\d{1,3})(?P<meta>m)?"
_MASS_END = frozenset("0123456789m")  # the last character of a label written after the name
_SYMBOL = r"(?P<symbol>[A-Za-z]{1,2})"
# patterns as text, compiled (and kept) by re when a name first needs them: importing the
# resolver compiles none (a check of a known name never does)
_LABEL_FORMS = (
    # Acetic acid C-11, Ammonia N 13, Fludeoxyglucose, F-18, Xenon Xe-127, Tc-99m
    rf"^(?P<parent>.*?[^\s,]),?\s+{_SYMBOL}[\s-]?{_MASS}$",
    # Urea 13 C, Urea-13C
    rf"^(?P<parent>.*?[^\s,-]),?[\s-]+{_MASS}[\s-]?{_SYMBOL}$",
    # [11C]raclopride, (18F)-Fluoride, [methyl-11C]..., (1,2,6,7-3H)Testosterone, [2H6]...
    rf"^[\[(](?:[^\[\]()]*[-,])?{_MASS}{_SYMBOL}\d*[\])][\s-]?(?P<parent>\S.*)$",
    # 18F-FDG, 11C-acetate, 13C urea: glued, so that a locant (17-O-acetyl) is never a label
    rf"^{_MASS}{_SYMBOL}[\s-](?P<parent>\S.*)$",
)
_ELEMENT_WORD = rf"^(?P<element>[A-Za-z]+)[\s-]?{_MASS}(?:\s+(?P<parent>\S.*))?$"
_WORDS = {"tritiated": ("H", 3), "deuterated": ("H", 2)}
_DEUTERIUM_COUNT = r"^(?P<parent>.*?[^\s,-])-[dD][1-9]\d?$"  # MDMA-d5: five deuterium atoms
_WORD_FORM = rf"(?i)^(?P<word>{'|'.join(_WORDS)})\s+(?P<parent>\S.*)$"
_ION = r"(?i)^(?P<parent>.*?[^\s,]),?\s+(?:an|cat)?ions?(?:\s*\([A-Za-z]{0,2}\d*[+-]\))?$"


@cache
def _periodic_table() -> PeriodicTable:
    """RDKit's periodic table, imported when a name first looks labelled: a check of a known
    name from the start-up cache loads no RDKit (a fifth of a second)."""
    from rdkit import Chem

    return Chem.GetPeriodicTable()


@cache
def _elements() -> tuple[dict[str, int], dict[str, int]]:
    """Element symbols and English names (lower case) -> atomic number."""
    table = _periodic_table()
    numbers = range(1, 119)
    symbols = {table.GetElementSymbol(z).lower(): z for z in numbers}
    names = {table.GetElementName(z).lower(): z for z in numbers}
    names.update({"sulphur": names["sulfur"]})
    return symbols, names


def _isotope(number: int | None, mass: str) -> str | None:
    """ "C-11" for a known isotope other than the element's common one, else None."""
    if number is None:
        return None
    table = _periodic_table()
    m = int(mass)
    if table.GetMassForIsotope(number, m) <= 0 or m == table.GetMostCommonIsotope(number):
        return None
    return f"{table.GetElementSymbol(number)}-{m}"


def isotope_label(name: str) -> Label | None:
    """The parent's name and the isotope label of a labelled name, or None (see the module)."""
    text = " ".join(name.split())
    if not text or (not any(c.isdigit() for c in text) and not re.match(_WORD_FORM, text)):
        return None  # every label but a word one has a mass number
    symbols, names = _elements()
    if m := re.match(_WORD_FORM, text):
        symbol, mass = _WORDS[m["word"].lower()]
        return m["parent"], f"{symbol}-{mass}"
    if m := re.match(_DEUTERIUM_COUNT, text):
        return m["parent"], "H-2"
    element = (m := re.match(_ELEMENT_WORD, text)) and names.get(m["element"].lower())
    if m and (label := _isotope(element, m["mass"])):
        return m["parent"] or m["element"], label + (m["meta"] or "")
    # where each form's label stands: at the end (a mass, a symbol), at the start
    ends = (text[-1] in _MASS_END, text[-1].isalpha(), text[0] in "[(", text[0].isdigit())
    for i, (form, may) in enumerate(zip(_LABEL_FORMS, ends, strict=True)):
        if not may or not (m := re.match(form, text)):
            continue
        symbol = m["symbol"].lower()
        if i == len(_LABEL_FORMS) - 1 and (symbol == "h" or not m["symbol"][0].isupper()):
            continue  # 1H-indole: indicated hydrogen; 4c-...: a code written in lower case
        if label := _isotope(symbols.get(symbol), m["mass"]):
            return m["parent"], label + (m["meta"] or "")
    return None


def ion_parent(name: str) -> str | None:
    """The name without a trailing ion word ("X ion", "X cation", "X, ion (Co2+)"), or None."""
    m = re.match(_ION, " ".join(name.split()))
    return m["parent"] if m else None


_CHARGE = r"\((?:[A-Z][a-z]?)?(?P<count>\d*)(?P<sign>[+-])\)"


def stated_charge(name: str) -> int | None:
    """The charge an ion's name states in brackets ("(2+)", "(Zn2+)", "(1-)"), or None.

    >>> stated_charge("Zinc ion(2+)"), stated_charge("Iron, ion (Fe3+)"), stated_charge("Zinc ion")
    (2, 3, None)
    """
    m = re.search(_CHARGE, name)
    if not m:
        return None
    return int(m["count"] or 1) * (1 if m["sign"] == "+" else -1)


def charge_of(smiles: str) -> int:
    """The net formal charge of a structure.

    >>> charge_of("[Zn+2]"), charge_of("CC(=O)[O-]")
    (2, -1)
    """
    from rdkit import Chem  # see _periodic_table: only a name that names an ion needs it

    return Chem.GetFormalCharge(parse(smiles))


def ion_spellings(parent: str, name: str) -> tuple[str, ...]:
    """The ways a table may write the ion of ``parent`` that ``name`` names: with its charge
    first, when the name states one.

    >>> ion_spellings("Zinc", "Zinc ion(2+)")
    ('Zinc cation (2+)', 'Zinc ion (2+)', 'Zinc cation', 'Zinc anion', 'Zinc ion')
    """
    charge = stated_charge(name)
    charged = ()
    if charge is not None:
        written = f"{abs(charge)}{'+' if charge > 0 else '-'}"
        charged = (f"{parent} {'cation' if charge > 0 else 'anion'} ({written})",)
        charged += (f"{parent} ion ({written})",)
    return (*charged, f"{parent} cation", f"{parent} anion", f"{parent} ion")


def label_spellings(parent: str, label: str) -> tuple[str, ...]:
    """The ways a table may write the labelled substance: "Florbetapir (18F)", "Technetium
    Tc-99m sestamibi", "Strontium chloride Sr-89", "Samarium Sm-153", "[11C]raclopride" ...
    (``parent``, ``label`` as :func:`isotope_label` gives them).

    >>> label_spellings("Florbetapir", "F-18")[:4]
    ('Florbetapir F-18', 'Florbetapir F 18', 'Florbetapir F18', 'Florbetapir (18F)')
    >>> "technetium Tc-99m sestamibi" in label_spellings("sestamibi", "Tc-99m")
    True
    >>> label_spellings("Samarium", "Sm-153")[-3:]
    ('samarium Sm-153', 'samarium (153Sm)', 'samarium-153')
    """
    symbol, mass = label.split("-")
    element = _periodic_table().GetElementName(_elements()[0][symbol.lower()]).lower()
    labelled = (f"{symbol}-{mass}", f"{symbol} {mass}", f"{symbol}{mass}")
    forms = [f"{parent} {w}" for w in labelled]
    forms += [f"{parent} ({mass}{symbol})", f"{parent} ({symbol}-{mass})"]
    forms += [f"[{mass}{symbol}]{parent}", f"({mass}{symbol}){parent}", f"{mass}{symbol}-{parent}"]
    if parent.lower() != element:
        forms += [f"{element} {w} {parent}" for w in labelled[:2]]
        forms += [f"{element} {parent} {w}" for w in labelled[:2]]
        forms += [f"{element} ({mass}{symbol}) {parent}"]
    else:
        forms += [f"{element} {symbol}-{mass}", f"{element} ({mass}{symbol})", f"{element}-{mass}"]
    return tuple(forms)


def label_element(label: str) -> str:
    """The element symbol of a label.

    >>> label_element("Tc-99m"), label_element("C-11")
    ('Tc', 'C')
    """
    return label.split("-")[0]
