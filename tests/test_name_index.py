from __future__ import annotations

import json
import re
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from subsmatch.matchers.names import NameHit, SynonymIndex
from subsmatch.reference.lists import DATA_DIR, Reference
from subsmatch.substances.names import KEY_VERSION, guard_signature, normalise, spelling_fold

PAIRS = [
    ("MDMA", "s1"),
    ("3,4-methylenedioxymethamphetamine", "s1"),
    ("3-CMC", "s2"),
    ("4-CMC", "s3"),
    ("3-MMC", "s4"),
    ("dextromethorphan", "s5"),
    ("levomethorphan", "s6"),
    ("methamphetamine", "s7"),
    ("fentanyl", "s8"),
    ("amphetamine", "s9"),
    ("d-amphetamine", "s10"),
    ("dexamfetamine", "s10"),
    ("ethamphetamine", "s11"),
    ("androstenedione", "s12"),
    ("androstenediol", "s13"),
    ("cocaine", "s14"),
    ("Kokain", "s14"),
    ("(+)-lysergide", "s15"),
    ("LSD", "s15"),
    ("LSD", "s16"),  # a deliberately ambiguous synonym
]


@pytest.fixture(scope="module")
def index() -> SynonymIndex:
    return SynonymIndex(PAIRS)


def ids(hits: list[NameHit]) -> list[str]:
    return [hit.substance_id for hit in hits]


def test_exact_hits_the_key_only(index: SynonymIndex) -> None:
    assert index.exact(normalise("4-cmc")) == [NameHit("s3", "4-cmc", 100.0, True)]
    assert ids(index.exact(normalise("4CMC hydrochloride"))) == ["s3"]
    assert ids(index.exact(normalise("3,4-Methylenedioxymethamphetamine HCl"))) == ["s1"]
    assert index.exact(normalise("3-cmcc")) == []


def test_exact_shows_ambiguity_sorted(index: SynonymIndex) -> None:
    assert ids(index.exact(normalise("lsd"))) == ["s15", "s16"]


def test_exact_keeps_stereo_apart(index: SynonymIndex) -> None:
    assert ids(index.exact(normalise("D-Amphetamine sulfate"))) == ["s10"]
    assert ids(index.exact(normalise("amphetamine"))) == ["s9"]


def test_exact_falls_back_to_base_for_unknown_stereo(index: SynonymIndex) -> None:
    hits = index.exact(normalise("(S)-amphetamine"))
    assert [(h.substance_id, h.matched_name) for h in hits] == [
        ("s9", "amphetamine"),
        ("s10", "d-amphetamine"),
    ]
    assert index.exact(normalise("(S)-mephedrone")) == []


def test_fuzzy_spelling_variant(index: SynonymIndex) -> None:
    [hit] = index.fuzzy(normalise("metamfetamine"))
    assert hit.substance_id == "s7" and hit.matched_name == "methamphetamine"
    assert 90 <= hit.score < 100 and not hit.exact
    assert ids(index.fuzzy(normalise("fentanil"))) == ["s8"]
    assert ids(index.fuzzy(normalise("Cocain"))) == ["s14"]


def test_fuzzy_never_crosses_stereo_words(index: SynonymIndex) -> None:
    assert ids(index.fuzzy(normalise("dextromethorphane"))) == ["s5"]
    assert ids(index.fuzzy(normalise("levomethorphane"))) == ["s6"]


@pytest.mark.parametrize(
    "query",
    ["3-cmcc", "3-cmc", "4-cmd", "3-nmc", "3-mmcc", "5-cmc", "cmc", "mdma", "mdea", "mda"],
)
def test_fuzzy_never_crosses_codes(index: SynonymIndex, query: str) -> None:
    assert index.fuzzy(normalise(query)) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ethamphetamin", ["s11"]),  # never methamphetamine
        ("androstenedion", ["s12"]),  # the dione, never the diol
        ("methamphetamine", []),  # its own key is exact's answer, ethamphetamine is not near
        ("not a drug name 123", []),
        ("", []),
    ],
)
def test_fuzzy_returns_no_twin_and_no_neighbour(
    index: SynonymIndex, query: str, expected: list[str]
) -> None:
    assert ids(index.fuzzy(normalise(query))) == expected


def test_fuzzy_needs_at_most_one_edit_after_folding(index: SynonymIndex) -> None:
    assert ids(index.fuzzy(normalise("dextromethrophan"))) == ["s5"]  # transposition
    assert ids(index.fuzzy(normalise("fentanly"))) == ["s8"]  # a long name: one typo
    assert ids(index.fuzzy(normalise("fentaynl"))) == ["s8"]
    assert index.fuzzy(normalise("fantanyll")) == []  # two edits


def test_fuzzy_short_names_take_spelling_conventions_not_typos(index: SynonymIndex) -> None:
    assert ids(index.fuzzy(normalise("Cocainum"))) == ["s14"]  # Latin INN
    assert ids(index.fuzzy(normalise("cocaina"))) == ["s14"]  # Spanish INN
    assert index.fuzzy(normalise("cocaime")) == []  # seven letters: no typo allowed


def test_fuzzy_is_deterministic_and_limited() -> None:
    pairs = [("fentanyl", f"x{i}") for i in range(5)] + [("fentanil", "y")]
    index = SynonymIndex(pairs)
    hits = index.fuzzy(normalise("fentanyll"), limit=3)
    assert len(hits) == 3
    assert hits == index.fuzzy(normalise("fentanyll"), limit=3)
    assert hits == sorted(hits, key=lambda h: (-h.score, h.matched_name, h.substance_id))


def test_compact_meets_spacing_and_hyphen_variants_only(index: SynonymIndex) -> None:
    spaced = SynonymIndex([("MDMB-4en-PINACA", "m"), ("5F-MDMB-PICA", "p"), *PAIRS])
    assert ids(spaced.compact(normalise("MDMB 4en PINACA"))) == ["m"]
    assert ids(spaced.compact(normalise("MDMB4en-PINACA"))) == ["m"]
    assert ids(spaced.compact(normalise("5F MDMB PICA"))) == ["p"]
    assert spaced.compact(normalise("MDMB 5en PINACA")) == []  # a digit apart
    assert spaced.compact(normalise("3 CMCC")) == []
    assert spaced.compact(normalise("MDMB-4en-PINACA")) == []  # its own key: exact's answer


def test_hits_carry_the_regions_of_their_meaning() -> None:
    index = SynonymIndex(
        [("speed", "amph", "NL"), ("speed", "amph", "BE"), ("speed", "meth", "US"), ("MDMA", "m")]
    )
    assert [(h.substance_id, h.regions) for h in index.exact(normalise("Speed"))] == [
        ("amph", frozenset({"NL", "BE"})),
        ("meth", frozenset({"US"})),
    ]
    assert index.exact(normalise("mdma"))[0].regions == frozenset({""})


def test_given_keys_are_used_as_they_are() -> None:
    index = SynonymIndex([("Methamphetamine", "s7")], keys=["methamphetamine"])
    assert ids(index.exact(normalise("METHAMPHETAMINE"))) == ["s7"]
    assert ids(index.fuzzy(normalise("metamfetamine"))) == ["s7"]


def test_len_counts_distinct_keys(index: SynonymIndex) -> None:
    assert len(index) == len({normalise(text).key for text, _ in PAIRS})


_WORDS = st.sampled_from(
    ["3-CMC", "4-CMC", "3-MMC", "2C-B", "2C-I", "fentanyl", "fentanil", "MDMA", "MDEA",
     "methamphetamine", "metamfetamine", "ethamphetamine", "25I-NBOMe", "25B-NBOMe", "(S)-",
     "d-", "dextro", "levo", "methorphan", "4-fluoro", "4-chloro", "amphetamine", "x", "2"]
)  # fmt: skip
_NAMES = st.lists(_WORDS, min_size=1, max_size=3).map("".join)


@given(st.lists(_NAMES, min_size=1, max_size=12), _NAMES)
def test_fuzzy_hits_share_digits_and_guard(synonyms: list[str], query: str) -> None:
    index = SynonymIndex((name, f"s{i}") for i, name in enumerate(synonyms))
    name = normalise(query)
    for hit in index.fuzzy(name):
        assert re.findall(r"\d+", hit.matched_name) == re.findall(r"\d+", name.key)
        assert guard_signature(hit.matched_name) == guard_signature(name.key)
        assert hit.matched_name != name.key and hit.score < 100


def test_stored_keys_are_taken_only_from_this_normaliser(tmp_path) -> None:
    for path in DATA_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    names = pq.read_table(tmp_path / "names.parquet")
    keys = [normalise(name).key for name in names.column("name").to_pylist()]
    names = names.set_column(names.schema.get_field_index("key"), "key", pa.array(keys))
    pq.write_table(names, tmp_path / "names.parquet")
    version = json.loads((tmp_path / "VERSION.json").read_text())
    (tmp_path / "VERSION.json").write_text(json.dumps({**version, "name_key_version": KEY_VERSION}))

    reference = Reference(tmp_path)
    assert reference.name_keys(KEY_VERSION) == keys
    assert reference.name_keys("another normaliser") is None
    stored = SynonymIndex(reference.name_rows(), reference.name_keys(KEY_VERSION))
    made = SynonymIndex(reference.name_rows())
    for query in ("MDMA", "4F-PHP", "speed", "fentanly", "(S)-amphetamine"):
        name = normalise(query)
        assert stored.exact(name) == made.exact(name)
        assert stored.fuzzy(name) == made.fuzzy(name)


_SPELLINGS = st.sampled_from(
    ["cetirizine", "cetirizina", "cetirizone", "levocetirizine", "fentanyl", "fentanil",
     "fentanly", "methamphetamine", "metamfetamine", "kokain", "cocaine", "cocainum"]
)  # fmt: skip


@given(st.lists(_SPELLINGS, min_size=1, max_size=8), _SPELLINGS)
def test_spelled_is_fuzzy_narrowed_to_spelling_conventions(synonyms, query) -> None:
    """The prefilter of ``spelled`` (no indexed key folds to the query's fold) only ever
    skips queries whose answer would have been empty."""
    index = SynonymIndex((name, f"s{i}") for i, name in enumerate(synonyms))
    name = normalise(query)
    folded = spelling_fold(name.key)
    expected = [h for h in index.fuzzy(name) if spelling_fold(h.matched_name) == folded]
    assert index.spelled(name) == expected


def test_indexes_built_when_first_asked_go_through_keep(index: SynonymIndex) -> None:
    """What ``keep`` hands back is what the index uses (as a copy from an earlier process
    would be), and each part is asked for once, by its name."""
    asked: list[str] = []
    kept: dict[str, object] = {}

    def keeping(part, make):
        asked.append(part)
        return kept.setdefault(part, make())

    first = SynonymIndex(PAIRS, keep=keeping)
    queries = [normalise(q) for q in ("fentanil", "metamfetamine", "(R)-LSD", "3 CMC", "kokain")]
    answers = [(first.exact(q), first.compact(q), first.fuzzy(q)) for q in queries]
    assert sorted(asked) == ["buckets", "by_base", "by_compact"]
    second = SynonymIndex(PAIRS, keep=lambda part, make: kept[part])  # makes nothing
    assert [(second.exact(q), second.compact(q), second.fuzzy(q)) for q in queries] == answers
    assert answers == [(index.exact(q), index.compact(q), index.fuzzy(q)) for q in queries]


def test_names_found_by_their_own_spelling_only_are_no_fuzzy_target() -> None:
    """A row given as exact-only is found exactly and blind to spaces and hyphens, never by a
    near-spelling; a key another row gives as a fuzzy target stays one."""
    names = [
        ("phenylamine", "aniline"),  # a vocabulary's synonym of a substance only it knows
        ("Pheno-barbital X", "s2"),
        ("Fentanyl", "s3"),
        ("fentanyl", "s4"),
    ]
    index = SynonymIndex(names, exact_only=[0, 1, 2])
    assert ids(index.exact(normalise("Phenylamine"))) == ["aniline"]
    assert ids(index.compact(normalise("phenobarbital x"))) == ["s2"]
    assert index.fuzzy(normalise("pheniramine")) == []
    assert index.fuzzy(normalise("phenylamina")) == []
    assert index.spelled(normalise("phenilamine")) == []
    assert ids(index.fuzzy(normalise("fentanly"))) == ["s3", "s4"]
    assert ids(SynonymIndex(names).fuzzy(normalise("phenylamina"))) == ["aniline"]


def test_the_reference_gives_the_rows_found_by_their_own_spelling_only(tmp_path) -> None:
    for path in DATA_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    names = pq.read_table(tmp_path / "names.parquet")
    if "fuzzy" in names.schema.names:
        names = names.drop_columns(["fuzzy"])
    pq.write_table(names, tmp_path / "names.parquet")
    assert Reference(tmp_path).exact_only_rows == []  # a table written before the column
    flags = [i % 3 != 0 for i in range(names.num_rows)]
    pq.write_table(names.append_column("fuzzy", pa.array(flags)), tmp_path / "names.parquet")
    assert Reference(tmp_path).exact_only_rows == list(range(0, names.num_rows, 3))
