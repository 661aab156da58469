"""Whose usage a name follows: the user's region, and the order in which meanings are preferred.

A street name means different substances in different places ("speed" is amphetamine in the
Benelux, methamphetamine in some German and Swedish sources). The names table gives each
name's region: "" for a name used anywhere (an INN, a systematic name, a code), an ISO country
code ("NL", "BE", "LU", "DE", "FR", "UK" ...), "EU", "US" or "global". A region written with a
trailing "?" ("FR?") is *reported*: a source's note says the name also means the substance
there, and no row of its own gives it; such a meaning makes the others doubtful, and is never
answered itself.

A user's region orders those meanings into tiers, most preferred first:

- ``"Europe"`` (the default, also ``"EU"``): Benelux usage (BE, NL, LU); then names used
  anywhere; then the EU and every other European country; then global sources.
- a country code: that country; then names used anywhere; then, for a Benelux country, the
  other two; for a European country, the EU and the rest of Europe; then global sources.
- ``None`` (or ``"any"``): no preference; every meaning counts alike.

The user's own usage comes before a name used anywhere: a list that carries slang as a name
(the DEA's "Speed" for methamphetamine, "Love drug" for MDA) does not override what the word
means where the user is. Meanings from regions in no tier (US slang for a European user) come
last: a name known only there gives no structure, only those meanings as hints (see
:mod:`resolve`), unless it is a code with digits (2C-B), which is answered, never as certain.

:func:`choose` picks the meaning a street name has for the user: in the first tier that uses
the name, the one meaning (a substance and its stereoisomers) given in every place of that
tier that uses the name; a place that also gives another meaning makes that one an
alternative ("snow": cocaine in every place, MDMA in one too: cocaine, MDMA beside it, both
uncertain). When no meaning is given in every place (NL says amphetamine, DE
methamphetamine), the name has no single meaning there (see :class:`Choice`).

>>> preference("Europe")[0] == frozenset({"BE", "NL", "LU"}), preference("Europe")[1]
(True, frozenset({''}))
>>> [sorted(t) for t in preference("US")]
[['US'], [''], ['global']]
>>> preference(None), preference("any")
((), ())
>>> "LU" in preference("DE")[2], "LU" in preference("NL")[2], "LU" in preference("NL")[3]
(True, True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from subsmatch.errors import UserError

EUROPE = "Europe"
DEFAULT_REGION = EUROPE
ANY = "any"
GLOBAL = "global"
ANYWHERE_CODE = ""
ANYWHERE = frozenset({ANYWHERE_CODE})  # the regions of a name used anywhere
REPORTED = "?"  # "FR?": a note reports the meaning in FR; no row of its own gives it

BENELUX = frozenset({"BE", "NL", "LU"})
EUROPEAN = frozenset(
    {
        "AD", "AL", "AT", "BA", "BE", "BG", "BY", "CH", "CY", "CZ", "DE", "DK", "EE", "ES",
        "FI", "FO", "FR", "GB", "GI", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU",
        "LV", "MC", "MD", "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "RS", "SE", "SI",
        "SK", "SM", "UA", "UK", "VA", "XK",
    }
)  # fmt: skip
_ALIASES = {"EU": EUROPE, "EUROPE": EUROPE, "GB": "UK", "ANY": ANY, "": ANY}

Tiers = tuple[frozenset[str], ...]


class RegionError(UserError, ValueError):
    """A region the resolver does not know."""


def canonical_region(region: str | None) -> str:
    """``region`` as the resolver names it: "Europe", "any", or an upper-case country code.

    >>> canonical_region("nl"), canonical_region("eu"), canonical_region(None)
    ('NL', 'Europe', 'any')
    """
    text = (region or "").strip()
    upper = text.upper()
    if upper in _ALIASES:
        return _ALIASES[upper]
    if text.casefold() == GLOBAL:
        return ANY
    if len(upper) == 2 and upper.isalpha():
        return upper
    raise RegionError(
        f"unknown region {region!r}",
        "give Europe (the default), a two-letter country code such as NL, BE, DE or US, "
        "or any (no preference)",
    )


def preference(region: str | None) -> Tiers:
    """The tiers of name regions for a user in ``region``, most preferred first; () for no
    preference. Raises RegionError for a region it does not know."""
    code = canonical_region(region)
    if code == ANY:
        return ()
    if code == EUROPE:
        return (BENELUX, ANYWHERE, (EUROPEAN - BENELUX) | {"EU"}, frozenset({GLOBAL}))
    tiers = [frozenset({code}), ANYWHERE]
    if code in BENELUX:
        tiers.append(BENELUX - {code})
    if code in EUROPEAN:  # for a German user, Luxembourg usage is European usage
        tiers.append((EUROPEAN - (BENELUX if code in BENELUX else set()) - {code}) | {"EU"})
    tiers.append(frozenset({GLOBAL}))
    return tuple(tiers)


def reported(region: str) -> str:
    """``region`` marked as reported by a note, not given by a row.

    >>> reported("FR"), place(reported("FR")), is_reported("FR?"), is_reported("FR")
    ('FR?', 'FR', True, False)
    """
    return region + REPORTED


def is_reported(region: str) -> bool:
    return region.endswith(REPORTED)


def place(region: str) -> str:
    """The place a region names, reported or not."""
    return region.removesuffix(REPORTED)


def tier_of(regions: frozenset[str], tiers: Tiers) -> int:
    """The first tier holding one of ``regions`` (reported ones aside: a note alone makes no
    meaning); ``len(tiers)`` when none does (a meaning known only elsewhere); 0 for every
    meaning when there is no preference."""
    if not tiers:
        return 0
    given = {r for r in regions if not is_reported(r)}
    return next((i for i, tier in enumerate(tiers) if given & tier), len(tiers))


@dataclass(frozen=True)
class Choice:
    """What a name means for the user.

    ``chosen``: the meaning answered (several ids when they are one substance by
    ``same``, or when no street name is among the meanings: the resolver then names them as
    alternatives); ``others``: the meanings of other tiers; ``elsewhere``: the chosen ones are
    known only outside the user's region; ``contested``: the meanings of the first tier that
    uses the name, when its places do not agree on one (then ``chosen`` is empty): a street
    name there for several substances, or one that only a note gives.
    """

    chosen: tuple[str, ...]
    others: tuple[str, ...]
    elsewhere: bool = False
    contested: tuple[str, ...] = ()
    several: bool = False  # the contested meanings are several substances (else: one, by a note)


def choose(
    meanings: Mapping[str, frozenset[str]],
    tiers: Tiers,
    same: Callable[[str], str] = str,
) -> Choice:
    """The meaning of a name for a user whose preference is ``tiers`` (:func:`preference`).

    ``meanings``: substance id -> the regions where the name means it; ``same``: substance id
    -> what makes two ids one substance (their structure's connectivity), so that a name on a
    substance and on its stereoisomer is not two meanings.

    >>> amph, meth = "amph", "meth"
    >>> choose({amph: frozenset({"NL", "UK"}), meth: frozenset({"DE"})}, preference("Europe"))
    Choice(chosen=('amph',), others=('meth',), elsewhere=False, contested=(), several=False)
    >>> choose({amph: frozenset({"DE"}), meth: frozenset({"DE"})}, preference("DE")).contested
    ('amph', 'meth')
    >>> choose({amph: frozenset({"UK", "DE"}), meth: frozenset({"DE"})}, preference("NL")).chosen
    ('amph',)
    >>> choose({"cocaine": frozenset({"FR"}), "flunitrazepam": frozenset({"FR?"})},
    ...        preference("FR")).contested
    ('cocaine', 'flunitrazepam')
    >>> choose({"amph": frozenset({"NL?"}), "cocaine": frozenset({"US"})},
    ...        preference("NL")).contested
    ('amph',)
    """
    if all(regions == ANYWHERE for regions in meanings.values()):  # no street name among them
        return Choice(tuple(sorted(meanings)), ())
    tier = {
        sid: tier_of(frozenset(map(place, regions)), tiers) for sid, regions in meanings.items()
    }
    best = min(tier.values())
    first = sorted(sid for sid, t in tier.items() if t == best)
    others = {sid for sid, t in tier.items() if t != best}
    elsewhere = bool(tiers) and best == len(tiers)
    where = tiers[best] if not elsewhere and tiers else None  # None: every place counts

    def places(ids: list[str], reported_too: bool = True) -> set[str]:
        return {
            place(r)
            for sid in ids
            for r in meanings[sid]
            if (reported_too or not is_reported(r)) and (where is None or place(r) in where)
        }

    used = places(first)
    groups: dict[str, list[str]] = {}
    for sid in first:
        groups.setdefault(same(sid), []).append(sid)
    covering = [ids for ids in groups.values() if places(ids) >= used]
    if len(covering) == 1 and places(covering[0], reported_too=False):
        agreed = covering[0]
        rest = others | {sid for sid in first if sid not in agreed}
        return Choice(tuple(agreed), tuple(sorted(rest)), elsewhere)
    return Choice((), tuple(sorted(others)), elsewhere, tuple(first), len(groups) > 1)


def places_shown(regions: Iterable[str]) -> str:
    """Where a name means a substance, for people: "anywhere" for "", a reported region only
    where no row gives it.

    >>> places_shown(["US", "", "UK?", "US?"])
    'UK by a note, US, anywhere'
    """
    given = set(regions)
    shown = {
        f"{place(r)} by a note" if is_reported(r) else r or "anywhere"
        for r in given
        if not (is_reported(r) and place(r) in given)
    }
    return ", ".join(sorted(shown, key=lambda r: (r == "anywhere", r)))
