"""Names a control list gives as positional isomers of an entry stay off the entry."""

from __future__ import annotations

from subsmatch.compile.isomers import keep_isomers_apart
from subsmatch.compile.records import Listing, Name, Row

SCHEDULE_I = Listing("US", "CSA Schedule I", "psychotropic")


def entry() -> Row:
    return Row(
        "dea_orange_book",
        96,
        [Name("5-Methoxy-N-N-dimethyltryptamine", "preferred"), Name("5-MeO-DMT")],
        listings=[SCHEDULE_I],
        isomers=["4-Methoxy-N,N-dimethyltryptamine", "4-MeO-DMT"],
    )


def test_a_derived_synonym_table_loses_the_isomer_names_by_label_or_by_name():
    by_label = Row(
        "dope_dea_controlled", 40, [Name("4-MeO-DMT")], label="5-Methoxy-N-N-dimethyltryptamine"
    )
    by_name = Row("dod_prohibited", 3, [Name("5-MeO-DMT"), Name("4-meo-DMT"), Name("Foxy")])
    kept, dropped = keep_isomers_apart([entry(), by_label, by_name])
    assert [r.ref for r in kept] == ["dea_orange_book:96", "dod_prohibited:3"]
    assert [n.text for n in kept[1].names] == ["5-MeO-DMT", "Foxy"]
    assert [(d.ref, d.what, d.substance) for d in dropped] == [
        ("dope_dea_controlled:40", "name '4-MeO-DMT'", "5-Methoxy-N-N-dimethyltryptamine"),
        ("dod_prohibited:3", "name '4-meo-DMT'", "5-Methoxy-N-N-dimethyltryptamine"),
    ]


def test_the_isomer_keeps_its_own_names_and_other_rows_are_untouched():
    isomer = Row("dea_orange_book", 96, [Name("4-MeO-DMT")], listings=[SCHEDULE_I])
    unrelated = Row("china_lists", 5, [Name("4-MeO-DMT"), Name("4-methoxy-DMT")])
    kept, dropped = keep_isomers_apart([entry(), isomer, unrelated])
    assert [[n.text for n in r.names] for r in kept[1:]] == [
        ["4-MeO-DMT"],
        ["4-MeO-DMT", "4-methoxy-DMT"],
    ]
    assert not dropped


def test_a_digit_apart_is_another_name():
    near = Row("dope_dea_controlled", 41, [Name("5-MeO-DMT")], label="5-MeO-DMT")
    kept, dropped = keep_isomers_apart([entry(), near])
    assert [n.text for n in kept[1].names] == ["5-MeO-DMT"]
    assert not dropped
