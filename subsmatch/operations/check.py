"""Check: which substance each query names, whether, where and since when it is controlled.

The rule both front ends follow: no jurisdiction given means all of them, codes in any case,
each once. Recording a check (:mod:`~subsmatch.operations.recording`) and drawing one
(:mod:`~subsmatch.operations.explain`) are apart, so that a check that does neither loads
neither the database nor the drawing code.

>>> jurisdictions(["nl", "DE", "NL"])
('NL', 'DE')
>>> jurisdictions([]) == JURISDICTIONS
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from subsmatch import settings
from subsmatch.errors import InvalidRequest
from subsmatch.matchers.checker import Checker
from subsmatch.matchers.verdict import Verdict, verdict_to_dict
from subsmatch.reference.lists import (
    JURISDICTIONS,
    LIST_JURISDICTIONS,
    RULE_ONLY_JURISDICTIONS,
    load,
)
from subsmatch.vocabulary import Status, VerdictJSON

__all__ = [
    "JURISDICTIONS",
    "LIST_JURISDICTIONS",
    "RULE_ONLY_JURISDICTIONS",
    "Checked",
    "Checker",
    "check",
    "data_version",
    "home",
    "home_checker",
    "jurisdictions",
    "reference_lists",
]


def jurisdictions(codes: Iterable[str]) -> tuple[str, ...]:
    """The jurisdictions asked for: all when none is given; raises :class:`InvalidRequest`."""
    chosen = tuple(dict.fromkeys(code.upper() for code in codes))
    if not chosen:
        return JURISDICTIONS
    unknown = [code for code in chosen if code not in JURISDICTIONS]
    if unknown:
        raise InvalidRequest(
            f"unknown jurisdiction {', '.join(unknown)}; choose from {', '.join(JURISDICTIONS)}",
            option="jurisdiction",
        )
    return chosen


@dataclass(frozen=True)
class Checked:
    """The verdicts of some queries, and their ``check --json`` objects, in query order."""

    verdicts: list[Verdict]
    rows: list[VerdictJSON]

    @property
    def invalid(self) -> bool:
        """Some query was malformed (a structure that cannot be read, a wrong CAS number)."""
        return any(v.resolution.invalid_input for v in self.verdicts)

    @property
    def unresolved(self) -> bool:
        """Some query named no known substance."""
        return any(row["status"] == Status.UNRESOLVED for row in self.rows)


def home(given: str | Iterable[str] | None = None) -> tuple[str, ...]:
    """The user's home jurisdictions: ``given`` (a front end's option), else the environment, the
    config file, then Benelux, EU and UN (:mod:`subsmatch.settings`)."""
    return _settings(given).home


def _settings(given: str | Iterable[str] | None) -> settings.Settings:
    chosen = given if given is None or isinstance(given, str) else tuple(given)
    return settings.load({"home": chosen}, jurisdictions=JURISDICTIONS)


def home_checker(
    home: str | Iterable[str] | None = None, *, use_opsin: bool = True, shared: bool = False
) -> Checker:
    """A checker whose headlines speak for the user's home jurisdictions: ``home`` as a front
    end's option gives it (None or empty: the environment, the config file, then Benelux, EU and
    UN; see :mod:`subsmatch.settings`), and the region of street names likewise.

    >>> home_checker("nl,eu", use_opsin=False).home
    ('NL', 'EU')
    """
    chosen = _settings(home)
    return Checker(use_opsin=use_opsin, shared=shared, home=chosen.home, region=chosen.region)


def check(
    checker: Checker,
    texts: list[str],
    codes: Iterable[str] = (),
    as_of: date | None = None,
    home: Iterable[str] | None = None,
) -> Checked:
    """Resolve and judge ``texts`` in the jurisdictions ``codes`` on ``as_of``: none given, all
    of them with the headline at ``home`` (None: the checker's); given, these are the headline's
    scope."""
    chosen = tuple(codes)
    at = jurisdictions(home) if home else None
    verdicts = checker.check(texts, jurisdictions(chosen) if chosen else None, as_of, home=at)
    return Checked(verdicts, [verdict_to_dict(v, checker.reference) for v in verdicts])


def data_version() -> str:
    """The version of the shipped reference data."""
    return load().version


def reference_lists() -> tuple[str, list[dict]]:
    """The reference data's version, and per list: jurisdiction, list, kind, entries, the date
    it is complete to."""
    reference = load()
    return reference.version, [asdict(info) for info in reference.lists]
