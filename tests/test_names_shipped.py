"""What the shipped reference answers for names whose sources disagree or name products: a brand
of a combination product, an abbreviation two sources give to different substances, a
vocabulary's synonym kept for lookup by its own spelling only."""

from __future__ import annotations

from dataclasses import replace

import pytest

from subsmatch.substances.names import normalise
from subsmatch.vocabulary import severity


def test_a_brand_alone_is_not_the_combination_product_it_is_sold_with(checker):
    """The DEA lists "Empirin,Fiorinal,Tylenol,ASA or APAP w/codeine" under the codeine
    combination product: each brand *with codeine* names it, the brand alone does not."""
    resolver = checker.resolver
    product = resolver.resolve("Tylenol w/codeine")
    assert checker.reference.substances[product.substance_id].name.startswith(
        "Codeine combination product"
    )
    for brand in ("Tylenol", "Empirin", "ASA"):
        found = resolver.resolve(brand)
        name = checker.reference.substances[found.substance_id].name if found.resolved else ""
        assert not name.startswith("Codeine combination product") or found.uncertain, brand


def test_an_abbreviation_two_sources_give_to_different_substances_is_ambiguous(checker):
    found = checker.resolver.resolve("MPA")
    assert found.uncertain and found.alternatives
    names = {checker.reference.substances[s].name.casefold() for s in found.alternatives}
    names.add(checker.reference.substances[found.substance_id].name.casefold())
    assert "mpa" in names or "methiopropamine" in names
    assert any("medroxyprogesterone" in n for n in names)


def test_a_vocabulary_synonym_is_found_by_its_spelling_but_is_no_near_spelling_target(checker):
    """Names of substances only DrugBank knows: a brand or synonym is found as written (case,
    spaces and hyphens aside), never as the near-spelling of another query."""
    reference = checker.reference
    exact_only = reference.exact_only_rows
    assert exact_only
    name, sid, _ = reference.name_rows()[exact_only[0]]
    assert checker.resolver.resolve(name.upper()).substance_id == sid
    hits = checker.resolver.lookups.names.fuzzy(normalise(name + "x"))
    assert all(h.matched_name != normalise(name).key for h in hits)


@pytest.mark.parametrize("query", ["MPA", "PAA", "NPP", "MEK"])
def test_an_ambiguous_answer_is_headed_by_its_most_severe_meaning(checker, query):
    """Whatever order the resolver gives the meanings of an ambiguous name, the verdict's
    substance is the meaning whose own headline is the most severe (a precursor or controlled
    meaning is never hidden behind a harmless one), and the others stay its alternatives."""
    (verdict,) = checker.check([query])
    found = verdict.resolution
    if not found.alternatives:
        pytest.skip(f"{query!r} is not ambiguous in this reference")
    codes, scope = checker.scope(None)
    own = {
        sid: checker._evaluate(
            replace(
                found,
                substance_id=sid,
                keys=checker.reference.substances[sid].keys,
                alternatives=(),
            ),
            codes,
            scope,
            None,
        ).status
        for sid in (found.substance_id, *found.alternatives)
    }
    assert verdict.status == own[found.substance_id]
    assert severity(verdict.status) == min(severity(s) for s in own.values())
    assert found.uncertain
