"""The start-up cache: made once, read back, never stale or damaged, safe when processes race;
and a check of a known name started from it needs neither pyarrow, RDKit nor numpy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from subsmatch import startup
from subsmatch.matchers.generic import RuleBook, RuleFileError, load_laws
from subsmatch.reference import lists
from subsmatch.reference.lists import DATA_DIR, Reference

ROOT = Path(__file__).resolve().parents[1]


class Counting:
    """A maker that counts its calls."""

    def __init__(self, value: object) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "source.txt"
    path.write_text("one")
    return path


def test_a_value_is_made_once_then_read_back(tmp_path, source):
    folder = tmp_path / "cache"
    make = Counting({"rows": [1, 2, 3]})
    assert startup.kept("t", [source], make, folder=folder) == {"rows": [1, 2, 3]}
    assert startup.kept("t", [source], make, folder=folder) == {"rows": [1, 2, 3]}
    assert make.calls == 1
    assert [p.suffix for p in folder.iterdir()] == [".pickle"]  # no temporary file left


def test_a_changed_source_or_extra_makes_it_again(tmp_path, source):
    folder = tmp_path / "cache"
    assert startup.kept("t", [source], lambda: "one", folder=folder) == "one"
    source.write_text("two")  # same size, other bytes
    assert startup.kept("t", [source], lambda: "two", folder=folder) == "two"
    assert startup.kept("t", [source], lambda: "other", extra=["x"], folder=folder) == "other"
    assert startup.kept("t", [source], lambda: "unused", folder=folder) == "two"


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),  # cut short
        lambda p: p.write_bytes(b"not a pickle at all"),
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(__import__("pickle").dumps(("another key", "stale"))),
    ],
    ids=["truncated", "garbage", "empty", "other-key"],
)
def test_a_damaged_copy_is_never_used_and_is_written_again(tmp_path, source, damage):
    folder = tmp_path / "cache"
    startup.kept("t", [source], lambda: ["whole", "value"] * 50, folder=folder)
    (copy,) = folder.glob("t-*.pickle")
    damage(copy)
    make = Counting(["made", "again"])
    assert startup.kept("t", [source], make, folder=folder) == ["made", "again"]
    assert startup.kept("t", [source], make, folder=folder) == ["made", "again"]
    assert make.calls == 1


def test_a_folder_that_cannot_be_written_costs_only_time(tmp_path, source):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    make = Counting(42)
    assert startup.kept("t", [source], make, folder=blocked / "cache") == 42
    assert startup.kept("t", [source], make, folder=blocked / "cache") == 42
    assert make.calls == 2


def test_off_keeps_nothing(tmp_path, source, monkeypatch):
    monkeypatch.setenv("SUBSMATCH_CACHE_DIR", "off")
    make = Counting(1)
    startup.kept("t", [source], make)
    startup.kept("t", [source], make)
    assert make.calls == 2


def test_old_copies_are_pruned(tmp_path, source):
    folder = tmp_path / "cache"
    for i in range(startup.KEPT_PER_NAME + 3):
        startup.kept("t", [source], lambda i=i: i, extra=[str(i)], folder=folder)
    assert len(list(folder.glob("t-*.pickle"))) == startup.KEPT_PER_NAME


RACE = """
import sys
from pathlib import Path
from subsmatch import startup
value = startup.kept("race", [Path(sys.argv[1])], lambda: list(range(200_000)),
                     folder=Path(sys.argv[2]))
print(len(value), sum(value))
"""


def test_processes_that_start_together_each_read_a_whole_copy(tmp_path, source):
    folder = tmp_path / "cache"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", RACE, str(source), str(folder)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = [run.communicate(timeout=120)[0].strip() for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert set(outputs) == {f"200000 {sum(range(200_000))}"}
    assert [p.suffix for p in folder.iterdir()] == [".pickle"]  # one copy, no temporary file
    make = Counting(None)
    assert len(startup.kept("race", [source], make, folder=folder)) == 200_000
    assert make.calls == 0


# --- what is kept: the reference, the rule files ------------------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    return folder


def test_the_reference_read_back_equals_the_one_read_from_its_tables(
    data_copy, tmp_path, monkeypatch
):
    monkeypatch.setenv("SUBSMATCH_CACHE_DIR", str(tmp_path / "cache"))
    lists.load.cache_clear()
    try:
        made = lists.load(data_copy)
        lists.load.cache_clear()
        read = lists.load(data_copy)
    finally:
        lists.load.cache_clear()
    assert read is not made
    fresh = Reference(data_copy)
    for reference in (made, read):
        assert reference.substances == fresh.substances
        assert dict(reference.listings) == dict(fresh.listings)
        assert reference.names == fresh.names
        assert reference.name_rows() == fresh.name_rows()
        assert (reference.lists, reference.exclusions) == (fresh.lists, fresh.exclusions)
        assert dict(reference.by_cas) == dict(fresh.by_cas)
        assert reference.data_dir == data_copy


def test_a_changed_table_gives_the_new_reference(data_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBSMATCH_CACHE_DIR", str(tmp_path / "cache"))
    version = data_copy / "VERSION.json"
    lists.load.cache_clear()
    try:
        before = lists.load(data_copy).version
        version.write_text(json.dumps({**json.loads(version.read_text()), "data_version": "x"}))
        lists.load.cache_clear()
        after = lists.load(data_copy).version
    finally:
        lists.load.cache_clear()
    assert (before, after) != (before, before)
    assert after == "x"


def test_rule_files_are_kept_without_their_rdkit_queries(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBSMATCH_CACHE_DIR", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "subsmatch" / "reference" / "rules", rules)
    made, read = load_laws(rules), load_laws(rules)
    assert read == made and read is not made
    rule = read[0].rules[0]
    assert "core_queries" not in vars(rule)  # compiled again when first searched
    assert rule.core_queries and RuleBook(read).version == RuleBook(made).version
    assert all(r.law.path == law.path for law in read for r in law.rules)


def test_a_bad_rule_file_still_fails_and_is_never_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("SUBSMATCH_CACHE_DIR", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "subsmatch" / "reference" / "rules", rules)
    load_laws(rules)
    path = next(rules.glob("*.toml"))
    path.write_text(path.read_text().replace("cores = [", 'cores = ["C1CC(", ', 1))
    with pytest.raises(RuleFileError):
        load_laws(rules)


PROBE = """
import sys
from subsmatch.cli import run
sys.argv = ["subsmatch", "check", *sys.argv[1:], "--no-record", "--json"]
try:
    run()
except SystemExit:
    pass
heavy = ("pyarrow", "numpy", "rdkit.Chem", "pandas", "sqlalchemy")
print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("query", ["cocaine", "paracetamol", "4-MMC", "50-36-2"])
def test_a_check_of_a_known_substance_from_the_cache_loads_no_heavy_module(
    query, tmp_path, monkeypatch
):
    """A failure: something on the path of a known name imports pyarrow, numpy or RDKit (a
    quarter to half a second of every start), or the stored tables are stale (run
    ``python -m subsmatch.matchers.precompute``)."""
    env = {**os.environ, "SUBSMATCH_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", PROBE, query]
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    second = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert json.loads(second.stdout)["resolved"]
    assert second.stderr.strip().splitlines()[-1] == "[]"
