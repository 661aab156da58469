"""The English forms a name in another language's INN convention may stand for.

International non-proprietary names take regular endings in other languages: Latin ``-um``
(ribavirinum, lysinum), Spanish and Italian ``-a``/``-o`` (warfarina, mazindolo), German and
Dutch without the final ``-e`` (tranylcypromin), German acids as "...säure". (The Romance and
Latin acid names, "acide ...ique", are put in English order by the normaliser's shorthand.)
:func:`english_forms` rewrites a normalised key by these rules, each form to be looked up
exactly: a form is an answer only where the reference holds it, and only when all the forms
found name one substance (the resolver's part).

Spelling conventions inside the stem (y/i, ph/f: "citarabina" for cytarabine) are not
rewritten: they stay near-spellings, which are always uncertain.
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
