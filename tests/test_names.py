from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subsmatch.substances.names import (
    FORM_WORDS,
    KEY_VERSION,
    SHORTHAND,
    TEXT_STEPS,
    alias_parts,
    compact_key,
    guard_signature,
    normalise,
    nps_shorthand,
    spelling_fold,
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # codes
        ("2CB", "2c-b"),
        ("2-CB", "2c-b"),
        ("2C B", "2c-b"),
        ("2c-b", "2c-b"),
        ("2C-E", "2c-e"),
        ("2C-I", "2c-i"),
        ("2CT2", "2c-t-2"),
        ("2C-T2", "2c-t-2"),
        ("2C-T-2", "2c-t-2"),
        ("2C-T-7", "2c-t-7"),
        ("25I-NBOMe", "25i-nbome"),
        ("25i nbome", "25i-nbome"),
        ("25I NBOMe", "25i-nbome"),
        ("25I- NBOMe", "25i-nbome"),
        ("MDMA", "mdma"),
        ("3-MMC", "3-mmc"),
        ("3MMC", "3-mmc"),
        ("4CMC", "4-cmc"),
        ("4FA", "4-fa"),
        ("3FPM", "3-fpm"),
        ("4MEC", "4-mec"),
        ("2FDCK", "2-fdck"),
        ("5MeO-DMT", "5-methoxy-dmt"),
        ("2-fluorodeschloroketamine", "2-fluorodeschloroketamine"),
        ("50-37-3", "50-37-3"),
        ("1cP-LSD", "1cp-lsd"),
        # Greek letters
        ("Δ9-THC", "delta-9-thc"),
        ("Δ⁹-THC", "delta-9-thc"),
        ("Δ9-tetrahydrocannabinol", "delta-9-tetrahydrocannabinol"),
        ("delta9-thc", "delta-9-thc"),
        ("delta 9 THC", "delta-9-thc"),
        ("a-PVP", "alpha-pvp"),
        ("α-PVP", "alpha-pvp"),
        ("alpha PVP", "alpha-pvp"),
        ("alpha-PVP", "alpha-pvp"),
        ("a-PHP", "alpha-php"),
        ("α-pyrrolidinovalerophenone", "alpha-pyrrolidinovalerophenone"),
        ("b-keto-MDA", "beta-keto-mda"),
        ("alphaprodine", "alphaprodine"),
        ("γ-hydroxybutyrate", "gamma-hydroxybutyrate"),
        # dashes, quotes, NFKC, accents, spacing, punctuation
        ("3‐MMC", "3-mmc"),
        ("3–MMC", "3-mmc"),
        ("3−MMC", "3-mmc"),
        ("3－MMC", "3-mmc"),
        ("ＭＤＭＡ", "mdma"),
        ("  Cocaine  ", "cocaine"),
        ("cocaïne", "cocaine"),
        ("3, 4-Methylenedioxymethamphetamine.", "3,4-methylenedioxymethamphetamine"),
        ("4′-chloro-α-PVP", "4'-chloro-alpha-pvp"),
        # isotope labels are distinct substances
        ("MDMA-d5", "mdma-d5"),
        ("Cocaine-D3", "cocaine-d3"),
        ("[2H3]-methadone", "[2h3]-methadone"),
    ],
)
def test_normalise_key(text: str, key: str) -> None:
    assert normalise(text).key == key


@pytest.mark.parametrize(
    ("text", "base", "form"),
    [
        ("MDMA HCl", "mdma", ("hydrochloride",)),
        ("MDMA hydrochloride", "mdma", ("hydrochloride",)),
        ("MDMA·HCl", "mdma", ("hydrochloride",)),
        ("MDMA.HCl", "mdma", ("hydrochloride",)),
        ("MDMA HCl salt", "mdma", ("hydrochloride",)),
        ("3MMC hydrochlorid", "3-mmc", ("hydrochloride",)),
        ("fentanyl citrate", "fentanyl", ("citrate",)),
        ("Cocaine (hydrochloride)", "cocaine", ("hydrochloride",)),
        ("cocaine HCl crystal", "cocaine", ("hydrochloride", "crystal")),
        ("cocaine free base", "cocaine", ("base",)),
        ("morphine sulphate", "morphine", ("sulfate",)),
        ("codeine phosphate hemihydrate", "codeine", ("phosphate", "hemihydrate")),
        ("25B-NBOMe HCl", "25b-nbome", ("hydrochloride",)),
        # never an empty base; esters and inorganic salts keep their anion
        ("citrate", "citrate", ()),
        ("HCl", "hcl", ()),
        ("methyl salicylate", "methyl salicylate", ()),
        ("amyl nitrate", "amyl nitrate", ()),
        ("sodium citrate", "sodium citrate", ()),
        ("trenbolone acetate", "trenbolone acetate", ()),
    ],
)
def test_normalise_forms(text: str, base: str, form: tuple[str, ...]) -> None:
    name = normalise(text)
    assert (name.base, name.form) == (base, form)


@pytest.mark.parametrize(
    ("text", "stereo", "base"),
    [
        ("(S)-amphetamine", "(s)", "amphetamine"),
        ("(R)-ketamine", "(r)", "ketamine"),
        ("(R,S)-MDMA", "(±)", "mdma"),
        ("(RS)-MDMA", "(±)", "mdma"),
        ("(±)-MDMA", "(±)", "mdma"),
        ("(+/-)-MDMA", "(±)", "mdma"),
        ("rac-ketamine", "(±)", "ketamine"),
        ("racemic amphetamine", "(±)", "amphetamine"),
        ("dl-amphetamine", "(±)", "amphetamine"),
        ("DL-methorphan", "(±)", "methorphan"),
        ("(+)-MDMA", "(+)", "mdma"),
        ("(-)-MDMA", "(-)", "mdma"),
        ("d-amphetamine", "d", "amphetamine"),
        ("D-Amphetamine sulfate", "d", "amphetamine"),
        ("l-amphetamine", "l", "amphetamine"),
        ("L-theanine", "l", "theanine"),
        ("(S)-(+)-amphetamine", "(s)-(+)", "amphetamine"),
        ("S(+)-amphetamine", "(s)-(+)", "amphetamine"),
        # word-level stereo and look-alikes stay in the base
        ("dextromethorphan", "", "dextromethorphan"),
        ("levomethorphan", "", "levomethorphan"),
        ("dexamfetamine", "", "dexamfetamine"),
        ("d9-THC", "", "delta-9-thc"),
        (
            "D-homo-17a-oxaandrosta-1,4-diene-3,17-dione",
            "",
            "d-homo-17a-oxaandrosta-1,4-diene-3,17-dione",
        ),
    ],
)
def test_normalise_stereo(text: str, stereo: str, base: str) -> None:
    name = normalise(text)
    assert (name.stereo, name.base) == (stereo, base)


def test_key_joins_stereo_and_base() -> None:
    assert normalise("(S)-amphetamine HCl").key == "(s)-amphetamine"
    assert normalise("d-amphetamine").key == "d-amphetamine"
    assert normalise("amphetamine").key == "amphetamine"
    assert normalise("MDMA HCl").original == "MDMA HCl"


def test_form_vocabulary_is_canonical() -> None:
    assert set(FORM_WORDS.values()) <= set(FORM_WORDS)
    assert all(variant == variant.casefold().strip() for variant in FORM_WORDS)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("3-cmc", "4-cmc"),
        ("3-cmc", "3-mmc"),
        ("dextromethorphan", "levomethorphan"),
        ("2c-b", "2c-i"),
        ("4-fluoroamphetamine", "4-chloroamphetamine"),
        ("methcathinone", "ethcathinone"),
        ("methylphenidate", "ethylphenidate"),
        ("dexmethylphenidate", "methylphenidate"),
        ("esketamine", "ketamine"),
        ("norfentanyl", "fentanyl"),
        ("dimethyltryptamine", "methyltryptamine"),
        ("androstenedione", "androstenediol"),
        ("androstenedione", "androstanedione"),
        ("(s)-amphetamine", "(r)-amphetamine"),
        ("(+)-mdma", "(-)-mdma"),
        ("ortho-fluorofentanyl", "para-fluorofentanyl"),
        ("2,5-dimethoxy-4-bromo", "2,4-dimethoxy-5-bromo"),
        ("4'-chloro-alpha-pvp", "4-chloro-alpha-pvp"),
        ("mdma-d5", "mdma-d3"),
        ("alpha-pvp", "alpha-php"),
        ("amfetamine", "camfetamine"),
        ("androstanolone", "androstenolone"),
        ("3-thioasymbescaline", "3-thiosymbescaline"),
        ("1-benzoylpiperazine", "1-benzylpiperazine"),
        # a chemical morpheme added or removed (thio, homo), another suffix class (-azole, -ol)
        ("penthiobarbital", "pentobarbital"),
        ("carbacol", "carbazole"),
        ("tricyclamol", "tricyclazole"),
        ("methiopropamine", "methopropamine"),
        ("methylhomopiperazine", "methylpiperazine"),
    ],
)
def test_guard_separates(a: str, b: str) -> None:
    assert guard_signature(a) != guard_signature(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("metamfetamine", "methamphetamine"),
        ("fentanil", "fentanyl"),
        ("cocain", "cocaine"),
        ("dextromethorphane", "dextromethorphan"),
        ("3,4-methylenedioxymetamfetamine", "3,4-methylenedioxymethamphetamine"),
        ("erythromycine", "erythromycin"),
        ("metronidazol", "metronidazole"),
        ("nitraiepam", "nitrazepam"),  # a typo inside a two-letter morpheme: still a typo
        ("amoxycillin", "amoxicillin"),
    ],
)
def test_guard_allows_spelling_variants(a: str, b: str) -> None:
    assert guard_signature(a) == guard_signature(b)


_FRAGMENTS = st.sampled_from(
    [
        "MDMA", "3MMC", "2C B", "2CT2", "25I NBOMe", "α", "Δ9", "a-PVP", "alpha", "delta",
        "amphetamine", "cocaine", "fentanyl", "-d5", "(S)-", "(±)-", "(+/-)", "dl-", "rac ",
        "d-", "L-", "HCl", "hydrochloride", "citrate", "base", "salt", "(", ")", "·", ".",
        ",", "-", " ", "–", "'", "4", "3,4-", "methyl", "sodium",
    ]
)  # fmt: skip
_NAMES = st.one_of(
    st.lists(_FRAGMENTS, min_size=1, max_size=6).map("".join),
    st.text(alphabet="abcdlsrhCMDTHB0123456789-(),.+/ ±αΔ·–'", max_size=20),
)


@given(_NAMES)
def test_normalise_is_idempotent_on_key(text: str) -> None:
    key = normalise(text).key
    assert normalise(key).key == key


@given(_NAMES)
def test_normalise_never_adds_an_empty_base_to_a_form(text: str) -> None:
    name = normalise(text)
    assert name.base or not name.form


@given(_NAMES, _NAMES)
def test_guard_pins_numbers(a: str, b: str) -> None:
    key_a, key_b = normalise(a).key, normalise(b).key
    if guard_signature(key_a) == guard_signature(key_b):
        assert re.findall(r"\d+", key_a) == re.findall(r"\d+", key_b)


@pytest.mark.parametrize("rule", SHORTHAND, ids=[row["rule"] for row in SHORTHAND])
def test_each_shorthand_rule_has_an_example_and_a_near_miss(rule: dict[str, str]) -> None:
    key = normalise(rule["example"]).key
    assert key == rule["key"]
    assert normalise(rule["near_miss"]).key != key
    assert re.findall(r"\d", key) == re.findall(r"\d", rule["example"])  # digits kept, in order


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("4F-PHP", "4-fluoro-α-PHP"),
        ("4F-PHP", "4F-α-PHP"),
        ("4-fluoro-alpha-PVP", "4F-PVP"),
        ("5-MeO-DMT", "5-methoxy-DMT"),
        ("bk-MDMA", "βk-MDMA"),
    ],
)
def test_shorthand_spellings_share_a_key(a: str, b: str) -> None:
    assert normalise(a).key == normalise(b).key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("4F-PHP", "3F-PHP"),
        ("4F-PHP", "4F-PVP"),
        ("4-FA", "4F-A"),
        ("PHP", "alpha-PHP"),  # rolicyclidine is not alpha-PHP
        ("5-MeO-DMT", "4-MeO-DMT"),
    ],
)
def test_shorthand_never_crosses_a_digit_or_a_code(a: str, b: str) -> None:
    assert normalise(a).key != normalise(b).key


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("2-Fluoroamphetamine (2-FA)", ("2-Fluoroamphetamine", "2-FA")),
        ("Ortho-fluorofentanyl or 2-fluorofentanyl", ("Ortho-fluorofentanyl", "2-fluorofentanyl")),
        ("MDA / tenamfetamine", ("MDA", "tenamfetamine")),
        ("1-(4-fluorophenyl)propan-2-amine", ()),
        ("cocaine (hydrochloride)", ()),
        ("MDMA HCl", ()),
        ("(±)-MDMA", ()),
    ],
)
def test_alias_parts(text: str, parts: tuple[str, ...]) -> None:
    assert alias_parts(text) == parts


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("MDMB 4en PINACA", "MDMB-4en-PINACA", True),
        ("5F MDMB PICA", "5F-MDMB-PICA", True),
        ("beta-methylfentanyl", "betamethylfentanyl", True),
        ("3-CMC", "4-CMC", False),
        ("3,4-MDMA", "34-MDMA", False),
        ("D-Ala", "Dala", False),  # a stereo letter never joins the word
    ],
)
def test_compact_keys_ignore_spaces_and_hyphens_only(a: str, b: str, same: bool) -> None:
    assert (compact_key(normalise(a).key) == compact_key(normalise(b).key)) is same


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("cocaine", "Kokain"),
        ("cocaine", "cocainum"),
        ("cocaine", "cocaína"),
        ("ketamine", "ketaminum"),
        ("ethylmorphine", "aethylmorphinum"),
        ("oxycodone", "oxicodona"),
    ],
)
def test_language_spellings_fold_together(a: str, b: str) -> None:
    key_a, key_b = normalise(a).key, normalise(b).key
    assert spelling_fold(key_a) == spelling_fold(key_b)
    assert guard_signature(key_a) == guard_signature(key_b)


def test_key_version_names_this_normaliser() -> None:
    assert len(KEY_VERSION) == 8 and KEY_VERSION.isalnum()


@pytest.mark.parametrize("rule", SHORTHAND, ids=[row["rule"] for row in SHORTHAND])
def test_each_shorthand_hint_finds_its_rule(rule: dict[str, str]) -> None:
    text = rule["example"]
    for step in TEXT_STEPS[: TEXT_STEPS.index(nps_shorthand)]:
        text = step(text)
    assert re.search(rule["pattern"], text) and re.search(rule["hint"], text)
