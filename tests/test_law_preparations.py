"""A preparation named without a structure (an extract, a tincture, a powder of a listed drug) takes
the verdict of the drug it is made of (law.toml [preparations]; 1961 art. 2(3), 1971 art. 3(1))."""

from __future__ import annotations

import pytest

from subsmatch.reference import law as law_module


def _by_code(verdict: dict) -> dict[str, dict]:
    return {j["code"]: j for j in verdict["jurisdictions"]}


@pytest.mark.parametrize("query", ["Opium fluid extract", "opium tincture", "Opium, powdered"])
def test_an_opium_preparation_is_controlled_where_opium_is(checker, query):
    verdict = checker.check_json([query], None, None)[0]
    assert verdict["resolved"]["smiles"] is None  # named without a structure
    codes = _by_code(verdict)
    for code in ("UN", "BE", "NL", "DE", "CN"):
        assert codes[code]["status"] == "controlled", code
        assert any(e["match"] == "preparation" for e in codes[code]["entries"]), code
    assert codes["EU"]["status"] == "controlled"  # an EU drug: opium is in 1961 Schedule I
    (rule,) = [d for d in codes["UN"]["derived"] if d["rule_id"] == "preparation"]
    assert "art. 2(3)" in rule["act"] and "opium" in rule["text"].lower()
    opium = checker.check_json(["opium"], None, None)[0]
    assert {c: j["status"] for c, j in _by_code(opium).items()} == {
        c: j["status"] for c, j in codes.items()
    }


def test_the_drug_is_what_the_name_says_without_the_preparation_words():
    preparations = law_module.load().preparations
    assert preparations is not None and "1961" in preparations.act
    assert preparations.base_name("Tincture of opium") == "opium"
    assert preparations.base_name("Opium poppy") is None  # a plant, not a preparation
    # a concentrate is its own entry, not a preparation of poppy straw
    assert preparations.base_name("Concentrate of poppy straw") is None


def test_a_preparation_whose_drug_is_not_one_reference_substance_is_left_alone(checker):
    # the poppy plant is no preparation: its own listings, none borrowed
    verdict = checker.check_json(["Opium poppy"], None, None)[0]
    entries = [e for j in verdict["jurisdictions"] for e in j["entries"]]
    assert entries and all(e["match"] != "preparation" for e in entries)
