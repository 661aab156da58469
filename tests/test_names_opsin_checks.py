"""Checks on OPSIN readings: each feature OPSIN often misreads, with an example that must be
flagged and a near miss that must not. The readings are the SMILES OPSIN gives (written out
here: the checks themselves need no Java)."""

from __future__ import annotations

import pytest

from subsmatch.substances.opsin_checks import CHECKS, doubts


def keys_of_doubts(name: str, smiles: str) -> set[str]:
    return {note.split(":")[0] for note in doubts(name, smiles)}


@pytest.mark.parametrize(
    ("name", "smiles", "key"),
    [
        # lowercase d-/l-/dl-: optical rotation, not configuration (d-lactic acid is L-)
        ("d-lactic acid", "C[C@@H](O)C(=O)O", "stereo letter"),
        ("dl-homoserine", "NC(CCO)C(=O)O", "stereo letter"),
        # a substituent without a locant
        ("fluoroamphetamine", "CC(NF)Cc1ccccc1", "missing locant"),
        ("hydroxyamphetamine", "CC(Cc1ccccc1)NO", "missing locant"),
        (
            "1-[1-(methylphenyl)cyclohexyl]piperidine",
            "Cc1ccccc1C1(N2CCCCC2)CCCCC1",
            "missing locant",
        ),
        ("p-fluoro-phenylpiperazine", "Fc1ccc(N2CCNCC2)cc1", "missing locant"),
        ("Hydroxy-undecanoic acid", "CCCCCCCCCC(O)C(=O)O", "missing locant"),
        # prefixes on a trivial parent OPSIN numbers its own way
        (
            "3,6-diacetylmorphine",
            "CC(=O)C1(O)CC=C2C[C@@H]3[C@@H]4C=C[C@@](O)(C(C)=O)[C@@H]5OC1=C2[C@@]54CCN3C",
            "trivial parent",
        ),
        (
            "morphine-N-oxide",
            "C[N+]1([O-])CC[C@]23c4c5ccc(O)c4O[C@H]2[C@@H](O)C=C[C@H]3[C@H]1C5",
            "trivial parent",
        ),
        ("4-methyl-alpha-pyrrolidinopropiophenone", "CC(C(=O)c1ccccc1C)N1CCCC1", "trivial parent"),
        ("2-sulfanilamidopyridine", "Nc1ccccc1S(=O)(=O)Nc1ccccn1", "trivial prefix"),
        # a code read as a chemical name
        ("HexEn", "CCCCC=C", "code"),
        # several components, one kept
        ("Benzene hexachloride", "c1ccccc1.[Cl-].[Cl-].[Cl-].[Cl-].[Cl-].[Cl-]", "components"),
        # a part of the name read as a molecule of its own: neither acid nor base, no salt
        ("Deoxyribose cytidine", "Nc1ccn(C2OC(CO)C(O)C2O)c(=O)n1.O=CCC(O)C(O)CO", "components"),
        # a metal that is part of the substance, not a salt's cation
        ("Ferric gluconate", "OCC(O)C(O)C(O)C(O)C(=O)[O-].[Fe+3]", "components"),
        ("Zinc carbonate", "O=C([O-])[O-].[Zn+2]", "components"),
        ("Magnesium silicate", "[O-][Si]([O-])([O-])[O-].[Mg+2].[Mg+2]", "components"),
        # an acid derivative of a diacid without a locant
        ("Glutamic acid amide", "NC(CCC(=O)O)C(N)=O", "unplaced acid derivative"),
        (
            "17beta-hydroxyandrosta-1,4-dien-3-one 10-undecenoate",
            "CC12C=CC(=O)C=C1CCC1C2CCC2(C)C(O)CCC12.C=CCCCCCCCCC(=O)O",
            "ester or salt",
        ),
        # a phosphate of an alcohol without an amine: an ester
        ("Hydroxyethylthiazole phosphate", "OP(=O)(O)O.Cc1ncsc1CCO", "ester or salt"),
        # an ester read as a salt
        (
            "estradiol benzoate",
            "C[C@]12CC[C@@H]3c4ccc(O)cc4CC[C@H]3[C@@H]1CC[C@@H]2O.OC(=O)c1ccccc1",
            "ester or salt",
        ),
        # a sugar's trivial name read as its open chain
        ("D-allose", "O=C[C@H](O)[C@H](O)[C@H](O)[C@H](O)CO", "open-chain sugar"),
        ("D-fructose", "O=C(CO)[C@@H](O)[C@H](O)[C@H](O)CO", "open-chain sugar"),
        # a glycoside read without what the sugar is bound to
        ("cytosine-beta-D-arabinofuranoside", "OC[C@H]1O[C@@H](O)[C@@H](O)[C@@H]1O", "glycoside"),
        # a metal read as an uncharged atom beside the rest: no salt was built
        ("Vitamin C sodium", "[Na].OC=1[C@H](OC(C1O)=O)[C@H](CO)O", "components"),
        # a functional class the reading lacks
        ("Lauroyl alcohol", "CCCCCCCCCCCC(=O)O", "functional class"),
        ("dimethyl ketone", "CC(C)O", "functional class"),
        # an ester of a polyprotic acid that does not say how many groups carry the alkyl
        ("Ethyl phosphate", "CCOP(=O)(O)O", "ester count"),
        ("methyl sulfate", "COS(=O)(=O)O", "ester count"),
        # a phosphate of an amino acid: its amine is taken by its own acid
        ("serine phosphate", "OP(=O)(O)O.NC(CO)C(=O)O", "ester or salt"),
        # a sulfur with hydrogen at valence 4 or 6: an anion name OPSIN could not build
        ("3-(dioxidosulfanyl)propanoic acid", "O=C(O)CC[SH](=O)=O", "sulfur valence"),
    ],
)
def test_a_risky_name_is_flagged(name: str, smiles: str, key: str) -> None:
    assert key in keys_of_doubts(name, smiles)


@pytest.mark.parametrize(
    ("name", "smiles"),
    [
        ("D-lactic acid", "C[C@@H](O)C(=O)O"),  # a D/L configuration is not a rotation
        ("L-alanine", "C[C@H](N)C(=O)O"),
        ("4-fluoroamphetamine", "CC(N)Cc1ccc(F)cc1"),
        ("N-hydroxyamphetamine", "CC(Cc1ccccc1)NO"),
        ("1-[1-(3-methylphenyl)cyclohexyl]piperidine", "Cc1cccc(C2(N3CCCCC3)CCCCC2)c1"),
        ("2-(methylamino)-1-phenylpropan-1-one", "CNC(C)C(=O)c1ccccc1"),  # methyl on amino
        ("N,N-dimethyltryptamine", "CN(C)CCc1c[nH]c2ccccc12"),
        ("dimethylamine", "CNC"),
        ("chlorobenzene", "Clc1ccccc1"),
        ("methyl salicylate", "COC(=O)c1ccccc1O"),  # an ester's alkyl word
        # ordinary salts: an acid with a base, an alkali or alkaline-earth cation
        ("fentanyl citrate", "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1.OC(=O)CC(O)(CC(=O)O)C(=O)O"),
        ("naproxen sodium", "COc1ccc2cc(C(C)C(=O)[O-])ccc2c1.[Na+]"),
        ("morphine sulfate", "CN1CCC23C4Oc5c(O)ccc(CC1C2C=CC4O)c53.OS(=O)(=O)O"),
        ("glutamic acid 5-amide", "NC(CCC(N)=O)C(=O)O"),
        ("nicotinic acid amide", "NC(=O)c1cccnc1"),
        ("hexyl-benzene", "CCCCCCc1ccccc1"),
        (
            "4-{[(2,6-dichlorophenyl)carbonyl]amino}benzoic acid",
            "O=C(Nc1ccc(C(=O)O)cc1)c1c(Cl)cccc1Cl",
        ),
        ("1,2,3-trimethylsilyloxybenzene", "C[Si](C)(C)Oc1ccccc1"),
        ("morphine", "C[N@@]1CC[C@]23c4c5ccc(O)c4O[C@H]2[C@@H](O)C=C[C@H]3[C@H]1C5"),
        ("4'-methyl-alpha-pyrrolidinopropiophenone", "Cc1ccc(C(=O)C(C)N2CCCC2)cc1"),
        ("1H-indole", "c1ccc2[nH]ccc2c1"),
        ("(4aS,10bR)-decahydro-naphtho[2,1-f]chromene", "C1CCC2CC3OCCCC3CC2C1"),
        ("amphetamine sulfate", "CC(N)Cc1ccccc1.OS(=O)(=O)O"),
        ("calcium acetate", "[Ca+2].CC(=O)[O-].CC(=O)[O-]"),
        ("estradiol", "C[C@]12CC[C@@H]3c4ccc(O)cc4CC[C@H]3[C@@H]1CC[C@@H]2O"),
        ("aldehydo-D-glucose", "O=C[C@H](O)[C@@H](O)[C@H](O)[C@H](O)CO"),  # the name says so
        ("glyceraldehyde", "O=CC(O)CO"),  # no ring form to miss
        ("beta-D-glucopyranose", "OC[C@H]1O[C@@H](O)[C@H](O)[C@@H](O)[C@@H]1O"),  # not a glycoside
        ("methyl beta-D-glucopyranoside", "CO[C@@H]1O[C@H](CO)[C@@H](O)[C@H](O)[C@H]1O"),
        ("lauryl alcohol", "CCCCCCCCCCCCO"),  # the class is there
        ("benzyl alcohol", "OCc1ccccc1"),
        ("methyl ethyl ketone", "CCC(C)=O"),
        ("carbamic acid ethyl ester", "CCOC(N)=O"),  # an ester of any oxo acid
        ("hexadecanoic acid trimethylsilyl ester", "CCCCCCCCCCCCCCCC(=O)O[Si](C)(C)C"),
        ("phosphoric acid dimethyl ester", "COP(=O)(O)OC"),
        ("diethyl ether", "CCOCC"),
        ("triethyl phosphate", "CCOP(=O)(OCC)OCC"),  # the count is said
        ("dimethyl sulfate", "COS(=O)(=O)OC"),
        ("sodium chloride", "[Na+].[Cl-]"),  # a charged cation is a salt's
        ("3-sulfopropanoic acid", "O=C(O)CCS(=O)(=O)O"),  # sulfur without hydrogen
        ("3-sulfanylpropanoic acid", "O=C(O)CCS"),  # a thiol: valence 2
    ],
)
def test_a_near_miss_is_not_flagged(name: str, smiles: str) -> None:
    assert doubts(name, smiles) == ()


def test_every_check_has_a_key_and_an_explanation() -> None:
    keys = [check.key for check in CHECKS]
    assert len(set(keys)) == len(keys)
    assert all(check.explanation for check in CHECKS)
