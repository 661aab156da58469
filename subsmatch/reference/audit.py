r"""The reference audit: what the last build of the reference could not settle, for a curator.

The compiler writes ``data/audit.json``; this module reads it and renders it, per list: entries,
with structure, name-only (plant material, preparations and groups excepted and listed as such);
then the conflicts found and how they were settled, the synonyms and CAS numbers kept off a
substance and why, and the names in dated notices that could not be placed. The front ends
call :func:`load_audit`, :func:`render` (text) or :func:`as_json`, and :func:`coverage_line`
for the one-line summary of a list.

>>> from dataclasses import asdict
>>> from subsmatch.reference.lists import ListInfo
>>> info = ListInfo("NL", "Opiumwet List I", "narcotic", 183, "2015-10-02", "", 174, 4, 5,
...     "complete")
>>> print(*coverage_line(asdict(info)).split(", "), sep="\n")
NL  Opiumwet List I (narcotic): 183 entries
174 with structure
4 name-only (2.2%)
5 excepted (plant/preparation/group/product or unsettled); complete
complete to 2015-10-02
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from subsmatch.errors import UserError
from subsmatch.reference.lists import DATA_DIR

AUDIT_FILE = "audit.json"


class AuditMissing(UserError):
    """The reference data carries no audit (built before audits were written)."""


@dataclass(frozen=True)
class Audit:
    """The audit of one build of the reference data (the parsed audit.json)."""

    data: dict

    @property
    def data_version(self) -> str:
        return self.data["data_version"]

    def lists(self, jurisdiction: str | None = None, list_name: str | None = None) -> list[dict]:
        return [
            entry
            for entry in self.data["lists"]
            if (jurisdiction is None or entry["jurisdiction"] == jurisdiction)
            and (list_name is None or entry["list"] == list_name)
        ]

    def section(self, name: str) -> list:
        return self.data.get(name, [])


def load_audit(data_dir: Path = DATA_DIR) -> Audit:
    """The audit beside the reference tables; a clear error when the build wrote none."""
    path = data_dir / AUDIT_FILE
    if not path.exists():
        raise AuditMissing(
            f"no reference audit in {data_dir}",
            "rebuild the reference data with the compiler (python -m subsmatch.compile)",
        )
    return Audit(json.loads(path.read_text(encoding="utf-8")))


EXCEPTED_KINDS = "plant/preparation/group/product"


def coverage_line(info: Mapping[str, Any]) -> str:
    """One line per list (a list's row of the lists table, or its entry in the audit): entries,
    with structure, name-only, excepted, coverage."""
    entries, name_only, excepted = info["entries"], info["name_only"], info["name_only_excepted"]
    share = 100 * name_only / entries if entries else 0.0
    complete = f", complete to {info['complete_to']}" if info["complete_to"] else ""
    return (
        f"{info['jurisdiction']:<3} {info['list']} ({info['kind']}): {entries} entries, "
        f"{info['with_structure']} with structure, {name_only} name-only ({share:.1f}%)"
        + (f", {excepted} excepted ({EXCEPTED_KINDS} or unsettled)" if excepted else "")
        + f"; {info['coverage']}{complete}"
    )


def _list_block(entry: dict) -> list[str]:
    lines = [coverage_line(entry)]
    lines += [f"  name-only: {e['name']} ({e['row']})" for e in entry["name_only_entries"]]
    lines += [
        f"  {e['material'] or 'unsettled'}: {e['name']} ({e['row']})"
        + (f": {e['reason']}" if e.get("reason") else "")
        for e in entry["excepted_entries"]
    ]
    return lines


def render(audit: Audit, jurisdiction: str | None = None, list_name: str | None = None) -> str:
    """The audit as text: the lists (all, or those asked for), then each finding."""
    lines = [f"reference audit of data version {audit.data_version}", ""]
    for entry in audit.lists(jurisdiction, list_name):
        lines += _list_block(entry)
    if jurisdiction or list_name:
        return "\n".join(lines) + "\n"
    sections = [
        (
            "given structures their own systematic name contradicts, and how each was settled",
            [
                f"{c['row']} {c['name']}: {c['settled']} ({c['reason']})"
                for c in audit.section("self_contradictions")
            ],
        ),
        (
            "given structures other sources dispute under the same name or CAS, and how each "
            "was settled",
            [
                f"{c['row']} {c['name']}: {c['settled']} ({c['reason']})"
                for c in audit.section("disputed_structures")
            ],
        ),
        (
            "conflicts found and how they were settled",
            [
                f"{c['row']} {c['name']}: {c['settled']} ({c['reason']}); "
                f"against: {'; '.join(c['against'])}"
                for c in audit.section("conflicts")
            ],
        ),
        (
            "synonyms and CAS numbers kept off a substance",
            [
                f"{d['row']} {d['what']} ({d['substance_id']}): {d['reason']}"
                for d in audit.section("dropped")
            ],
        ),
        ("synonyms contradicted by their OPSIN reading, kept", audit.section("contradicted_kept")),
        (
            "structures one unreviewed drawing alone gives (answers of them are uncertain)",
            [
                f"{u['substance_id']}: {u['reason']}"
                for u in audit.section("unconfirmed_structures")
            ],
        ),
        (
            "notice names not placed on a structure",
            [
                f"{n['row']} {', '.join(n['names'][:3])}: {n['notice']}"
                for n in audit.section("notices_not_placed")
            ],
        ),
        (
            "removals: the day as precisely as the sources give it, and what each did",
            audit.section("removals"),
        ),
        (
            "rows read but not loaded",
            [f"{n['row']} {n['name']}: {n['reason']}" for n in audit.section("not_loaded")],
        ),
        (
            "overrides",
            [
                f"{o['row']} {o['decision']} {o['value']}: {o['reason']}"
                + ("" if o["applied"] else f" (NOT APPLIED: {o['detail']})")
                for o in audit.section("overrides")
            ],
        ),
        (
            "products whose contents vary (answered with their contents; a test of the sample "
            "decides)",
            [
                f"{p['row']} {p['product']}: {'; '.join(p['contents'])} ({p['reason']})"
                for p in audit.section("products")
            ],
        ),
        (
            "plant material named in each list's words, joined as one entry",
            [
                f"{e['entry']}: {', '.join(e['rows']) or 'NO ROW'} ({e['reason']}; "
                f"source: {e['source']})"
                for e in audit.section("plant_entries")
            ],
        ),
    ]
    for title, found in sections:
        lines += ["", f"{title} ({len(found)})", *[f"  {line}" for line in found]]
    return "\n".join(lines) + "\n"


def as_json(audit: Audit, jurisdiction: str | None = None, list_name: str | None = None) -> dict:
    """The audit (or the lists asked for) as a JSON-ready object."""
    if jurisdiction or list_name:
        return {"data_version": audit.data_version, "lists": audit.lists(jurisdiction, list_name)}
    return audit.data
