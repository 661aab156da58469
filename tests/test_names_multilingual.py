"""The same substance gets the same verdict whatever language names it.

``fixtures/multilingual_names.csv`` holds, per listed substance, its name as an English list
writes it, as the Dutch Opiumwet lists I/II write it (2015-10-02 text), as the German BtMG
Anlagen I-III write it (2026-07 text) and as Luxembourg's French lists write it (RGD
20.03.1974, 26.03.1974 and 06.02.1997, consolidated: often the Latin INN). The four names of a
row must resolve to one structure (connectivity) and get the same status in every
jurisdiction. Rows whose ``waits`` column names what is missing depend on reference data the
compiler has not joined yet (a Dutch or German name kept apart from its structure); they are
expected to fail until it has.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from subsmatch.matchers.verdict import Verdict

LANGUAGES = ("en", "nl", "de", "fr")
FIXTURE = Path(__file__).parent / "fixtures" / "multilingual_names.csv"
ROWS = list(csv.DictReader(FIXTURE.open(encoding="utf-8", newline="")))


def _param(row: dict[str, str]) -> pytest.ParameterSet:
    marks = [pytest.mark.xfail(reason=row["waits"], strict=False)] if row["waits"] else []
    return pytest.param(row, id=row["substance"], marks=marks)


def skeleton(verdict: Verdict) -> str | None:
    resolution = verdict.resolution
    return resolution.keys.connectivity if resolution.keys else resolution.substance_id


def statuses(verdict: Verdict) -> tuple[tuple[str, str], ...]:
    return tuple((j.code, str(j.status)) for j in verdict.jurisdictions)


def test_the_table_covers_forty_listed_substances(checker) -> None:
    english = [row["en"] for row in ROWS]
    controlled = [v for v in checker.check(english) if str(v.status) == "controlled"]
    assert len(ROWS) >= 40 and len(controlled) >= 40


@pytest.mark.parametrize("row", [_param(row) for row in ROWS])
def test_four_languages_name_one_substance_with_one_verdict(checker, row) -> None:
    names = [row[language] for language in LANGUAGES]
    verdicts = dict(zip(LANGUAGES, checker.check(names), strict=True))
    unresolved = [row[lang] for lang, v in verdicts.items() if not v.resolution.resolved]
    assert not unresolved, f"not resolved: {unresolved}"
    assert len({skeleton(v) for v in verdicts.values()}) == 1, {
        row[lang]: skeleton(v) for lang, v in verdicts.items()
    }
    assert len({statuses(v) for v in verdicts.values()}) == 1, {
        row[lang]: [s for s in statuses(v) if s[1] != "not_listed"] for lang, v in verdicts.items()
    }
