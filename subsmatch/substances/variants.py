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

from subsmatch.substances.names import _LATIN_STEMS, _ROMANCE_STEMS

MIN_STEM = 4  # a shorter stem is a word of its own (coca, opium)

_GERMAN_ACID = re.compile(r"^([a-z0-9,'-]{3,}?)saure$")  # säure, its umlaut stripped
# the stem endings that take the Latin and Romance endings (those spelling_fold folds)
# one word of letters: an INN (a systematic name's -o is a prefix: "piperazino")
_LATIN = re.compile(rf"^([a-z]{{{MIN_STEM - 2},}}(?:{'|'.join(_LATIN_STEMS)}))um$")
_ROMANCE = re.compile(rf"^([a-z]{{{MIN_STEM - 2},}}(?:{'|'.join(_ROMANCE_STEMS)}))[ao]$")
_NO_FINAL_E = re.compile(r"^[a-z]{4,}(?:in|on|id|ol|an)$")  # Kokain, Methadon, Lysergid


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


def english_forms(key: str) -> tuple[str, ...]:
    """English forms of a normalised key by the INN endings of other languages; () when no rule
    applies. The forms are candidates to look up, not answers.

    >>> english_forms("ribavirinum"), english_forms("warfarina")
    (('ribavirin', 'ribavirine'), ('warfarin', 'warfarine'))
    >>> english_forms("tranylcypromin"), english_forms("acetylsalicylsaure")
    (('tranylcypromine',), ('acetylsalicylic acid', 'acetylsalicyl acid'))
    >>> [english_forms(k) for k in ("opium", "coca", "3-mmc", "speed", "mdmaa", "p-fluoro-x-azino")]
    [(), (), (), (), (), ()]
    """
    if m := _GERMAN_ACID.match(key):
        return (f"{m[1]}ic acid", f"{m[1]} acid")
    if m := _LATIN.match(key) or _ROMANCE.match(key):
        return (m[1], f"{m[1]}e")
    if _NO_FINAL_E.match(key):
        return (f"{key}e",)
    return ()
