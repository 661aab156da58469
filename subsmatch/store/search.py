"""Structure search inside PostgreSQL with the RDKit cartridge (when it is installed).

Returns the same answers as :mod:`subsmatch.matchers.structure_search`: Morgan radius-2 bit
vectors of 2048 bits, Tanimoto similarity.
"""

from __future__ import annotations

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from subsmatch.store.models import ResolutionRow


def cartridge_available(engine: Engine) -> bool:
    """True on PostgreSQL when the rdkit extension is (or can be) enabled."""
    if engine.dialect.name != "postgresql":
        return False
    try:
        with engine.begin() as connection:
            available = connection.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'rdkit'")
            ).first()
            if not available:
                return False
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS rdkit"))
        return True
    except DBAPIError:
        return False


def structures(engine: Engine) -> dict[int, str]:
    """Stored resolutions that have a structure: id -> SMILES."""
    with Session(engine) as session:
        rows = session.execute(
            select(ResolutionRow.id, ResolutionRow.smiles).where(ResolutionRow.smiles.is_not(None))
        )
        return {rid: smiles for rid, smiles in rows}


def substructure_ids(engine: Engine, smarts: str) -> set[int]:
    with engine.begin() as connection:
        rows = connection.execute(
            text(
                "SELECT id FROM resolutions WHERE smiles IS NOT NULL AND "
                "mol_from_smiles(smiles::cstring) @> qmol_from_smarts(:q ::cstring)"
            ),
            {"q": smarts},
        )
        return {row[0] for row in rows}


def similar_ids(engine: Engine, smiles: str, minimum: float) -> dict[int, float]:
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL rdkit.morgan_fp_size = 2048"))
        rows = connection.execute(
            text(
                "SELECT id, tanimoto_sml(morganbv_fp(mol_from_smiles(smiles::cstring), 2), "
                "morganbv_fp(mol_from_smiles(:q ::cstring), 2)) AS sim FROM resolutions "
                "WHERE smiles IS NOT NULL"
            ),
            {"q": smiles},
        )
        return {
            row[0]: round(row[1], 4) for row in rows if row[1] is not None and row[1] >= minimum
        }
