"""Whose usage a name follows: the user's region, and the order in which meanings are preferred.

A street name means different substances in different places ("speed" is amphetamine in the
Benelux, methamphetamine in some German and Swedish sources). The names table gives each
name's region: "" for a name used anywhere (an INN, a systematic name, a code), an ISO country
code ("NL", "BE", "LU", "DE", "FR", "UK" ...), "EU", "US" or "global".

A user's region orders those meanings into tiers, most preferred first:

- ``"Europe"`` (the default, also ``"EU"``): names used anywhere and Benelux usage (BE, NL,
  LU); then the EU and every other European country; then global sources.
- a country code: names used anywhere and that country; then, for a Benelux country, the other
  two; for a European country, the EU and the rest of Europe; then global sources.
- ``None`` (or ``"any"``): no preference; every meaning counts alike.

Meanings from regions in no tier (US slang for a European user) come last: a name known only
there gives no structure, only those meanings as hints (see :mod:`resolve`), unless it is a code
with digits (2C-B), which is answered, never as certain.

>>> preference("Europe")[0] == frozenset({"", "BE", "NL", "LU"})
True
>>> [sorted(t) for t in preference("US")]
[['', 'US'], ['global']]
>>> preference(None), preference("any")
((), ())
>>> "LU" in preference("DE")[1], "LU" in preference("NL")[1], "LU" in preference("NL")[2]
(True, True, False)
"""

from __future__ import annotations

from subsmatch.errors import UserError

EUROPE = "Europe"
DEFAULT_REGION = EUROPE
ANY = "any"
GLOBAL = "global"
ANYWHERE_CODE = ""
ANYWHERE = frozenset({ANYWHERE_CODE})  # the regions of a name used anywhere

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
        return (BENELUX | ANYWHERE, (EUROPEAN - BENELUX) | {"EU"}, frozenset({GLOBAL}))
    tiers = [frozenset({ANYWHERE_CODE, code})]
    if code in BENELUX:
        tiers.append(BENELUX - {code})
    if code in EUROPEAN:  # for a German user, Luxembourg usage is European usage
        tiers.append((EUROPEAN - (BENELUX if code in BENELUX else set()) - {code}) | {"EU"})
    tiers.append(frozenset({GLOBAL}))
    return tuple(tiers)


def tier_of(regions: frozenset[str], tiers: Tiers) -> int:
    """The first tier holding one of ``regions``; ``len(tiers)`` when none does (a meaning
    known only elsewhere); 0 for every meaning when there is no preference."""
    if not tiers:
        return 0
    return next((i for i, tier in enumerate(tiers) if regions & tier), len(tiers))
