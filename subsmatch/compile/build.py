"""The reference compiler: ``python -m subsmatch.compile --shared ../shared``.

The build is the list :data:`STEPS`, each a function of the :class:`Build` it fills in:

1. read      every row of every source table (``compile/read``), with its role
2. curate    the curated overrides, plant material, preparations and groups, and the names of
             listed positional isomers kept off their entries
3. identify  which structure each row is, by agreement of its facts
4. merge     rows of the same structure, or of a shared name, into one substance
5. names     synonyms, street names and vocabulary names on their substances
6. date      one dated listing per substance and list
7. write     the tables, VERSION.json, BUILD_REPORT.md and audit.json
8. rules     the generic rules evaluated once on every structure (rule_matches.parquet)

The same sources give the same tables (and the same data version). The default build reads
every row and writes the shipped ``reference/data``; ``--hold-out`` leaves the held-out rows of
:mod:`subsmatch.compile.holdout` out and writes the evaluation build (default
``build/reference-held-out``) that ``benchmarks/names_eval.py`` measures on.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from subsmatch.compile import audit as audit_report
from subsmatch.compile import curate, dating, identify, isomers, merge, names, write
from subsmatch.compile.holdout import EVALUATION_DATA
from subsmatch.compile.read import MissingSource, read_all
from subsmatch.compile.records import Row
from subsmatch.compile.roles import CURATED, SourceRole, load_roles
from subsmatch.matchers import precompute, reference_matches
from subsmatch.matchers.generic import RuleBook
from subsmatch.reference.lists import Reference
from subsmatch.substances.opsin import java_available

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"


@dataclass
class Build:
    """What the steps read and fill in, in order."""

    sources: Path
    out: Path
    hold_out: bool = False  # leave the held-out rows out (the evaluation build)
    roles: dict[str, SourceRole] = field(default_factory=load_roles)
    rows: list[Row] = field(default_factory=list)
    curation: curate.Curation = field(default_factory=curate.Curation)
    identifier: identify.Identifier | None = None
    identified: identify.Identified | None = None
    merged: merge.Merged | None = None
    name_report: names.NameReport = field(default_factory=names.NameReport)
    dating_report: dating.DatingReport = field(default_factory=dating.DatingReport)
    dated: list[dating.Dated] = field(default_factory=list)
    version: dict = field(default_factory=dict)


def read_step(build: Build) -> None:
    build.rows = read_all(build.sources, build.roles, hold_out=build.hold_out)


def curate_step(build: Build) -> None:
    build.rows = curate.apply_overrides(build.rows, curate.load_overrides(), build.curation)
    curate.classify_materials(build.rows, build.roles, build.curation)
    curate.join_plant_entries(build.rows, build.curation)
    build.curation.relabelled = curate.relabel(build.rows, build.roles)
    build.rows, build.curation.dropped = isomers.keep_isomers_apart(build.rows)


def identify_step(build: Build) -> None:
    build.identifier = identify.Identifier(build.rows, build.roles)
    build.identified = build.identifier.run()


def merge_step(build: Build) -> None:
    build.merged = merge.merge(
        build.rows, build.roles, build.identified.decisions, build.identifier.given
    )


def names_step(build: Build) -> None:
    substances, report = build.merged.substances, build.name_report
    names.drop_loose_names(substances, build.roles, report)
    names.attach_label_rows(build.rows, build.roles, build.merged.by_row, substances, report)
    names.drop_loose_names(substances, build.roles, report)
    names.drop_open_positions(substances, build.roles, report)
    names.drop_open_stereo(substances, build.roles, report)
    readings = names.synonym_readings(build.rows, build.roles, build.identifier.readings)
    names.check_readings(
        substances,
        build.rows,
        build.merged.by_row,
        build.identified.decisions,
        readings,
        build.roles,
        report,
    )
    bases = identify.read_names(names.salt_name_bases(substances, build.roles))
    names.check_salt_names(substances, bases, build.roles, report)
    names.drop_ester_names(substances, report)
    report.vocabulary_names_trimmed = names.trim_vocabulary_names(substances, build.roles)
    names.report_ambiguous_street(substances, report)
    report.dropped += merge.unplace_unnamed_listings(substances)


def date_step(build: Build) -> None:
    build.dated = dating.date_listings(build.merged.substances, build.roles, build.dating_report)


def write_step(build: Build) -> None:
    built, detail = write.tables(
        build.merged.substances, build.dated, build.roles, CURATED / "stereo_exclusions.csv"
    )
    build.version = write.write_tables(built, build.out, hold_out=build.hold_out)
    found = audit_report.assemble(
        build.version,
        build.rows,
        build.roles,
        build.curation,
        build.identified.decisions,
        build.identified.unparsable,
        build.merged,
        build.name_report,
        build.dating_report,
        built["lists"].to_pylist(),
        detail,
    )
    write.write_json(build.out / "audit.json", found)
    report = audit_report.render_report(
        found,
        build.version["tables"],
        build.rows,
        built["substances"].to_pylist(),
        java_available(),
    )
    (build.out / "BUILD_REPORT.md").write_text(report, encoding="utf-8")


def rules_step(build: Build) -> None:
    """Derived from the tables just written and the rule files (see its module)."""
    reference_matches.write(Reference(build.out), RuleBook())
    precompute.write(Reference(build.out))


STEPS: tuple[Callable[[Build], None], ...] = (
    read_step,
    curate_step,
    identify_step,
    merge_step,
    names_step,
    date_step,
    write_step,
    rules_step,
)


def build(shared: Path, out: Path = DATA, hold_out: bool = False) -> dict:
    """Run every step; returns the written VERSION.json. ``hold_out``: the evaluation build,
    without the held-out rows."""
    state = Build(shared / "sources", out, hold_out)
    for step in STEPS:
        step(state)
    return state.version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m subsmatch.compile", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path("../shared"),
        help="the folder holding sources/ (default: ../shared)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="where to write the tables (default: the shipped reference/data; with "
        f"--hold-out, {EVALUATION_DATA.relative_to(DATA.parents[2])})",
    )
    parser.add_argument(
        "--hold-out",
        action="store_true",
        help="the evaluation build: leave the held-out 20%% of DrugBank and of the street "
        "names out (benchmarks/names_eval.py measures on it); never into reference/data",
    )
    args = parser.parse_args(argv)
    args.out = args.out or (EVALUATION_DATA if args.hold_out else DATA)
    if args.hold_out and args.out.resolve() == DATA.resolve():
        print(
            "error: the held-out build is for evaluation, never shipped; "
            "pass --out DIR outside reference/data",
            file=sys.stderr,
        )
        return 2
    if not (args.shared / "sources").is_dir():
        print(
            f"error: {args.shared / 'sources'} not found; "
            "pass --shared PATH (the folder holding sources/)",
            file=sys.stderr,
        )
        return 2
    try:
        version = build(args.shared, args.out, args.hold_out)
    except MissingSource as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} (data version {version['data_version']}): {version['tables']}")
    return 0
