"""Time of one evaluation of every generic rule on a molecule (the checker does this for each
new structure): the examples of every rule file and five structures of all kinds.

    .venv/bin/python benchmarks/rules.py

Target: under 20 ms per molecule (a structure judged within the check budget of one query).
"""

from __future__ import annotations

import statistics
import time

from rdkit import Chem

from subsmatch.matchers.generic import RuleBook, load_laws

MIXED = (
    "CCC(=O)N(c1ccccc1)C1CCN(Cc2ccccc2)CC1",  # benzylfentanyl
    "CC(NC(C)(C)C)C(=O)c1cccc(Cl)c1",  # bupropion
    "CNC(C)C(=O)c1ccc(C)cc1",  # mephedrone
    "COC(=O)C(NC(=O)c1nn(CCCCCF)c2ccccc12)C(C)(C)C",  # 5F-MDMB-PINACA
    "CCCCCCCCCCCCCCCC(=O)OCC(O)CO",  # a glyceride (no rule)
)


def per_molecule_ms(book: RuleBook, smiles: list[str], rounds: int = 5) -> list[float]:
    """Milliseconds per molecule, one figure per round (molecules parsed beforehand)."""
    mols = [Chem.MolFromSmiles(s) for s in smiles]
    book.evaluate(mols[0])  # patterns compiled
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        for mol in mols:
            book.evaluate(mol)
        out.append((time.perf_counter() - start) / len(mols) * 1000)
    return out


def main() -> None:
    laws = load_laws()
    book = RuleBook(laws)
    examples = [s for law in laws for rule in law.rules for s in rule.examples]
    for label, smiles in (("rule examples", examples), ("mixed structures", list(MIXED))):
        times = per_molecule_ms(book, smiles)
        print(
            f"{label}: {len(smiles)} molecules, median {statistics.median(times):.2f} ms, "
            f"worst round {max(times):.2f} ms per molecule (target < 20 ms)"
        )


if __name__ == "__main__":
    main()
