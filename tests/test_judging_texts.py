"""The judging worker's shortcuts give what the plain path gives: verdict texts written once per
evaluation, a batch's look-ups normalised once, a worker's checker prepared before its first
batch (real reference, RDKit and OPSIN; no timing; a forked ingest's stored findings are
tests/test_pipeline.py's)."""

from __future__ import annotations

import json
import random

import pytest

from subsmatch.ingest.rows import resolution_values
from subsmatch.ingest.verdicts import Judged, judge
from subsmatch.matchers.checker import EVALUATED, Checker

pytestmark = pytest.mark.opsin  # the names that miss every table go to OPSIN

SAME_SUBSTANCE = [  # spellings, salts, a CAS number: one evaluation each group
    "MDMA",
    "MDMA HCl",
    "mdma hydrochloride",
    "3,4-Methylenedioxymethamphetamine",
    "42542-10-9",
    "Cocaine",
    "cocaine hydrochloride",
    "COCAINE",
    "Kokain",
    "Fentanyl citrate",
    "fentanyl",
]
OTHERS = [
    "caffeine",
    "Unknown compound NPS-4471",
    "Unknown compound NPS-4472",
    "Diaeetylmorphine",  # misspelt: near-spellings
    "metamfetamine",
    "1-(4-fluorophenyl)-2-(pyrrolidin-1-yl)hexan-1-one",  # systematic: OPSIN
    "2-(4-bromo-2,5-dimethoxyphenyl)-N-[(2-methoxyphenyl)methyl]ethanamine",
    "CC(CC1=CC=CC=C1)NC",  # a SMILES
    "CCCCCCN1CCC(CC1)C(=O)c1ccc(F)cc1",  # a structure new to the reference: analogues
    "MDMA-d5",
    "levocetirizina",
    "cocaine methyl ester",
    "",
    "   ",
    "Ü-47700 ☃",
]


def queries(count: int = 300, seed: int = 5) -> list[str]:
    """Names the reference holds, as labs print them, misspelt, with salts; and the above."""
    names = [name for name, _sid, _region in Checker().reference.name_rows()]
    rng = random.Random(seed)
    drawn = rng.sample(names, count)
    out = []
    for name in drawn:
        roll = rng.random()
        if roll < 0.2:
            name = name.upper()
        elif roll < 0.35:
            name = f"{name} HCl"
        elif roll < 0.5 and len(name) > 4:
            at = rng.randrange(1, len(name))
            name = name[:at] + rng.choice("aeiou") + name[at + 1 :]
        out.append(name)
    return list(dict.fromkeys([*SAME_SUBSTANCE, *OTHERS, *out, *SAME_SUBSTANCE]))


def test_texts_are_check_json_written_byte_for_byte():
    asked = queries()
    plain = Checker().check_json(asked)
    written = [json.dumps(verdict, ensure_ascii=False) for verdict in plain]
    checker = Checker()
    first = checker.check_texts(asked[:40])  # some evaluations kept, then met again
    texts = first + checker.check_texts(asked[40:])
    assert [text for _verdict, text in texts] == written
    assert [verdict for verdict, _text in texts] == plain
    again = checker.check_texts(list(reversed(asked)))  # every evaluation kept now
    assert [text for _verdict, text in reversed(again)] == written
    shared = {id(verdict["jurisdictions"]) for verdict, _text in texts[: len(SAME_SUBSTANCE)]}
    assert len(shared) < len(SAME_SUBSTANCE)  # the spellings of one substance share one


def test_an_evaluation_no_longer_kept_is_written_again(monkeypatch):
    monkeypatch.setattr("subsmatch.matchers.checker.TEXTS_KEPT", 2)
    asked = SAME_SUBSTANCE + OTHERS
    checker = Checker()
    assert checker._texts.size == 2
    texts = [text for _verdict, text in checker.check_texts(asked)]
    assert texts == [json.dumps(v, ensure_ascii=False) for v in Checker().check_json(asked)]


def test_the_evaluated_members_are_one_run_of_the_json_object(checker):
    (verdict,) = checker.check_json(["MDMA"])
    names = list(verdict)
    first = names.index(EVALUATED[0])
    assert tuple(names[first : first + len(EVALUATED)]) == EVALUATED  # the fast way is taken


def test_a_worker_judges_what_the_plain_path_judges():
    asked = queries(200, seed=8)
    judged = judge(Checker(), asked)
    plain = Checker().check_json(asked)
    assert judged == [(Judged.of(v), resolution_values(v)) for v in plain]


def test_a_batch_resolves_each_name_as_it_resolves_alone():
    asked = queries(200, seed=9)
    batched = Checker().resolver
    batch = batched.resolve_many(asked)
    resolver = Checker().resolver
    alone = [resolver.resolve(query) for query in asked]
    assert batch == alone
    assert not batched._looked_up  # kept only while a batch is resolved


def test_a_prepared_checker_judges_as_one_built_as_it_goes():
    prepared = Checker()
    prepared.prepare()
    asked = queries(150, seed=11)
    assert prepared.check_json(asked) == Checker().check_json(asked)
