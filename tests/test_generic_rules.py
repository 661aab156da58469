"""Every rule file loads, states its citation and dates, and its examples behave."""

from __future__ import annotations

from datetime import date

import pytest
from rdkit import Chem

from subsmatch.matchers.generic import RULES_DIR, RuleBook, RuleFileError, load_law, load_laws

LAWS = load_laws()
RULES = [rule for law in LAWS for rule in law.rules]
BOOK = RuleBook(LAWS)


def matched_ids(smiles: str) -> set[str]:
    return {m.rule.id for m in BOOK.evaluate(Chem.MolFromSmiles(smiles)) if m.matched}


def test_every_rule_file_states_citation_and_dates():
    assert LAWS, "no rule files"
    for law in LAWS:
        assert law.citation and law.source
        date.fromisoformat(law.effective_from)
        assert law.rules, f"{law.path} has no rules"
        if law.provisional:  # an approximation must say what it approximates from
            assert "description" in law.source.lower() or "example" in law.source.lower()


def test_rule_ids_are_unique():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("rule", "smiles"),
    [(r, s) for r in RULES for s in r.examples],
    ids=lambda x: getattr(x, "id", x),
)
def test_law_examples_match_their_rule(rule, smiles):
    assert rule.id in matched_ids(smiles)


@pytest.mark.parametrize(
    ("rule", "smiles", "why"),
    [(r, s, w) for r in RULES for s, w in r.near_misses],
    ids=lambda x: getattr(x, "id", x if len(str(x)) < 40 else None),
)
def test_near_misses_do_not_match_and_say_why(rule, smiles, why):
    results = {m.rule.id: m for m in BOOK.evaluate(Chem.MolFromSmiles(smiles))}
    assert rule.id not in matched_ids(smiles), why
    if rule.id in results:  # the core is present: the first failing constraint is named
        assert results[rule.id].failure


def test_matched_atoms_are_reported():
    fentanyl = Chem.MolFromSmiles("CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1")
    match = next(m for m in BOOK.evaluate(fentanyl) if m.rule.id == "US-HALT-FRS")
    assert match.matched and len(match.atoms) >= 18


def test_bad_rule_file_is_a_clear_error(tmp_path):
    path = tmp_path / "xx-bad-1.toml"
    path.write_text('[law]\njurisdiction = "XX"\n', encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"xx-bad-1\.toml"):
        load_law(path)
    path.write_text(
        '[law]\njurisdiction="XX"\nname="n"\nversion="1"\ncitation="c"\n'
        'effective_from="2020-01-01"\nsource="s"\n[[rules]]\nid="X-1"\n'
        'clause="c"\ncores=["C(("]\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError, match="X-1"):
        load_law(path)


def test_laws_apply_from_their_effective_date():
    law = next(law for law in LAWS if law.jurisdiction == "US")
    assert not law.in_force(date(2020, 1, 1))
    assert law.in_force(date(2026, 1, 1))


def test_a_rule_id_used_in_two_files_is_refused(tmp_path):
    source = next(RULES_DIR.glob("uk-*.toml")).read_text()
    (tmp_path / "uk-a.toml").write_text(source)
    (tmp_path / "uk-b.toml").write_text(source)
    with pytest.raises(RuleFileError, match="used more than once"):
        load_laws(tmp_path)
