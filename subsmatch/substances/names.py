"""Name normalisation: reported substance names -> comparable lookup keys.

``normalise`` runs a list of small pure ``str -> str`` text steps (``TEXT_STEPS``, in the
manner of matchms filters: unicode, case, Greek letters, code names such as 2CB -> 2c-b, NPS
shorthand such as 4F-PHP -> 4-fluoro-alpha-php), then splits a leading stereo prefix and
trailing salt/form words off.
The salt/form vocabulary lives in ``data/form_words.csv`` (variant,canonical), the words
that make a trailing anion part of a compound name (methyl salicylate, sodium citrate) in
``data/form_blockers.csv``, and the shorthand rules, each with an example and a near miss, in
``data/shorthand.csv`` (in the manner of matchms key-conversion tables).

``guard_signature`` is the chemistry-aware guard for fuzzy matching: two names may be
fuzzy-matched only when their signatures are equal. ``compact_key`` drops spaces and hyphens
(MDMB 4en PINACA = MDMB-4en-PINACA); ``alias_parts`` splits "X (Y)" and "X / Y".
"""

from __future__ import annotations

import csv
import re
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).with_name("data")
NORMALISED_KEPT = 32_768  # names whose normalisation is kept (a few MB)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (_DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


FORM_WORDS: dict[str, str] = {
    row["variant"]: row["canonical"] for row in _read_csv("form_words.csv")
}
FORM_BLOCKERS: frozenset[str] = frozenset(row["word"] for row in _read_csv("form_blockers.csv"))
SHORTHAND: list[dict[str, str]] = _read_csv("shorthand.csv")
KEY_VERSION = format(
    zlib.crc32(b"".join(p.read_bytes() for p in (Path(__file__), *sorted(_DATA.glob("*.csv"))))),
    "08x",
)
"""Changes whenever this module or its tables change: keys stored with another version (in
the reference's names table) were made by another normaliser and must be made again."""


@dataclass(frozen=True)
class NormalisedName:
    """A reported name split into lookup base, stereo prefix and salt/form words."""

    original: str
    base: str
    stereo: str
    form: tuple[str, ...]

    @property
    def key(self) -> str:
        """The base with its stereo prefix, e.g. ``"d-amphetamine"``; the base without one."""
        return f"{self.stereo}-{self.base}" if self.stereo else self.base


# --- text steps ---------------------------------------------------------------------------

_CHAR_MAP = str.maketrans(
    {
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"),
        **dict.fromkeys("\u2018\u2019\u201b\u2032\u00b4\u02b9`", "'"),
        **dict.fromkeys("\u00b7\u2027\u2219\u22c5\u2022", " "),  # MDMA·HCl
        "\u00ad": None,  # soft hyphen
    }
)
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu",
    "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma",
    "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}  # fmt: skip
_GREEK_CHAR = re.compile(f"([{''.join(_GREEK)}])([a-z0-9])?")
_GREEK_WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "kappa", "omega")
_GREEK_WORD = re.compile(rf"(?<![a-z])({'|'.join(_GREEK_WORDS)})(?:[\s-]+|(?=\d))(?=[a-z0-9(])")
_GREEK_LOCANT_SPACE = re.compile(r"(?<![a-z])((?:alpha|beta|gamma|delta)-\d+)\s+(?=[a-z])")
_LATIN_AB = re.compile(r"(?<![A-Za-z0-9])([ab])-(?=[A-Z][A-Za-z0-9]*[A-Z])")
_D_THC = re.compile(r"(?<![a-z0-9])d(8|9|10)-thc")
_SPACED_HYPHEN = re.compile(r"\s*-\s*")
_SPACED_LOCANTS = re.compile(r"(?<=\d)\s*,\s*(?=\d)")


def nfkc(text: str) -> str:
    """Unicode compatibility composition (superscripts, full-width forms, ligatures).

    >>> nfkc("Δ⁹-THC")
    'Δ9-THC'
    """
    return unicodedata.normalize("NFKC", text)


def unify_punctuation(text: str) -> str:
    """All dashes to ``-``, quotes and primes to ``'``, middle dots to spaces.

    >>> unify_punctuation("3‐MMC – MDMA·HCl")
    '3-MMC - MDMA HCl'
    """
    return text.translate(_CHAR_MAP)


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends."""
    return " ".join(text.split())


def latin_alpha_beta(text: str) -> str:
    """A lone ``a-``/``b-`` before an upper-case code is a Greek alpha/beta (case-sensitive).

    >>> latin_alpha_beta("a-PVP"), latin_alpha_beta("a-PiHP"), latin_alpha_beta("b-keto")
    ('alpha-PVP', 'alpha-PiHP', 'b-keto')
    """
    if "a-" not in text and "b-" not in text:
        return text
    return _LATIN_AB.sub(lambda m: "alpha-" if m[1] == "a" else "beta-", text)


def casefold(text: str) -> str:
    return text.casefold()


def strip_diacritics(text: str) -> str:
    """Drop combining accents (cocaïne -> cocaine); ``±`` and Greek letters stay.

    >>> strip_diacritics("cocaïne")
    'cocaine'
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def greek_letters(text: str) -> str:
    """Greek letters to their names, hyphenated onto a directly following letter or digit.

    >>> greek_letters("δ9-thc"), greek_letters("α-pvp"), greek_letters("αpvp")
    ('delta-9-thc', 'alpha-pvp', 'alpha-pvp')
    """
    return _GREEK_CHAR.sub(lambda m: _GREEK[m[1]] + (f"-{m[2]}" if m[2] else ""), text)


def tidy_separators(text: str) -> str:
    """No spaces around hyphens or between comma-separated locants.

    >>> tidy_separators("25i- nbome"), tidy_separators("3, 4-mdma")
    ('25i-nbome', '3,4-mdma')
    """
    if " " not in text:
        return text
    return _SPACED_LOCANTS.sub(",", _SPACED_HYPHEN.sub("-", text))


def greek_words(text: str) -> str:
    """Join a Greek-letter word to what follows: ``alpha pvp``, ``delta9 thc``, ``d9-thc``.

    >>> greek_words("alpha pvp"), greek_words("delta9-thc"), greek_words("delta 9 thc")
    ('alpha-pvp', 'delta-9-thc', 'delta-9-thc')
    >>> greek_words("alphaprodine"), greek_words("d9-thc")
    ('alphaprodine', 'delta-9-thc')
    """
    if "thc" in text:
        text = _D_THC.sub(r"delta-\1-thc", text)
    if not any(word in text for word in _GREEK_WORDS):
        return text
    return _GREEK_LOCANT_SPACE.sub(r"\1-", _GREEK_WORD.sub(r"\1-", text))


def strip_edge_punctuation(text: str) -> str:
    return text.lstrip(" ,;:").rstrip(" .,;:!?")


# --- code names ----------------------------------------------------------------------------


def _locant(m: re.Match[str]) -> str:
    return m[0] if m[0] in FORM_WORDS else f"{m[1]}-{m[2]}"  # 2hcl is a salt, not a code


_CODE_RULES: list[tuple[tuple[str, ...], re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # (substrings one of which must occur: a cheap pre-check, pattern, replacement)
    # 2C-T-2, 2CT2, 2C-T2 -> 2c-t-2
    (("2c",), re.compile(r"(?<![a-z0-9])2c[\s-]?t[\s-]?(\d+)(?![a-z0-9])"), r"2c-t-\1"),
    # 2-CT-2 -> 2c-t-2 and 2-CB -> 2c-b: a "2-" locant reading would leave a one-letter code
    (("2-c",), re.compile(r"(?<![a-z0-9])2-ct-?(\d+)(?![a-z0-9])"), r"2c-t-\1"),
    (("2-c",), re.compile(r"(?<![a-z0-9])2-c([bcdeghinp])(?![a-z0-9])"), r"2c-\1"),
    # 2CB, 2C B, 2C-B -> 2c-b
    (("2c",), re.compile(r"(?<![a-z0-9])2c[\s-]?([a-z]{1,3})(?![a-z0-9])"), r"2c-\1"),
    # 25I-NBOMe, 25i nbome, 25CN-NBOH -> 25i-nbome
    (
        ("nb",),
        re.compile(r"(?<![a-z0-9])(\d{2}[a-z]{1,2})[\s-]*(nb[a-z0-9]{1,6})(?![a-z0-9])"),
        r"\1-\2",
    ),
    # 3MMC, 4CMC, 2FDCK, 5MeO-DMT -> 3-mmc ...: one ring locant (2-6) glued to a short code
    (tuple("23456"), re.compile(r"(?<![a-z0-9,.'-])([2-6])([a-z]{2,4})(?![a-z0-9])"), _locant),
]


def canonical_codes(text: str) -> str:
    """Hyphenate code names; systematic names and CAS numbers are left alone.

    >>> [canonical_codes(t) for t in ("2cb", "2-cb", "2c t2", "25i nbome", "3mmc", "2fdck")]
    ['2c-b', '2c-b', '2c-t-2', '25i-nbome', '3-mmc', '2-fdck']
    >>> canonical_codes("2-fluorodeschloroketamine"), canonical_codes("50-37-3")
    ('2-fluorodeschloroketamine', '50-37-3')
    >>> canonical_codes("cocaine 2hcl")
    'cocaine 2hcl'
    """
    for needles, pattern, replacement in _CODE_RULES:
        if any(needle in text for needle in needles):
            text = pattern.sub(replacement, text)
    return text


_SHORTHAND_RULES = [(re.compile(row["pattern"]), row["replacement"]) for row in SHORTHAND]
# every rule's hint matches wherever its pattern does: one search tells whether any rule may
_SHORTHAND_HINT = re.compile("|".join(f"(?:{row['hint']})" for row in SHORTHAND))


def nps_shorthand(text: str) -> str:
    """The shorthand rules of ``data/shorthand.csv``, in order; digits and locants are kept.

    >>> nps_shorthand("4f-php"), nps_shorthand("4-f-alpha-php"), nps_shorthand("4-fluoro-php")
    ('4-fluoro-alpha-php', '4-fluoro-alpha-php', '4-fluoro-alpha-php')
    >>> nps_shorthand("4-fa"), nps_shorthand("php"), nps_shorthand("5-meo-dmt")
    ('4-fa', 'php', '5-methoxy-dmt')
    """
    if not _SHORTHAND_HINT.search(text):
        return text
    for pattern, replacement in _SHORTHAND_RULES:
        text = pattern.sub(replacement, text)
    return text


TEXT_STEPS: list[Callable[[str], str]] = [
    nfkc,
    unify_punctuation,
    latin_alpha_beta,
    casefold,
    strip_diacritics,
    collapse_whitespace,
    greek_letters,
    tidy_separators,
    greek_words,
    strip_edge_punctuation,
    canonical_codes,
    nps_shorthand,
]


# --- stereo prefix -------------------------------------------------------------------------

_STEREO_CANONICAL = {
    "(s)": "(s)", "(r)": "(r)", "(+)": "(+)", "(-)": "(-)", "d": "d", "l": "l",
    "(rs)": "(±)", "(r,s)": "(±)", "(r/s)": "(±)", "(±)": "(±)", "(+/-)": "(±)",
    "(+-)": "(±)", "(-/+)": "(±)", "dl": "(±)", "d,l": "(±)", "(dl)": "(±)",
    "rac": "(±)", "racemic": "(±)",
}  # fmt: skip
_STEREO_PREFIX = re.compile(
    r"(\((?:s|r|rs|r,s|r/s|±|\+/-|\+-|-/\+|\+|-|dl)\))(?:-|\s)?(?=\S)"
    r"|(dl|d,l|d|l)-(?=[a-z0-9(\[])(?!homo-|nor-)"  # not steroid ring letters (d-homo-)
    r"|(racemic|rac)[\s-](?=\S)"
    r"|([rs])(\([+-]\))-?(?=\S)"  # S(+)-amphetamine
    r"|(\(\d+[a-z]?[rs]\*?(?:,\s?\d+[a-z]?[rs]\*?)*\))-(?=\S)"  # (1S,2S)-: CIP with locants
)


def split_stereo(text: str) -> tuple[str, str]:
    """Split leading stereo prefixes off; word-level stereo (dextro-, levo-) stays.

    >>> split_stereo("(+/-)-mdma"), split_stereo("(s)-(+)-amphetamine")
    (('(±)', 'mdma'), ('(s)-(+)', 'amphetamine'))
    >>> split_stereo("s(+)-amphetamine")
    ('(s)-(+)', 'amphetamine')
    >>> split_stereo("dextromethorphan"), split_stereo("d9-thc")
    (('', 'dextromethorphan'), ('', 'd9-thc'))
    >>> split_stereo("(+)-(1s, 2s)-pseudoephedrine"), split_stereo("dl-4-hydroxyamphetamine")
    (('(+)-(1s,2s)', 'pseudoephedrine'), ('(±)', '4-hydroxyamphetamine'))
    """
    parts: list[str] = []
    while m := _STEREO_PREFIX.match(text):
        if found := m[1] or m[2] or m[3]:
            parts.append(_STEREO_CANONICAL[found])
        elif m[6]:
            parts.append(m[6].replace(" ", ""))
        else:
            parts.extend([f"({m[4]})", m[5]])
        text = text[m.end() :]
    return "-".join(parts), text


# --- stereo words (INN practice) ----------------------------------------------------------

_STEREO_WORDS = ("dextro", "levo", "race", "dex", "lev", "rac", "es", "ar")
_SHORT_STEREO_WORDS = ("es", "ar")  # two letters start many names: a longer rest is asked
STEREO_WORD_REST = 5  # letters a name must keep without its stereo word ("dopa" is too short)


def stereo_word_relatives(base: str) -> tuple[str, ...]:
    """Names that a stereo word of INN practice (levo-, dextro-, dex-, lev-, es-, ar-, race-)
    makes or unmakes on the same skeleton: the name without its word first (levobupivacaine
    -> bupivacaine: the racemate or the unspecified form), then the name with each word
    (cetirizine -> levocetirizine, dexcetirizine ...). A word is never swapped for another
    (dextromethorphan never becomes levomethorphan), and a name that begins with a digit,
    a locant or a bracket is left alone.

    >>> stereo_word_relatives("levobupivacaine")[:2]
    ('bupivacaine', 'obupivacaine')
    >>> "dextromethorphan" in stereo_word_relatives("levomethorphan")
    False
    >>> stereo_word_relatives("esketamine")[0], stereo_word_relatives("cetirizine")[:2]
    ('ketamine', ('dextrocetirizine', 'levocetirizine'))
    >>> stereo_word_relatives("4-mmc"), stereo_word_relatives("dopa")
    ((), ())
    """
    if not base[:1].isalpha() or not base.replace(" ", "").replace("-", "").isalpha():
        return ()
    unmade = [
        base[len(word) :]
        for word in _STEREO_WORDS
        if base.startswith(word)
        and len(rest := base[len(word) :]) >= STEREO_WORD_REST + (word in _SHORT_STEREO_WORDS)
        and rest[0].isalpha()
    ]
    made = [word + base for word in _STEREO_WORDS] if len(base) >= STEREO_WORD_REST else []
    return tuple(dict.fromkeys([*unmade, *made]))


# --- salt and form words -------------------------------------------------------------------

_SEPARATORS = r"[\s.,/-]"
_FORM_ALTERNATION = "|".join(
    re.escape(v).replace(r"\ ", r"\s+") for v in sorted(FORM_WORDS, key=len, reverse=True)
)
_TRAILING_FORM = re.compile(rf"^(.*?[^\s.,/-]){_SEPARATORS}+({_FORM_ALTERNATION})$")
_TRAILING_GROUP = re.compile(r"^(.*?)\s*[(\[]([^()\[\]]+)[)\]]$")
_LAST_WORD = re.compile(r"([^\s.,/-]+)$")
_FORM_ENDINGS = (")", "]", *{variant.split()[-1] for variant in FORM_WORDS})
_FORM_TOKENS = re.compile(rf"(?:{_FORM_ALTERNATION})(?!\S)|\S+")


def _form_words(text: str) -> tuple[str, ...] | None:
    """All words of ``text`` as canonical form words, or None when any is not one."""
    words = _FORM_TOKENS.findall(text)
    forms = [FORM_WORDS.get(" ".join(w.split())) for w in words]
    return None if None in forms else tuple(f for f in forms if f is not None)


def is_form_words(text: str) -> bool:
    """True when ``text`` is only salt and form words ("hydrochloride", "HCl salt").

    >>> is_form_words("hydrochloride"), is_form_words("monohydrate"), is_form_words("methyl ester")
    (True, True, False)
    """
    return bool(_form_words(casefold(collapse_whitespace(text))))


def split_forms(text: str) -> tuple[str, tuple[str, ...]]:
    """Split trailing salt/form words off; the base never becomes empty.

    >>> split_forms("mdma hcl"), split_forms("cocaine (hydrochloride)")
    (('mdma', ('hydrochloride',)), ('cocaine', ('hydrochloride',)))
    >>> split_forms("cocaine hcl crystal"), split_forms("mdma.hcl")
    (('cocaine', ('hydrochloride', 'crystal')), ('mdma', ('hydrochloride',)))
    >>> split_forms("citrate"), split_forms("methyl salicylate")
    (('citrate', ()), ('methyl salicylate', ()))
    """
    forms: tuple[str, ...] = ()
    while text.endswith(_FORM_ENDINGS):
        if (m := _TRAILING_GROUP.match(text)) and m[1] and (inner := _form_words(m[2])):
            head, found = m[1], inner
        elif m := _TRAILING_FORM.match(text):
            head, found = m[1], (FORM_WORDS[" ".join(m[2].split())],)
        else:
            break
        last = _LAST_WORD.search(head)
        if last and last[1] in FORM_BLOCKERS:
            break
        text, forms = head.rstrip(" .,/-"), found + forms
    return text, forms


# --- public API ----------------------------------------------------------------------------


@lru_cache(maxsize=NORMALISED_KEPT)  # a name is normalised for its lookup and again for fuzzy
def normalise(text: str) -> NormalisedName:
    """Normalise a reported substance name.

    >>> n = normalise("(±)-MDMA·HCl")
    >>> n.base, n.stereo, n.form, n.key
    ('mdma', '(±)', ('hydrochloride',), '(±)-mdma')
    >>> normalise("Δ9-THC").key, normalise("a-PVP").key, normalise("2C-T2").key
    ('delta-9-thc', 'alpha-pvp', '2c-t-2')
    >>> normalise("Fentanyl citrate").form, normalise("citrate").base
    (('citrate',), 'citrate')
    >>> normalise("MDMA-d5").key, normalise("dextromethorphan").stereo
    ('mdma-d5', '')
    """
    if _PLAIN_WORD.fullmatch(text) and not _SHORTHAND_HINT.search(text):
        return NormalisedName(original=text, base=text, stereo="", form=())
    return _by_steps(text)


_PLAIN_WORD = re.compile(r"[a-z]+")
"""One word of lower-case ASCII letters: every text step leaves it as it is (each needs an
upper-case letter, a digit, a separator, a bracket or a non-ASCII character to act; only a
shorthand rule, whose hint is asked, could match letters alone), and it has no stereo prefix
(one needs a bracket or a separator) nor form words (they follow a separator). Most stereo-word
relatives of a name that misses every table are such words ("levo" + "cetirizine"): their
normalisation is asked a dozen times per such name."""


def _by_steps(text: str) -> NormalisedName:
    """:func:`normalise` step by step: the text steps, then the stereo prefix and form words.

    >>> all(_by_steps(w) == normalise(w) for w in ("cocaine", "levocetirizine", "base", "dl"))
    True
    """
    cleaned = text
    for step in TEXT_STEPS:
        cleaned = step(cleaned)
    stereo, rest = split_stereo(cleaned)
    base, form = split_forms(rest)
    return NormalisedName(original=text, base=base, stereo=stereo, form=form)


_SEPARATOR_RUN = re.compile(r"[\s-]+")


def _joined(m: re.Match[str]) -> str:
    """A separator between two digits stays one (1-12 is not 11-2); others go."""
    text, start, end = m.string, m.start(), m.end()
    between_digits = start > 0 and end < len(text) and text[start - 1].isdigit()
    return "-" if between_digits and text[end].isdigit() else ""


def compact_key(key: str) -> str:
    """The key without spaces and hyphens, its stereo prefix kept apart: spellings that differ
    only in separators meet (CP 47,497 = CP-47,497 = CP47,497), a stereo letter never joins a
    word (d-ala is not dala), and two numbers never become one (x-1-2 is not x-12).

    >>> compact_key(normalise("MDMB 4en PINACA").key) == compact_key("mdmb-4en-pinaca")
    True
    >>> compact_key("3,4-mdma"), compact_key("3-cmc") == compact_key("4-cmc"), compact_key("d-ala")
    ('3,4mdma', False, 'd|ala')
    >>> {compact_key(normalise(t).key) for t in ("CP 47,497", "CP-47,497", "CP47,497")}
    {'cp47,497'}
    >>> compact_key("x-1-2") == compact_key("x-12"), compact_key("ab 1 2")
    (False, 'ab1-2')
    """
    stereo, base = split_stereo(key)
    compact = _SEPARATOR_RUN.sub(_joined, base)
    return f"{stereo}|{compact}" if stereo else compact


def name_key(text: str) -> str:
    """The key under which a reference name meets its spacing and hyphen variants: the
    normalised key, separator-blind (digits and locants kept exact).

    >>> name_key("CP 47,497") == name_key("CP-47,497") == name_key("CP47,497")
    True
    >>> name_key("3-CMC") == name_key("4-CMC")
    False
    """
    return compact_key(normalise(text).key)


_ALIAS_GROUP = re.compile(
    r"^(?P<head>.*\S)\s+[(\[](?P<alias>[^()\[\]]*[^()\[\]\s][^()\[\]]*)[)\]]$"
)
_ALIAS_SEPARATOR = re.compile(r"\s+(?:/|or)\s+")


def alias_parts(text: str) -> tuple[str, ...]:
    """The names an alias form holds, or () when it is none.

    "X (Y)" with a space before the bracket, "X / Y" and "X or Y"; a bracket of salt or form
    words ("(hydrochloride)") and a systematic name's own brackets are no alias.

    >>> alias_parts("2-Fluoroamphetamine (2-FA)"), alias_parts("MDA / tenamfetamine")
    (('2-Fluoroamphetamine', '2-FA'), ('MDA', 'tenamfetamine'))
    >>> alias_parts("1-(4-fluorophenyl)propan-2-amine"), alias_parts("cocaine (hydrochloride)")
    ((), ())
    """
    if m := _ALIAS_GROUP.match(text.strip()):
        if is_form_words(m["alias"]):
            return ()
        return (m["head"].strip(), m["alias"].strip())
    parts = tuple(p.strip() for p in _ALIAS_SEPARATOR.split(text.strip()) if p.strip())
    return parts if len(parts) > 1 else ()


# --- fuzzy guard ---------------------------------------------------------------------------

_SPELLING_FOLDS = (
    ("ph", "f"), ("th", "t"), ("y", "i"),
    ("dextro", "dex"), ("levo", "lev"),  # dextroamphetamine, dexamfetamine
)  # fmt: skip
_HARD_C = re.compile(r"c(?=[aoulr])")  # kokain, kodein, klonazepam
_INITIAL_DIGRAPH = re.compile(r"(?<![a-z])[ao]e")  # aethylmorphinum, oestradiol
# Latin, Spanish and Italian INN endings of a key's last word, only after the stem endings that
# take them (those of DrugBank's Latin and Spanish synonyms): cocainum, oxycodonum, fentanylum,
# diazepamum, lysergidum; cocaina, metadona, mazindolo
_LATIN_STEMS = (
    "in", "ol", "id", "on", "at", "an", "am", "il", "en", "ib", "ir", "al", "im", "el", "yl",
    "em", "ex", "ac",
)  # fmt: skip
_ROMANCE_STEMS = ("in", "id", "on", "at", "en", "an", "im", "ol")
_FINAL_E = re.compile(r"(?<=[a-z])e(?![a-z])")
_GUARD_TOKENS = re.compile(r"(\d+'*)|([^\W\d_]+)|(\([+\-±/]+\))")  # number | letters | sign
_SHORT_RUN = 5
_MARKERS = re.compile(
    r"^(?:dextro|dex|levo|lev|es|ar)"  # word-start stereo prefixes (dexmethylphenidate)
    r"|met|et|prop|but|pent|hex|hept|oct|iso|cikl"  # alkyl chains (meth- vs eth-cathinone)
    r"|fluor|chlor|brom|iod|nitro"  # substituents
    r"|nor|di|tri|tetra"  # nor- and multiplier prefixes (nicocodine vs nicodicodine)
    r"|amid|stan|sten|gnan|gnen|ane|ene|an$|en$"  # amide/amine; androstane/androstene
    r"|oil|asim|sim"  # benzoyl/benzyl, asymbescaline/symbescaline (y folded to i)
    r"|on$|ol$"  # ketone vs alcohol endings (androstenedione vs androstenediol)
)
_MARKER_CANONICAL = {"dex": "dextro", "lev": "levo"}
# chemical morphemes a typo rarely makes but a neighbouring substance has, found anywhere in
# the key as written, overlapping the markers above (penthiobarbital: the t of pent is the t of
# thio); sought before the spelling is folded, where th -> t and y -> i would let a typo make
# one (ethyo -> etio); two-letter ones (aza, oxo) are left out: one typo makes or unmakes them
_MORPHEMES = re.compile(r"(?=(th?io(?!n)|homo))")
_AZOLE = "azol"  # the suffix class of azoles (carbazole, German Carbazol), not of -ol alcohols


@lru_cache(maxsize=NORMALISED_KEPT)  # a key is folded for its guard and for its distance
def spelling_fold(key: str) -> str:
    """Fold spelling conventions that never change the substance: ph/f, th/t, y/i, ae/e and
    oe/e, dextro/dex and levo/lev, a hard c/k, the Latin, Spanish and Italian endings of INNs
    (-um, -a, -o) and a word-final e (cocaine, Kokain, cocaína, cocainum; aethylmorphinum;
    dextroamphetamine, dexamfetamine; morphin, ketamin in German and Dutch reports).

    >>> spelling_fold("methamphetamine"), spelling_fold("fentanyl"), spelling_fold("2c-e")
    ('metamfetamin', 'fentanil', '2c-e')
    >>> {spelling_fold(n) for n in ("cocaine", "kokain", "cocaina", "cocainum")}
    {'kokain'}
    """
    for old, new in _SPELLING_FOLDS:
        if old in key:
            key = key.replace(old, new)
    if "ae" in key or "oe" in key:
        key = _INITIAL_DIGRAPH.sub("e", key)
    if "c" in key:
        key = _HARD_C.sub("k", key)
    return _FINAL_E.sub("", _without_inn_ending(key))


def _without_inn_ending(key: str) -> str:
    """The key without a Latin (-um), Spanish or Italian (-a, -o) INN ending on its last word.

    >>> [_without_inn_ending(k) for k in ("kokainum", "metadona", "pinaka")]
    ['kokain', 'metadon', 'pinaka']
    """
    if key.endswith("um"):
        stem, stems = key[:-2], _LATIN_STEMS
    elif key.endswith(("a", "o")):
        stem, stems = key[:-1], _ROMANCE_STEMS
    else:
        return key
    return stem if stem.endswith(stems) and len(stem) >= 5 and stem[-5:-2].isalpha() else key


def guard_signature(key: str) -> tuple[tuple[str, ...], ...]:
    """What two names must share before a fuzzy match between them is allowed.

    Computed on the spelling-folded key, the signature holds, each in order of appearance:

    - every number with its primes: locants, code numbers, isotope counts (``4'`` != ``4``);
    - every short letter run (five letters or fewer) verbatim: codes (``cmc``/``mmc``,
      the ``b`` of ``2c-b``, ``nbome``), positions (``o``/``m``/``p``/``n``, ``ortho``,
      ``meta``, ``para``), stereo (``r``/``s``/``d``/``l``/``cis``/``trans``), Greek words;
    - for longer words, their first letter and, inside them, stereo word-prefixes
      (dextro/dex, levo/lev, es, ar), alkyl roots (meth, eth, prop, but, ... iso, cyclo),
      halogen and nitro roots, nor and multipliers (di, tri, tetra), amide, ane/ene,
      stane/stene, oyl, (a)sym, the -one/-ol endings and the -azole suffix class, and the
      morphemes thio and homo (found overlapping the others: the t of pent is thio's);
    - the optical-rotation signs ``(+)``/``(-)``/``(±)``.

    It is conservative: it would rather miss a typo than cross a substance boundary.

    >>> guard_signature("3-cmc") == guard_signature("4-cmc")
    False
    >>> guard_signature("3-cmc") == guard_signature("3-mmc")
    False
    >>> guard_signature("dextromethorphan") == guard_signature("levomethorphan")
    False
    >>> guard_signature("2c-b") == guard_signature("2c-i")
    False
    >>> guard_signature("4-fluoroamphetamine") == guard_signature("4-chloroamphetamine")
    False
    >>> guard_signature("methcathinone") == guard_signature("ethcathinone")
    False
    >>> guard_signature("androstenedione") == guard_signature("androstenediol")
    False
    >>> guard_signature("amfetamine") == guard_signature("camfetamine")
    False
    >>> guard_signature("metamfetamine") == guard_signature("methamphetamine")
    True
    >>> guard_signature("fentanil") == guard_signature("fentanyl")
    True
    >>> guard_signature("cocain") == guard_signature("cocaine")
    True

    Chemical morphemes (thio, homo) anywhere in a word, and an -azole ending, must be the same:

    >>> guard_signature("penthiobarbital") == guard_signature("pentobarbital")
    False
    >>> guard_signature("carbacol") == guard_signature("carbazole")
    False
    >>> guard_signature("tricyclamol") == guard_signature("tricyclazole")
    False
    >>> guard_signature("metronidazol") == guard_signature("metronidazole")
    True
    >>> guard_signature("n-ethyohexedrone") == guard_signature("n-ethylhexedrone")  # no thio
    True
    """
    numbers: list[str] = []
    shorts: list[str] = []
    markers: list[str] = []
    signs: list[str] = []
    for number, run, sign in _GUARD_TOKENS.findall(spelling_fold(key)):
        if number:
            numbers.append(number)
        elif sign:
            signs.append(sign)
        elif len(run) <= _SHORT_RUN:
            shorts.append(run)
        else:
            markers.append(run[0])  # typos rarely hit a first letter: amfetamine/camfetamine
            markers.extend(_MARKER_CANONICAL.get(m, m) for m in _MARKERS.findall(run))
            if run.endswith(_AZOLE):  # folded: the final e is gone
                markers.append(_AZOLE)
    markers.extend("tio" if m != "homo" else m for m in _MORPHEMES.findall(key))
    return tuple(numbers), tuple(shorts), tuple(markers), tuple(signs)
