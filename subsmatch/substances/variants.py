"""The English forms a name in another language's INN convention may stand for.

International non-proprietary names take regular endings in other languages: Latin ``-um``
(ribavirinum, lysinum), Spanish and Italian ``-a``/``-o`` (warfarina, mazindolo), German and
Dutch without the final ``-e`` (tranylcypromin), German acids as "...säure". (The Romance and
Latin acid names, "acide ...ique", are put in English order by the normaliser's shorthand.)
:func:`english_forms` rewrites a normalised key by these rules, each form to be looked up
exactly: a form is an answer only where the reference holds it, and only when all the forms
found name one substance (the resolver's part).

Spelling conventions inside the stem (y/i, ph/f: "citarabina" for cytarabine) are not
rewritten: they stay near-spellings, which are always uncertain. :func:`letter_forms` rewrites
the few that the near-spelling guard does not fold, one rule at a time: Spanish and Italian
"clor" for "chlor" (cloramfenicol), Italian "ss" for "x" between vowels (ossitetraciclina),
German "chin" for "quin" (Chinidin) and "z" for "c" before e, i, y (Kalzium, Zytidin). Their
forms are only ever looked up, never answered unless the reference holds one of them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations, pairwise

from subsmatch.substances.names import _LATIN_STEMS, _ROMANCE_STEMS

MIN_STEM = 4  # a shorter stem is a word of its own (coca, opium)

_GERMAN_ACID = re.compile(r"^([a-z0-9,'-]{3,}?)saure$")  # säure, its umlaut stripped
# the stem endings that take each language's ending, learnt from DrugBank's synonyms (the
# English name's last two letters before the foreign ending, most frequent first); one word of
# letters: an INN (a systematic name's -o is a prefix: "piperazino")
_STEM = rf"[a-z]{{{MIN_STEM - 2},}}"
_ENDINGS = (
    # Latin -um (cocainum, diazepamum) and its genitive -i before a salt word (cocaini
    # hydrochloridum, morphini sulfas)
    re.compile(rf"^({_STEM}(?:{'|'.join(_LATIN_STEMS)}))i$"),
    re.compile(rf"^({_STEM}[b-df-hj-np-tv-z])um$"),  # any consonant: travoprostum, imiquimodum
    # Spanish, Portuguese, Italian -a (cocaina, alteplasa) and -o (baclofeno, dexverapamilo)
    re.compile(rf"^({_STEM}(?:{'|'.join(_ROMANCE_STEMS)}|as|os|il))a$"),
    re.compile(rf"^({_STEM}(?:{'|'.join(_ROMANCE_STEMS)}|il|ac|am))o$"),
)
# French and Italian -e on an English name without one (vancomycine, desmopressine); French
# spells ph, th and y as English does: its forms are not respelt
_FRENCH_E = re.compile(rf"^({_STEM}(?:in|en|on|id|at|ol|an|im|il|al|am|yl))e$")
_SPANISH_IUM = re.compile(rf"^({_STEM})io$")  # rocuronio, vecuronio: rocuronium
_NO_FINAL_E = re.compile(r"^[a-z]{3,}(?:in|on|id|ol|an|at|im|en)$")  # Kokain, Methadon, Lysergid

# Spelling correspondences inside an INN, another language's letters -> the English ones
# (learnt from DrugBank's multilingual synonyms: y/i 254 pairs, th/t 225, ph/f 134, ll/l 39,
# c/k 14, mph/nf in amfetamine's family, Italian ss/x, German z/c and chin/quin); letters only:
# a digit, a locant or a stereo prefix is never touched (it is not in the base, or not a letter)
CORRESPONDENCES = (
    ("'f' for 'ph'", re.compile(r"f"), "ph"),
    # where English writes them: th before a vowel or r, never after s (testosterona); y
    # between consonants (cisteina, metil, hidro; not the i of -ina)
    ("'t' for 'th'", re.compile(r"(?<!s)t(?=[aeiouyr])"), "th"),
    ("'i' for 'y'", re.compile(r"(?<![aeiouy])i(?=[^aeiouy])"), "y"),
    ("'k' for 'c'", re.compile(r"k"), "c"),
    ("'qu' for 'k'", re.compile(r"qu(?=[ei])"), "k"),
    ("'n' for 'm' before f", re.compile(r"n(?=f)"), "m"),
    ("'l' for 'll'", re.compile(r"(?<=[iu])l(?=in)"), "ll"),
    ("'s' for 'ss'", re.compile(r"(?<=pre)s(?=in)"), "ss"),
    ("'ae' for 'e'", re.compile(r"(?<![a-z])[ao]e"), "e"),
    ("'clor' for 'chlor'", re.compile(r"c(?=lor)"), "ch"),
    ("'ss' for 'x'", re.compile(r"(?<=[aeiou])ss(?=[aeiouy])"), "x"),
    ("'chin' for 'quin'", re.compile(r"ch(?=in)"), "qu"),
    ("'z' for 'c'", re.compile(r"z(?=[eiy])"), "c"),
)
# a key that writes ph, th or y spells them the English way already (Latin: morphinum,
# methadonum): only the languages that never write them (Spanish, Italian, Portuguese) and
# German and Dutch f, k, z are respelt
_ENGLISH_LETTERS = re.compile(r"ph|th|y")
MIN_RESPELT = 5  # "fenol" (phenol)
MAX_CHANGES = 2  # correspondences combined in one form (tiroxina: th, y); more: a near-spelling
MAX_FORMS = 24  # forms of one stem, fewest changes first


# (a rule's name as a note gives it, pattern, replacement); letters only: digits and locants stay
LETTER_RULES = (
    ("Spanish and Italian 'clor' for 'chlor'", re.compile(r"clor"), "chlor"),
    ("Italian 'ss' for 'x'", re.compile(r"(?<=[aeiou])ss(?=[aeiouy])"), "x"),
    ("German 'chin' for 'quin'", re.compile(r"chin"), "quin"),
    ("German 'z' for 'c'", re.compile(r"z(?=[eiy])"), "c"),
)
MIN_LETTER_FORM = 7  # "cloro" alone is a word of its own (chloro), not an INN


def letter_forms(key: str) -> tuple[tuple[str, str], ...]:
    """(form, rule) for each letter rule that changes a one-word key (see the module), each
    rule alone.

    >>> letter_forms("ossitetraciclina"), letter_forms("chinidin")
    ((('oxitetraciclina', "Italian 'ss' for 'x'"),), (('quinidin', "German 'chin' for 'quin'"),))
    >>> [f for f, _ in letter_forms("cloramfenicol")], letter_forms("cloro"), letter_forms("2-cl-x")
    (['chloramfenicol'], (), ())
    """
    if len(key) < MIN_LETTER_FORM or not key.isalpha():
        return ()
    found = ((pattern.sub(new, key), rule) for rule, pattern, new in LETTER_RULES)
    return tuple((form, rule) for form, rule in found if form != key)


def respelt(stem: str) -> tuple[str, ...]:
    """The stem with each combination of up to :data:`MAX_CHANGES` letter correspondences
    (:data:`CORRESPONDENCES`) applied, fewest changes first, the stem itself excluded.

    >>> respelt("cistein"), respelt("mentol")
    (('cystein',), ('menthol',))
    """
    spans = sorted(
        {(m.start(), m.end(), new) for _, p, new in CORRESPONDENCES for m in p.finditer(stem)}
    )
    forms: list[str] = []
    for size in range(1, MAX_CHANGES + 1):
        for chosen in combinations(spans, size):
            if any(a[1] > b[0] for a, b in pairwise(chosen)):
                continue  # overlapping changes
            form = stem
            for start, end, new in reversed(chosen):
                form = form[:start] + new + form[end:]
            forms.append(form)
            if len(forms) >= MAX_FORMS:
                return tuple(dict.fromkeys(forms))
    return tuple(dict.fromkeys(forms))


@lru_cache(maxsize=4096)
def english_forms(key: str) -> tuple[str, ...]:
    """English forms of a normalised one-word key by the INN endings of other languages and
    their spelling correspondences (:func:`respelt`); () when no rule applies. The forms are
    candidates to look up, not answers (the resolver answers a form only where all the forms
    found name one substance).

    >>> english_forms("ribavirinum")[:2], english_forms("warfarina")[:2]
    (('ribavirin', 'ribavirine'), ('warfarin', 'warfarine'))
    >>> english_forms("tranylcypromin")[0], english_forms("acetylsalicylsaure")
    ('tranylcypromine', ('acetylsalicylic acid', 'acetylsalicyl acid'))
    >>> "cysteine" in english_forms("cisteina"), "verapamil" in english_forms("dexverapamilo")[:2]
    (True, False)
    >>> "cocaine" in english_forms("cocaini"), "levomenthol" in english_forms("levomentol")
    (True, True)
    >>> [english_forms(k) for k in ("opium", "coca", "3-mmc", "speed", "mdmaa", "p-fluoro-x-azino")]
    [(), (), (), (), (), ()]
    """
    if m := _GERMAN_ACID.match(key):
        return (f"{m[1]}ic acid", f"{m[1]} acid")
    if not key.isalpha():
        return ()
    stems = [m[1] for pattern in _ENDINGS if (m := pattern.match(key))]
    if stems:
        stems = [form for stem in stems for form in (stem, f"{stem}e")]
    elif m := _SPANISH_IUM.match(key):
        stems = [f"{m[1]}ium"]
    elif _NO_FINAL_E.match(key):
        stems = [f"{key}e", key]  # the key itself: an English form's letters (levomentol)
    elif m := _FRENCH_E.match(key):
        return (m[1],)
    if len(key) < MIN_RESPELT or _ENGLISH_LETTERS.search(key):
        return tuple(f for f in dict.fromkeys(stems) if f != key)
    forms = [*stems, *(f for stem in stems for f in respelt(stem))]
    return tuple(f for f in dict.fromkeys(forms) if f != key)
