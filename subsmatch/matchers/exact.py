"""Structure identity against the reference: same parent, stereoisomer, or isotopologue.

The stereo rule follows the law: an entry drawn without stereo (a racemate or an unspecified
isomer) covers all its stereoisomers, unless the law excludes one (dextromethorphan is excluded
where levomethorphan or racemethorphan is listed). An entry with defined stereo covers only
itself.

An isotope-labelled form (a deuterated internal standard, a 13C or 3H tracer) is a form of the
substance for control purposes, as regulators treat deuterated reference standards: a query
with labels is related to the unlabelled entries of its skeleton as its structure without the
labels would be (stereo compared as for any structure: a labelled dextromethorphan stays
excluded), the relation named "isotopologue" where that structure is the entry's. An entry
listed with labels of its own is that labelled form only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from subsmatch.reference.lists import Reference, StereoExclusion, SubstanceRecord
from subsmatch.substances.structures import StructureKeys, isotope_labels, unlabelled

Relation = Literal[
    "identical",
    "stereoisomer",
    "stereo_unspecified",
    "other_stereoisomer",
    "isotopologue",
    "positional_isomer",  # the law's positional isomer of a listed entry (matchers/verdict.py)
    "preparation",  # a preparation named after its drug, no structure of its own (verdict.py)
]


@dataclass(frozen=True)
class StructureMatch:
    """How a reference substance relates to the query structure, and whether its listings apply."""

    substance_id: str
    relation: Relation
    covered: bool
    reason: str
    exclusion: StereoExclusion | None = None


def structure_matches(keys: StructureKeys, reference: Reference) -> list[StructureMatch]:
    """Every reference substance with the query's skeleton, with the relation and stereo rule."""
    bare = unlabelled(keys)
    labels = isotope_labels(keys)
    exclusions = reference.exclusions_for(bare.inchikey)
    matches = []
    for sid in sorted(reference.by_connectivity.get(keys.connectivity, ())):
        record = reference.substances[sid]
        if record.inchikey == keys.inchikey:
            matches.append(StructureMatch(sid, "identical", True, "same parent structure"))
        elif record.labelled:
            matches.append(
                StructureMatch(
                    sid,
                    "isotopologue",
                    False,
                    "an isotope-labelled form of this skeleton, listed as itself: its "
                    "listings do not reach other forms",
                )
            )
        else:
            match = _relate(bare, sid, record.inchikey, record.has_stereo, exclusions)
            matches.append(_labelled(match, labels) if labels else match)
    return matches


def _labelled(match: StructureMatch, labels: str) -> StructureMatch:
    """The relation of a labelled query, worked out on its structure without the labels."""
    if match.relation == "identical":
        return replace(
            match,
            relation="isotopologue",
            reason=f"this substance labelled with {labels}: a labelled form is a form of the "
            "substance for control purposes",
        )
    return replace(match, reason=f"{match.reason} (a form labelled with {labels})")


def _relate(
    keys: StructureKeys,
    sid: str,
    inchikey: str | None,
    listed_has_stereo: bool,
    exclusions: list[StereoExclusion],
) -> StructureMatch:
    """How an unlabelled entry relates to an unlabelled query structure."""
    if inchikey == keys.inchikey:
        return StructureMatch(sid, "identical", True, "same parent structure")
    if not listed_has_stereo:
        exclusion = exclusions[0] if exclusions else None
        if exclusion:
            return StructureMatch(
                sid,
                "stereoisomer",
                False,
                f"stereoisomer of an entry without stereo, but {exclusion.name}"
                f" is excluded: {exclusion.citation}",
                exclusion,
            )
        return StructureMatch(
            sid,
            "stereoisomer",
            True,
            "stereoisomer of an entry listed without stereo (racemate or "
            "unspecified), which covers its isomers",
        )
    if not keys.has_stereo:
        return StructureMatch(
            sid,
            "stereo_unspecified",
            True,
            "the query gives no stereo; it may be this listed isomer",
        )
    return StructureMatch(
        sid,
        "other_stereoisomer",
        False,
        "a different stereoisomer of an entry listed with defined stereo",
    )


def skeleton_matches(
    inchikey: str, has_stereo: bool, connectivity: str, reference: Reference
) -> list[StructureMatch]:
    """The drawn reference substances of the skeleton of a substance the reference knows by its
    InChIKey only, related to it by the stereo rule as a drawing of it would be (its InChIKey
    says whether it has stereo; the relation is to that InChIKey, not to a drawing)."""
    known = _Known(inchikey, has_stereo)
    exclusions = reference.exclusions_for(inchikey)
    out = []
    for sid in sorted(reference.by_connectivity.get(connectivity, ())):
        record = reference.substances[sid]
        if drawing_of(record, inchikey) and record.inchikey != inchikey:
            out.append(_relate(known, sid, record.inchikey, record.has_stereo, exclusions))  # type: ignore[arg-type]
    return out


def drawing_of(record: SubstanceRecord, inchikey: str) -> bool:
    """Whether ``record`` is a drawing of the skeleton of ``inchikey`` in the same protonation
    (the key's last letter: chloride, ...-M, is not hydrochloric acid, ...-N), unlabelled."""
    return bool(
        record.smiles
        and not record.labelled
        and record.inchikey
        and record.inchikey[-1:] == inchikey[-1:]
    )


@dataclass(frozen=True)
class _Known:
    """What :func:`_relate` reads of a structure known by its InChIKey only."""

    inchikey: str
    has_stereo: bool
