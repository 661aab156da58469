"""Rule files that read a clause through another law's structure (same_as), and laws whose start
date is not known (evidence_from): Luxembourg's synthetic-cannabinoid entry."""

from __future__ import annotations

from datetime import date

import pytest

from subsmatch.matchers.generic import RuleFileError, load_laws
from subsmatch.reference.law import State

LAWS = {law.path: law for law in load_laws()}
LU_2009 = LAWS["lu-rgd1974-psychotropes-39-2009.toml"]
LU_2023 = LAWS["lu-rgd1974-psychotropes-39-2023.toml"]


def test_a_same_as_rule_takes_the_structure_of_the_rule_it_names():
    de = {r.id: r for r in LAWS["de-npsg-2025.toml"].rules}
    for rule in (*LU_2009.rules, *LU_2023.rules):
        source = de[rule.same_as]
        assert (rule.cores, rule.sites, rule.exclude_smarts) == (
            source.cores,
            source.sites,
            source.exclude_smarts,
        )
        assert rule.law.jurisdiction == "LU" and rule.id.startswith("LU-")
        assert "provisional" in rule.clause and "effect" in rule.clause
    assert LU_2009.provisional and LU_2023.provisional


def test_a_law_with_unknown_start_is_unknown_between_its_act_and_its_evidence():
    assert LU_2009.state(date(2009, 4, 19)) is State.NOT_YET
    assert LU_2009.state(date(2015, 1, 1)) is State.UNKNOWN
    assert LU_2009.state(date(2023, 8, 6)) is State.IN_FORCE
    assert not LU_2009.in_force(date(2015, 1, 1))
    assert LU_2023.state(date(2023, 8, 5)) is State.NOT_YET


def test_a_same_as_rule_must_name_a_rule_with_a_structure(tmp_path):
    law = (
        '[law]\njurisdiction="LU"\nname="n"\nversion="1"\ncitation="c"\n'
        'effective_from="2020-01-01"\nsource="s"\n'
    )
    (tmp_path / "lu-x.toml").write_text(law + '[[rules]]\nid="LU-X"\nclause="c"\nsame_as="NONE"\n')
    with pytest.raises(RuleFileError, match=r"lu-x\.toml rule LU-X: same_as names no rule"):
        load_laws(tmp_path)
    (tmp_path / "lu-x.toml").write_text(
        law + '[[rules]]\nid="LU-X"\nclause="c"\nsame_as="A"\ncores=["CC"]\n'
    )
    with pytest.raises(RuleFileError, match="takes only id and clause"):
        load_laws(tmp_path)
