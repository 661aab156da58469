"""Spelling normalisation: every rule of curated/spelling.csv on its own example, and the
OPSIN misreading risks."""

from __future__ import annotations

import pytest

from subsmatch.compile.spelling import name_risks, respell, spelling_rules

RULES = [rule for rules in spelling_rules().values() for rule in rules]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.language}:{r.pattern.pattern}")
def test_each_rule_changes_its_example_as_documented(rule):
    assert rule.pattern.search(rule.example), "the example must exercise its rule"
    assert respell(rule.example, rule.language) == rule.expected


@pytest.mark.parametrize(
    ("name", "language", "english"),
    [
        ("heroïne", "nl", "heroine"),
        (
            "4-jood-2,5-dimethoxy-N-(2-methoxybenzyl)fenethylamine",
            "nl",
            "4-iodo-2,5-dimethoxy-N-(2-methoxybenzyl)phenethylamine",
        ),
        (
            "2-(methylamino)-1-(3-methylfenyl)propaan-1-on",
            "nl",
            "2-(methylamino)-1-(3-methylphenyl)propane-1-one",
        ),
        (
            "N-Phenyl-N-[1-(1-phenyl-propan-2-yl)-4-piperidyl]acetamid",
            "de",
            "N-phenyl-N-[1-(1-phenyl-propan-2-yl)-4-piperidyl]acetamide",
        ),
        ("1-(4-Fluorphenyl)piperazin", "de", "1-(4-fluorophenyl)piperazine"),
        ("N-(hex-5-en-1-yl)amin", "de", "N-(hex-5-en-1-yl)amine"),
        ("2,5-diméthoxy-4-iodophénéthylamine", "fr", "2,5-dimethoxy-4-iodophenethylamine"),
        ("Aethylmorphinum", "fr", "Ethylmorphine"),
        ("Opium", "fr", "Opium"),
        ("mephedrone", "en", "mephedrone"),
    ],
)
def test_names_respelt_in_english(name, language, english):
    assert respell(name, language) == english


@pytest.mark.parametrize(
    ("name", "risky"),
    [
        ("3,6-diacetylmorphine", True),
        ("acetylcodeine", True),
        ("diacetylmorfine", True),
        ("d-amphetamine", True),
        ("dl-methamphetamine", True),
        ("(l)-ephedrine", True),
        ("diacetylmorphine", True),
        ("N,N-dimethyltryptamine", False),
        ("2,5-dimethoxy-4-methylamphetamine", False),
        ("1-(hex-5-en-1-yl)-1H-indole", False),
        ("hex-en", True),
        ("dextromethorphan", False),
        ("4-fluoroamphetamine", False),
        ("4-chloro-alpha-pyrrolidinovalerophenone", True),
        ("4-Methyl-alphapyrrolidinopropiophenone", True),
        ("4'-methyl-alpha-pyrrolidinohexiophenone", False),
        ("1-(4-methylphenyl)-2-(pyrrolidin-1-yl)propan-1-one", False),
    ],
)
def test_opsin_risks(name, risky):
    assert bool(name_risks(name)) is risky
