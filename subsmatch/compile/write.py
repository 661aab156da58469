"""Step 6, write: the reference tables (``substances``, ``names``, ``listings``, ``lists``,
``exclusions``), ``VERSION.json``, ``BUILD_REPORT.md`` and ``audit.json``.

The tables follow the contract in TEAM.md. The version is the newest date the data speak of and
a hash of the tables: the same sources give the same version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from subsmatch.compile.contents import with_content_ids
from subsmatch.compile.dating import Dated, coverage_of, load_coverage
from subsmatch.compile.merge import NameEntry, Substance
from subsmatch.compile.names import KIND_RANK
from subsmatch.compile.read.text import csv_rows
from subsmatch.compile.roles import SourceRole
from subsmatch.reference import law
from subsmatch.substances import names as name_normaliser
from subsmatch.substances.names import normalise
from subsmatch.substances.structures import keys_of

LANGUAGE_ROLES_FIRST = ("identity", "control", "notices", "vocabulary", "synonyms", "street")
_SYSTEMATIC_LOOKING = re.compile(r"\d+(?:,\d+)*-\(?[A-Za-z]")
_NOT_LATIN_SCRIPT = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af]")  # CJK, Hangul

SCHEMAS = {
    "substances": pa.schema(
        [
            ("substance_id", pa.string()),
            ("name", pa.string()),
            ("smiles", pa.string()),
            ("inchikey", pa.string()),
            ("connectivity", pa.string()),
            ("formula", pa.string()),
            ("mass", pa.float64()),
            ("labelled", pa.bool_()),
            ("has_stereo", pa.bool_()),
            ("cas", pa.string()),
            ("structure_source", pa.string()),
            ("inchikey_only", pa.bool_()),
            ("material", pa.string()),
            ("structure_doubt", pa.string()),
            ("contents", pa.string()),
            ("made_of", pa.string()),
            ("content_ids", pa.string()),  # a product's contents as substance ids (";", "" a class)
        ]
    ),
    "names": pa.schema(
        [
            ("substance_id", pa.string()),
            ("name", pa.string()),
            ("key", pa.string()),
            ("kind", pa.string()),
            ("source", pa.string()),
            ("source_row", pa.int64()),
            ("region", pa.string()),
            ("language", pa.string()),
            ("fuzzy", pa.bool_()),  # False: looked up by its own spelling only, never fuzzy
        ]
    ),
    "listings": pa.schema(
        [
            ("substance_id", pa.string()),
            ("jurisdiction", pa.string()),
            ("list", pa.string()),
            ("kind", pa.string()),
            ("category", pa.string()),
            ("since", pa.string()),
            ("since_precision", pa.string()),
            ("evidence", pa.string()),
            ("until", pa.string()),
            ("until_precision", pa.string()),
            ("until_kind", pa.string()),
            ("until_act", pa.string()),
            ("act", pa.string()),
            ("act_date", pa.string()),
            ("name_in_list", pa.string()),
            ("source", pa.string()),
            ("source_row", pa.int64()),
            ("note", pa.string()),
            ("placed", pa.string()),
            ("placed_act", pa.string()),
        ]
    ),
    "lists": pa.schema(
        [
            ("jurisdiction", pa.string()),
            ("list", pa.string()),
            ("kind", pa.string()),
            ("entries", pa.int64()),
            ("with_structure", pa.int64()),
            ("name_only", pa.int64()),
            ("name_only_excepted", pa.int64()),
            ("complete_to", pa.string()),
            ("coverage", pa.string()),
            ("note", pa.string()),
        ]
    ),
    "exclusions": pa.schema(
        [
            ("name", pa.string()),
            ("inchikey", pa.string()),
            ("jurisdictions", pa.string()),
            ("excluded_from", pa.string()),
            ("citation", pa.string()),
        ]
    ),
}


_WORD_PREFIXES = frozenset({"alpha", "beta", "gamma", "ortho", "meta", "para", "nor", "iso"})


def display_case(name: str) -> str:
    """All-capital names from lists read better in title case; codes stay as written: a name
    with a digit, a short word, or a part of at most five letters that is no prefix word
    (ADB-BUTINACA, CUMYL-THPINACA).

    >>> display_case("LEVOMETHORPHAN"), display_case("MDMA"), display_case("4-FIBF")
    ('Levomethorphan', 'MDMA', '4-FIBF')
    >>> display_case("ADB-BUTINACA"), display_case("BETA-HYDROXYFENTANYL")
    ('ADB-BUTINACA', 'Beta-hydroxyfentanyl')
    """
    parts = [p for p in re.split(r"[^A-Za-z]+", name) if p]
    code_part = any(len(p) <= 5 and p.lower() not in _WORD_PREFIXES for p in parts)
    if name.isupper() and len("".join(parts)) > 6 and not code_part and not re.search(r"\d", name):
        return name.capitalize()
    return name


def _inner_capital(text: str) -> bool:
    """A capital after a small letter: a casing someone chose (MiPT, CUMYL-PeGACLONE)."""
    return bool(re.search(r"[^\W\d_A-Z][^A-Za-z]*[A-Z]", text))


def cased(best: str, same: list[str]) -> str:
    """The casing to show of a name, among the ways the sources write it (``same``: the same
    text, case aside): a name printed in capitals or in small letters takes a source's mixed
    casing where there is one, a casing with an inner capital first; else capitals over small
    letters.

    >>> cased("HEROIN", ["HEROIN", "Heroin", "heroin"]), cased("MIPT", ["MIPT", "MiPT"])
    ('Heroin', 'MiPT')
    >>> cased("mdpv", ["mdpv", "MDPV"]), cased("ADB-BUTINACA", ["ADB-BUTINACA"])
    ('MDPV', 'ADB-BUTINACA')
    """
    if best not in (best.upper(), best.lower()):
        return best
    mixed = [v for v in same if v not in (v.upper(), v.lower())]
    if mixed:
        return min(mixed, key=lambda v: (not _inner_capital(v), v))
    if best == best.lower():
        return min((v for v in same if v != v.lower()), default=best)
    return best


def preferred_name(substance: Substance, roles: dict[str, SourceRole]) -> str:
    """The short English name most lists use (2C-B, not one list's trade name), never a street
    name; the lists' own printing of it ("5F-MDMB-PINACA", not "5f-mdmb-pinaca"); a name in
    Latin script before one in Chinese, whatever its length ('6-methyldihydromorphine', not
    '甲二氢吗啡')."""
    entries = (
        [e for e in substance.names if e.name.kind != "street"]
        or substance.names
        or substance.unindexed
    )
    if not entries:
        return substance.id.split(":", 1)[1]
    used_by: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if roles[entry.source].makes_substances:
            used_by[normalise(entry.name.text).key].add(entry.source)
    order = {role: i for i, role in enumerate(LANGUAGE_ROLES_FIRST)}

    def score(entry: NameEntry) -> tuple:
        name = entry.name.text
        odd = name.count("(") != name.count(")") or name.startswith(("(", "["))
        return (
            entry.name.kind not in KIND_RANK or entry.name.kind in ("street", "trade"),
            bool(_NOT_LATIN_SCRIPT.search(name)),
            len(name) > 40,
            odd,
            bool(_SYSTEMATIC_LOOKING.search(name)) and len(name) > 20,
            entry.name.language not in ("en", ""),
            -len(used_by[normalise(name).key]),
            KIND_RANK.get(entry.name.kind, 9),
            order.get(roles[entry.source].role, 9),
            len(name),
            name,
        )

    best = min(entries, key=score).name.text
    same = [e.name.text for e in entries if e.name.text.casefold() == best.casefold()]
    return display_case(cased(best, same))


def display_names(substances: dict[str, Substance], roles: dict[str, SourceRole]) -> dict[str, str]:
    """Each substance's :func:`preferred_name`; a stereoisomer left with no name in Latin script
    takes the name of its skeleton's drawing without stereo when it is the only stereoisomer of
    that skeleton held (thebaine: the lists' English names stay on the flat drawing most sources
    give, the Chinese list's name alone on the natural form the Belgian list draws)."""
    names = {sid: preferred_name(s, roles) for sid, s in substances.items()}
    by_skeleton: dict[str, list[str]] = defaultdict(list)
    for sid, s in substances.items():
        if s.keys is not None:
            by_skeleton[s.keys.connectivity].append(sid)
    for sids in by_skeleton.values():
        drawn = [sid for sid in sids if substances[sid].keys.has_stereo]
        flat = [sid for sid in sids if not substances[sid].keys.has_stereo]
        if (
            len(drawn) == len(flat) == 1
            and _NOT_LATIN_SCRIPT.search(names[drawn[0]])
            and not _NOT_LATIN_SCRIPT.search(names[flat[0]])
        ):
            names[drawn[0]] = names[flat[0]]
    return names


def substance_rows(substances: dict[str, Substance], roles: dict[str, SourceRole]) -> list[dict]:
    rows = []
    names = display_names(substances, roles)
    for sid in sorted(substances):
        s = substances[sid]
        k = s.keys
        rows.append(
            {
                "substance_id": sid,
                "name": names[sid],
                "smiles": k.smiles if k else None,
                "inchikey": s.ident.inchikey if s.ident else None,
                "connectivity": s.ident.connectivity if s.ident else None,
                "formula": k.formula if k else None,
                "mass": k.mass if k else None,
                "labelled": k.labelled if k else False,
                "has_stereo": (k.has_stereo if k else not s.ident.flat) if s.ident else False,
                "cas": ";".join(sorted(s.cas)),
                "structure_source": s.structure_source,
                "inchikey_only": bool(s.ident and k is None),
                "material": s.material,
                "structure_doubt": s.structure_doubt,
                # a product's typical contents, "; "-separated, in the order its rows give them
                "contents": "; ".join(dict.fromkeys(c for row in s.rows for c in row.contents)),
            }
        )
    return rows


def made_of(rows: list[dict], names: list[dict]) -> list[dict]:
    """The substance rows with the drug each preparation named without a structure is made of
    (law.toml [preparations], :meth:`subsmatch.reference.law.Preparations.made_of`)."""
    preparations = law.load().preparations
    found = preparations.made_of(rows, names) if preparations is not None else {}
    return [{**row, "made_of": found.get(row["substance_id"], "")} for row in rows]


def name_rows(substances: dict[str, Substance]) -> list[dict]:
    rows = []
    for sid in sorted(substances):
        seen: set[tuple] = set()
        fuzzy = {(e.name.text, e.name.region) for e in substances[sid].names if e.fuzzy}
        for entry in sorted(
            substances[sid].names,
            key=lambda e: (e.name.text, e.name.kind, e.name.region, e.source, e.row),
        ):
            identity = (entry.name.text, entry.name.region)
            if identity in seen:
                continue
            seen.add(identity)
            rows.append(
                {
                    "substance_id": sid,
                    "name": entry.name.text,
                    "key": normalise(entry.name.text).key,
                    "kind": "systematic" if entry.name.kind == "curated" else entry.name.kind,
                    "source": entry.source,
                    "source_row": entry.row,
                    "region": entry.name.region,
                    "language": entry.name.language,
                    "fuzzy": identity in fuzzy,
                }
            )
    return rows


def listing_rows(dated: list[Dated]) -> list[dict]:
    return [
        {
            "substance_id": d.substance_id,
            "jurisdiction": d.listing.jurisdiction,
            "list": d.listing.list,
            "kind": d.listing.kind,
            "category": d.listing.category,
            "since": d.listing.since,
            "since_precision": d.listing.since_precision,
            "evidence": d.listing.evidence,
            "until": d.listing.until,
            "until_precision": d.listing.until_precision if d.listing.until else "",
            "until_kind": d.listing.until_kind if d.listing.until else "",
            "until_act": d.listing.until_act if d.listing.until else "",
            "act": d.listing.act,
            "act_date": d.listing.act_date,
            "name_in_list": d.name_in_list,
            "source": d.source,
            "source_row": d.source_row,
            "note": d.listing.note,
            "placed": d.placed,
            "placed_act": d.placed_act,
        }
        for d in sorted(
            dated,
            key=lambda d: (
                d.substance_id,
                d.listing.jurisdiction,
                d.listing.list,
                d.source,
                d.source_row,
            ),
        )
    ]


def _excepted(substance: Substance) -> bool:
    """No single structure (plant, preparation, group, product), or one a person could not
    settle."""
    return bool(substance.material or substance.unsettled)


def list_rows(listings: list[dict], substances: dict[str, Substance]) -> tuple[list[dict], dict]:
    """One row per list, and the audit's per-list detail (name-only entries, excepted ones)."""
    table = load_coverage()
    by_list: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in listings:
        by_list[(row["jurisdiction"], row["list"])].append(row)
    rows, detail = [], {}
    for (jurisdiction, list_name), entries in sorted(by_list.items()):
        kinds = Counter(e["kind"] for e in entries)
        structured = [e for e in entries if substances[e["substance_id"]].ident is not None]
        loose = [e for e in entries if substances[e["substance_id"]].ident is None]
        excepted = [e for e in loose if _excepted(substances[e["substance_id"]])]
        name_only = [e for e in loose if not _excepted(substances[e["substance_id"]])]
        coverage = coverage_of(jurisdiction, list_name, table)
        rows.append(
            {
                "jurisdiction": jurisdiction,
                "list": list_name,
                "kind": kinds.most_common(1)[0][0],
                "entries": len(entries),
                "with_structure": len(structured),
                "name_only": len(name_only),
                "name_only_excepted": len(excepted),
                "complete_to": coverage.complete_to if coverage else None,
                "coverage": coverage.coverage if coverage else "partial",
                "note": coverage.note
                if coverage
                else "coverage not described in curated/lists.csv",
            }
        )
        detail[f"{jurisdiction}|{list_name}"] = {
            "name_only_entries": [
                {
                    "substance_id": e["substance_id"],
                    "name": e["name_in_list"],
                    "row": f"{e['source']}:{e['source_row']}",
                }
                for e in name_only
            ],
            "excepted_entries": [
                {
                    "substance_id": e["substance_id"],
                    "name": e["name_in_list"],
                    "material": substances[e["substance_id"]].material,
                    "reason": substances[e["substance_id"]].unsettled,
                    "row": f"{e['source']}:{e['source_row']}",
                }
                for e in excepted
            ],
        }
    return rows, detail


def exclusion_rows(path: Path) -> list[dict]:
    rows = []
    for _line, row in csv_rows(path):
        rows.append(
            {
                "name": row["name"],
                "inchikey": keys_of(row["smiles"]).inchikey,
                "jurisdictions": row["jurisdictions"],
                "excluded_from": row["excluded_from"],
                "citation": row["citation"],
            }
        )
    return rows


def tables(
    substances: dict[str, Substance],
    dated: list[Dated],
    roles: dict[str, SourceRole],
    exclusions: Path,
) -> tuple[dict[str, pa.Table], dict]:
    listings = listing_rows(dated)
    lists, detail = list_rows(listings, substances)
    names = name_rows(substances)
    built = {
        "substances": with_content_ids(made_of(substance_rows(substances, roles), names), names),
        "names": names,
        "listings": listings,
        "lists": lists,
        "exclusions": exclusion_rows(exclusions),
    }
    return {
        name: pa.Table.from_pylist(rows, schema=SCHEMAS[name]) for name, rows in built.items()
    }, detail


def content_hash(built: dict[str, pa.Table]) -> str:
    digest = hashlib.sha256()
    for name in sorted(built):
        digest.update(name.encode())
        digest.update(json.dumps(built[name].to_pylist(), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def data_date(built: dict[str, pa.Table]) -> str:
    """The newest date the data speak of: the date to which the data are current."""
    listings = built["listings"]
    dates = [
        d
        for column in ("since", "evidence", "until")
        for d in listings.column(column).to_pylist()
        if d
    ]
    dates += [d for d in built["lists"].column("complete_to").to_pylist() if d]
    return max(dates)


def write_tables(built: dict[str, pa.Table], out: Path, hold_out: bool = False) -> dict:
    """The tables and VERSION.json (``hold_out``: an evaluation build without the held-out
    rows, :mod:`subsmatch.compile.holdout`; said in VERSION.json)."""
    out.mkdir(parents=True, exist_ok=True)
    for name, table in built.items():
        pq.write_table(table, out / f"{name}.parquet", compression="zstd")
    digest = content_hash(built)
    version = {
        "data_version": f"{data_date(built)}+{digest[:12]}",
        "content_sha256": digest,
        "tables": {n: t.num_rows for n, t in sorted(built.items())},
        "name_key_version": name_normaliser.KEY_VERSION,  # the normaliser that made the keys
        "held_out_rows": "left out" if hold_out else "read",
    }
    (out / "VERSION.json").write_text(json.dumps(version, indent=2) + "\n", encoding="utf-8")
    return version


def write_json(path: Path, value: object) -> None:
    path.write_text(
        json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
