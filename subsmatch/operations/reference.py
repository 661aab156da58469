"""The reference audit: per list, how much of it the reference holds, and what the last build
of the reference could not settle (conflicts and how they were settled, names kept off a
substance and why, notice names not placed, overrides).

The rules both front ends follow: a jurisdiction is one with lists, in any case; a list is
named as ``lists`` names it, within the jurisdiction when one is given. Either narrows the
audit to those lists; neither gives the whole audit.

>>> [entry["list"] for entry in audit("nl", "Opiumwet List I")["lists"]]
['Opiumwet List I']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from subsmatch.errors import InvalidRequest
from subsmatch.reference.audit import Audit, as_json, coverage_line, load_audit, render
from subsmatch.reference.lists import LIST_JURISDICTIONS

__all__ = ["audit", "audit_text", "coverage_lines"]


def _narrowed(
    found: Audit, jurisdiction: str | None, list_name: str | None
) -> tuple[str | None, str | None]:
    """The jurisdiction (upper case) and list asked for, checked against the audit."""
    code = jurisdiction.upper() if jurisdiction else None
    if code is not None and code not in LIST_JURISDICTIONS:
        raise InvalidRequest(
            f"no lists in jurisdiction {jurisdiction}; choose from {', '.join(LIST_JURISDICTIONS)}",
            option="jurisdiction",
        )
    if list_name is not None and not found.lists(code, list_name):
        names = sorted({entry["list"] for entry in found.lists(code)})
        raise InvalidRequest(
            f"no list {list_name!r}"
            + (f" in {code}" if code else "")
            + f"; choose from: {'; '.join(names)}",
            option="list",
        )
    return code, list_name


def audit(jurisdiction: str | None = None, list_name: str | None = None) -> dict[str, Any]:
    """The audit of the shipped reference as a JSON-ready object (narrowed when asked)."""
    found = load_audit()
    return as_json(found, *_narrowed(found, jurisdiction, list_name))


def audit_text(jurisdiction: str | None = None, list_name: str | None = None) -> str:
    """The audit of the shipped reference as text for a curator (narrowed when asked)."""
    found = load_audit()
    return render(found, *_narrowed(found, jurisdiction, list_name))


def coverage_lines(infos: list[Mapping[str, Any]]) -> list[str]:
    """One line per list: entries, with structure, name-only, excepted, coverage."""
    return [coverage_line(info) for info in infos]
