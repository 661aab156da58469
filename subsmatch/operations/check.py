"""Check: which substance each query names, whether, where and since when it is controlled.

The rules both front ends follow: no jurisdiction given means all of them, codes in any case,
each once; a query must be text (a lone surrogate, left by bytes that were not decoded, is
refused, not judged); with a time budget (the service) queries are judged a few at a time, so
that a shared checker serves other requests in between, and a batch that runs over its
budget is refused. Recording a check (:mod:`~subsmatch.operations.recording`) and drawing one
(:mod:`~subsmatch.operations.explain`) are apart, so that a check that does neither loads
neither the database nor the drawing code.

>>> jurisdictions(["nl", "DE", "NL"])
('NL', 'DE')
>>> jurisdictions([]) == JURISDICTIONS
True
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from subsmatch import settings
from subsmatch.errors import InvalidRequest, UserError
from subsmatch.ingest.textio import ENCODING_EXAMPLES, bom_encoding, text_encoding
from subsmatch.matchers.checker import BATCH_KEPT, VERDICTS_KEPT, Checker
from subsmatch.matchers.verdict import Verdict, verdict_to_dict
from subsmatch.reference.lists import (
    JURISDICTIONS,
    LIST_JURISDICTIONS,
    RULE_ONLY_JURISDICTIONS,
    load,
)
from subsmatch.vocabulary import Status, VerdictJSON

__all__ = [
    "BATCH_KEPT",
    "JURISDICTIONS",
    "LIST_JURISDICTIONS",
    "RULE_ONLY_JURISDICTIONS",
    "Checked",
    "Checker",
    "OverBudget",
    "check",
    "data_version",
    "home",
    "home_checker",
    "jurisdictions",
    "queries_in",
    "reference_lists",
]


SLICE = 8  # queries judged per hold of the checker when a batch has a time budget
_SURROGATE = re.compile("[\ud800-\udfff]")


class OverBudget(UserError):
    """A batch of queries that took longer than its time budget."""


def jurisdictions(codes: Iterable[str]) -> tuple[str, ...]:
    """The jurisdictions asked for, each given alone or comma-separated: all when none is given;
    raises :class:`InvalidRequest`.

    >>> jurisdictions(["be,NL", " lu", "BE"])
    ('BE', 'NL', 'LU')
    """
    chosen = tuple(
        dict.fromkeys(
            part.strip().upper() for code in codes for part in code.split(",") if part.strip()
        )
    )
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


def _settings(given: str | Iterable[str] | None, region: str | None = None) -> settings.Settings:
    chosen = given if given is None or isinstance(given, str) else tuple(given)
    return settings.load({"home": chosen, "region": region}, jurisdictions=JURISDICTIONS)


def home_checker(
    home: str | Iterable[str] | None = None,
    region: str | None = None,
    *,
    use_opsin: bool = True,
    shared: bool = False,
    kept: int = VERDICTS_KEPT,
) -> Checker:
    """A checker whose headlines speak for the user's home jurisdictions: ``home`` as a front
    end's option gives it (None or empty: the environment, the config file, then Benelux, EU and
    UN; see :mod:`subsmatch.settings`), and ``region`` (whose usage street names follow)
    likewise. ``kept``: the size of its caches (``BATCH_KEPT`` for an ingest or a rematch, see
    :class:`Checker`).

    >>> home_checker("nl,eu", use_opsin=False).home
    ('NL', 'EU')
    """
    chosen = _settings(home, region)
    return Checker(
        use_opsin=use_opsin, shared=shared, home=chosen.home, region=chosen.region, kept=kept
    )


def check(
    checker: Checker,
    texts: list[str],
    codes: Iterable[str] = (),
    as_of: date | None = None,
    home: Iterable[str] | None = None,
    *,
    budget: float | None = None,
) -> Checked:
    """Resolve and judge ``texts`` in the jurisdictions ``codes`` on ``as_of``: none given, all
    of them with the headline at ``home`` (None: the checker's); given, these are the headline's
    scope.

    ``budget``: seconds the batch may take; the queries are then judged :data:`SLICE` at a
    time, and a batch still unfinished after its budget raises :class:`OverBudget`. Raises
    :class:`InvalidRequest` for a query that is not text.
    """
    refuse_non_text(texts)
    given = tuple(codes)
    chosen = jurisdictions(given) if given else None
    at = jurisdictions(home) if home else None
    if budget is None:
        verdicts = checker.check(texts, chosen, as_of, home=at)
    else:
        verdicts = _within(budget, checker, texts, chosen, as_of, at)
    return Checked(verdicts, [verdict_to_dict(v, checker.reference) for v in verdicts])


def _within(
    budget: float,
    checker: Checker,
    texts: list[str],
    chosen: tuple[str, ...] | None,
    as_of: date | None,
    home: tuple[str, ...] | None,
) -> list[Verdict]:
    started = time.monotonic()
    verdicts: list[Verdict] = []
    for start in range(0, len(texts), SLICE):
        elapsed = time.monotonic() - started
        if start and elapsed > budget:  # the first slice is always judged
            raise OverBudget(
                f"the batch ran over its time budget of {budget:g} s: {len(verdicts)} of its "
                f"{len(texts)} queries were judged in {elapsed:.1f} s",
                "send fewer queries per request, and long structures apart",
            )
        verdicts += checker.check(texts[start : start + SLICE], chosen, as_of, home=home)
    return verdicts


def queries_in(data: bytes, encoding: str | None = None, source: str = "the input") -> list[str]:
    """The queries of a text, one a line (CR, LF or CRLF), blank lines skipped: decoded as
    ``encoding``, else as its byte-order mark says, else as UTF-8. Raises
    :class:`InvalidRequest` for an encoding that is no text encoding, :class:`UserError` for
    text that is not in its encoding (naming the line, and the option to give).

    >>> queries_in(b"MDMA\\r\\n\\r\\n  4-CMC \\rCaf\\xe9ine", "cp1252")
    ['MDMA', '4-CMC', 'Caféine']
    >>> queries_in(b"MDMA\\nCaf\\xe9ine\\n", source="standard input")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    subsmatch.errors.UserError: standard input is not UTF-8 text: line 2 has the byte 0xe9 ...
    """
    if encoding is not None:
        try:
            codec = text_encoding(encoding)
        except LookupError as error:
            raise InvalidRequest(
                f"{error}; use e.g. {ENCODING_EXAMPLES}", option="encoding"
            ) from None
    else:
        codec = bom_encoding(data[:4]) or "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        line = len(re.split(rb"\r\n?|\n", data[: error.start]))
        shown = encoding or "UTF-8"
        raise UserError(
            f"{source} is not {shown} text: line {line} has the byte 0x{data[error.start]:02x}",
            "give its encoding, e.g. {encoding=cp1252} for a Windows export",
        ) from None
    return [line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()]


def refuse_non_text(texts: Sequence[str]) -> None:
    """Raise :class:`InvalidRequest` for a query holding a lone surrogate: bytes that were not
    decoded (a file or terminal in another encoding), not text to judge or store.

    >>> refuse_non_text(["MDMA", "Caf\\udce9ine"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    subsmatch.errors.InvalidRequest: query 2 ('Caf\\udce9ine') is not text: ...
    """
    for number, text in enumerate(texts, 1):
        if _SURROGATE.search(text):
            shown = text[:60].encode("utf-8", "backslashreplace").decode()
            raise InvalidRequest(
                f"query {number} ('{shown}') is not text: it holds bytes that were not decoded",
                "pass it as UTF-8 text",
            )


def data_version() -> str:
    """The version of the shipped reference data."""
    return load().version


def reference_lists() -> tuple[str, list[dict]]:
    """The reference data's version, and per list: jurisdiction, list, kind, entries, the date
    it is complete to."""
    reference = load()
    return reference.version, [asdict(info) for info in reference.lists]
