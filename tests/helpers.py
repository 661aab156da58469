"""Helpers the tests share: the shipped examples, the command line, counting what is stored,
generated exports, concurrent and killed ingests, the typed shapes."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
import types
import typing
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import click
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from subsmatch.cli import main
from subsmatch.ingest.readers import open_report
from subsmatch.ingest.records import Finding, Rejection
from subsmatch.matchers.names import SynonymIndex
from subsmatch.store.engine import make_engine
from subsmatch.store.ingests import remove_stale
from subsmatch.substances import structures
from subsmatch.substances.resolve import Lookups, Resolver
from subsmatch.substances.structures import StructureKeys

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "subsmatch" / "examples"
FIXTURES = ROOT / "tests" / "fixtures" / "reports"
NOTHING_REMATCHED = {
    "rejudged": 0,
    "changed": [],
    "transitions": {},
    "evidence_changed": 0,
    "findings_moved": 0,
}
"""``rematch --json`` when every stored verdict was made with the current versions."""
LIMS = EXAMPLES / "lims_case_extract.csv"
MDMA = "CNC(C)Cc1ccc2c(c1)OCO2"
COCAINE_HCL = "COC(=O)C1C(OC(=O)c2ccccc2)CC2CCC1N2C.Cl"
DEXTROMETHORPHAN = "CN1CC[C@@]23CCCC[C@@H]2[C@@H]1CC4=C3C=C(C=C4)OC"
NOVEL_NITAZENE = "CCN(CC)CCn1c(Cc2ccc(OC(C)C)cc2F)nc2cc([N+](=O)[O-])ccc21"
"""On no list; covered by the 2025 NpSG text, not by the texts before it."""
NOVEL_FENTANYL = "CCC(=O)N(c1ccc(Cl)cc1)C1CCN(CCc2cccs2)CC1"
"""On no list; covered by the US fentanyl-related-substances class."""
TABLES = ("files", "analyses", "findings", "rejections", "resolutions")


def run(db_url: str, *args: str, input: bytes | None = None) -> tuple[int, str]:
    """``subsmatch --db DB_URL ARGS``: the exit code and what it printed (both streams)."""
    result = CliRunner().invoke(main, ["--db", db_url, *args], input=input)
    return result.exit_code, result.output


def counts(db_url: str) -> dict[str, int]:
    """Rows per table."""
    with create_engine(db_url).connect() as connection:
        return {t: connection.execute(text(f"select count(*) from {t}")).scalar() for t in TABLES}


def lims_rows(n: int, extra: list[list[str]] | None = None) -> str:
    """A LIMS extract of n rows cycling over the example's rows, with distinct case numbers."""
    with LIMS.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    lines = [header]
    for i in range(n):
        row = list(rows[i % len(rows)])
        row[0] = f"C-{i // 5:06d}"
        lines.append(row)
    lines += extra or []
    return "\n".join(",".join(f'"{c}"' if "," in c else c for c in line) for line in lines)


def lims_row(
    case: str, substance: str, analysed: str = "02/01/2024", extra: tuple[str, ...] = ()
) -> list[str]:
    """One row of the LIMS extract's columns, with the values that tests vary."""
    fields = ["A", "B", "L", "NL", "1", "d", "01/01/2024", analysed, "x", "GC-MS", "Identified"]
    return [case, *fields, substance, "", "1", "g", "", *extra]


def ingest_concurrently(paths: list[Path], db_url: str) -> list[tuple[int, str, str]]:
    """Run one `subsmatch ingest --json` process per file at once: (exit code, out, err) each."""
    env = {**os.environ, "SUBSMATCH_DB": db_url}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "subsmatch.cli", "ingest", str(p), "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in paths
    ]
    results = [p.communicate(timeout=300) for p in processes]
    return [(p.returncode, out, err) for p, (out, err) in zip(processes, results, strict=True)]


def kill_an_ingest_midway(db_url: str, tmp_path: Path, seconds: float = 3.0) -> None:
    """Start ingesting a large file, kill the process, and check nothing of it was stored."""
    path = tmp_path / "big.csv"
    path.write_text(lims_rows(150_000), encoding="utf-8")
    env = {**os.environ, "SUBSMATCH_DB": db_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "subsmatch.cli", "ingest", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not inspect(create_engine(db_url)).has_table("files"):  # its start-up is over
        assert process.poll() is None and time.monotonic() < deadline, "the ingest did not start"
        time.sleep(0.1)
    time.sleep(seconds)  # into the file (150,000 rows take several seconds)
    assert process.poll() is None, "the ingest finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    # what the killed ingest committed, chunk by chunk, is invisible: no query reads it
    code, out = run(db_url, "findings", "--json")
    assert code == 0 and out.strip() == "[]", out
    assert visible_files(db_url) == 0
    code, _ = run(db_url, "ingest", str(LIMS))  # the database is usable afterwards
    assert code == 0 and visible_files(db_url) == 1
    assert remove_stale(make_engine(db_url), older_than=timedelta(0)) <= 1  # its debris
    assert counts(db_url)["files"] == 1


def until(holds: Callable[[], bool], within: float = 120.0) -> bool:
    """Whether ``holds()`` became true within ``within`` seconds (asked every 0.05 s): for
    what another process does in its own time, never to time anything."""
    deadline = time.monotonic() + within
    while not holds():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def visible_files(db_url: str) -> int:
    """Files complete and visible (an ingest writing or killed has ``writing_since`` set)."""
    with create_engine(db_url).connect() as connection:
        query = "select count(*) from files where writing_since is null"
        return connection.execute(text(query)).scalar()


def command_paths(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command of the command line as the words that call it, the groups included."""
    context = click.Context(group)
    paths = [list(prefix)]
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append([*prefix, name])
    return paths


def keys_of(shape: type) -> dict[str, object]:
    return typing.get_type_hints(shape)


def assert_same_keys(value: object, shape: object, where: str) -> None:
    """Every object in ``value`` has exactly the keys its TypedDict declares, recursively."""
    origin = typing.get_origin(shape)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return
        (shape,) = [a for a in typing.get_args(shape) if a is not type(None)]
        origin = typing.get_origin(shape)
    if origin is list:
        (item,) = typing.get_args(shape)
        for i, element in enumerate(value):  # type: ignore[arg-type]
            assert_same_keys(element, item, f"{where}[{i}]")
        return
    if isinstance(shape, type) and hasattr(shape, "__required_keys__"):
        hints = keys_of(shape)
        assert isinstance(value, dict), where
        assert set(value) == set(hints), f"{where}: {set(value) ^ set(hints)}"
        for key, hint in hints.items():
            assert_same_keys(value[key], hint, f"{where}.{key}")


# --- tabular exports: files written by the tests, read through the readers ----------------

RESQ_HEADER = (
    "Report ID;Sample Name;Case ID;Item ID;Acquired (UTC);Operator;Instrument S/N;Library;Site;"
    "Result;Rank;Type;Library Match;CAS;HQI;Laser Power (mW)"
)


RESQ_ROW = (
    "RQ-1;Parcel 1;C-1;1;2024-04-03 07:12:44;A. Dubois;SN-1;Lib 3.2;Hub;Match;1;Single;"
    "{name};;{hqi};300"
)


def read_all(path, **kwargs):
    report = open_report(path, **kwargs)
    records = list(report)
    stats = report.stats
    assert stats.rows_read == stats.findings + stats.rejections
    return report, records


def chunks_both_ways(path, options, size):
    """A report's chunks (their rows as lists), stats and notes, read with the reader's stored
    values and with its records; asserts the two are the same and every row is accounted."""

    def chunks(stored_values):
        report = open_report(path, options=options, source_name=Path(path).name)
        if not stored_values:
            report._values = None  # the records' path, to compare
        read = [tuple(map(list, chunk)) for chunk in report.chunks(size)]
        return read, report.stats, report.notes

    fast = chunks(True)
    assert fast == chunks(False)
    read, stats, _notes = fast
    assert stats.rows_read == stats.findings + stats.rejections
    assert sum(len(found) + len(rejected) for _a, found, rejected in read) == stats.rows_read
    return fast


def of(records, kind):
    return [r for r in records if isinstance(r, kind)]


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path


def resq(tmp_path, *rows, header=RESQ_HEADER, name="resq.csv", encoding="utf-8"):
    return write(tmp_path, name, "\n".join([header, *rows]) + "\n", encoding)


LIMS_HEADER = (
    "Lab Case Number,Agency Case Number,Submitting Agency,Laboratory,Country,Item Number,"
    "Item Description,Submission Date,Analysis Date,Analyst,Method,Result,Substance Identified,"
    "CAS Number,Quantity,Unit,Purity (%)"
)


LIMS_ROW = (
    "24-1,A-1,Customs,Lab North,NL,{item},{description},11/03/2024,14/03/2024,J. Doe,GC-MS,"
    "Identified,{name},{cas},1.0,g,97.5"
)


def lims(item, name, cas="", description="Powder"):
    return LIMS_ROW.format(item=item, name=name, cas=cas, description=description)


def lims_file(tmp_path, *rows, end="\n"):
    path = tmp_path / "lims.csv"
    path.write_bytes(("\n".join([LIMS_HEADER, *rows]) + end).replace("\n", "\r\n").encode())
    return path


def found(records):
    return [(f.name, f.locator.line, f.locator.row) for f in of(records, Finding)]


def rejected(records):
    return [(r.locator.line, r.locator.row, r.reason) for r in of(records, Rejection)]


THREE = (
    '[profile]\nname = "three"\n[detect]\nrequired_columns = ["Case", "Substance"]\n'
    '[columns]\ncase_id = "Case"\nname = "Substance"\ncas = "CAS"\n[extras]\nnote = "Note"\n'
)


FOUR = THREE.replace('["Case", "Substance"]', '["Case", "Substance", "CAS"]')


def read_csv(tmp_path, text, profile_text=THREE):
    """Read ``text`` (lines end CRLF on disk) through a profile made of ``profile_text``."""
    profile = tmp_path / "profile.toml"
    profile.write_text(profile_text, encoding="utf-8")
    return read_all(write(tmp_path, "table.csv", text), format="csv", profile=profile)


def table_lookups(
    keys: dict[str, StructureKeys],
    names: list[tuple[str, str, str]],
    cas: dict[str, list[str]] | None = None,
) -> Lookups:
    """The resolver's lookups over a small reference of a test's own: structure keys per
    substance id, (name, substance id, region) rows in a real synonym index, CAS numbers."""
    return Lookups(
        names=SynonymIndex(names),
        cas=cas or {},
        inchikey={k.inchikey: sid for sid, k in keys.items()},
        skeleton=lambda c: sorted(sid for sid, k in keys.items() if k.connectivity == c),
        structure_of=keys.get,
        name_of=lambda sid: sid,
    )


def table_resolver(drawn: dict[str, str], names: list[tuple[str, str, str]]) -> Resolver:
    """A resolver without OPSIN over :func:`table_lookups` of SMILES per substance id."""
    keys = {sid: structures.keys_of(smiles) for sid, smiles in drawn.items()}
    return Resolver(table_lookups(keys, names), use_opsin=False)


def upgrade_a_database_at_0005_with_a_resolution(db_url: str) -> None:
    """A database at revision 0005 holding a resolution is brought to the head (0006): the
    resolution keeps its verdict with no region recorded (""), and the same query and versions
    can then be stored for a region."""
    from alembic import command

    from subsmatch.store.engine import make_engine, migration_config, stored_revision

    config = migration_config()
    engine = create_engine(db_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    columns = "query, status, confidence, uncertain, verdict, data_version, rules_version"
    values = ":query, :status, 0, :no, '{}', 'd1', 'r1', 't1'"
    old = {"query": "big h", "status": "controlled", "no": False}
    with engine.begin() as connection:
        connection.execute(
            text(f"insert into resolutions ({columns}, tool_version) values ({values})"), old
        )
    make_engine(db_url)
    new = {**old, "status": "unresolved", "region": "Europe"}
    with engine.begin() as connection:
        connection.execute(
            text(
                f"insert into resolutions ({columns}, tool_version, region)"
                f" values ({values}, :region)"
            ),
            new,
        )
        rows = connection.execute(text("select status, region from resolutions order by id"))
        assert [tuple(r) for r in rows] == [("controlled", ""), ("unresolved", "Europe")]
    assert stored_revision(engine) == "0006"
