"""Structure identity against the reference: same parent, stereoisomer, or isotopologue.

The stereo rule follows the law: an entry drawn without stereo (a racemate or an unspecified
isomer) covers all its stereoisomers, unless the law excludes one (dextromethorphan is excluded
where levomethorphan or racemethorphan is listed). An entry with defined stereo covers only
itself. An isotope-labelled analogue is another substance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from subsmatch.reference.lists import Reference, StereoExclusion
from subsmatch.substances.structures import StructureKeys

Relation = Literal[
    "identical", "stereoisomer", "stereo_unspecified", "other_stereoisomer", "isotopologue"
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
    exclusions = reference.exclusions_for(keys.inchikey)
    matches = []
    for sid in sorted(reference.by_connectivity.get(keys.connectivity, ())):
        record = reference.substances[sid]
        matches.append(
            _relate(keys, sid, record.inchikey, record.has_stereo, record.labelled, exclusions)
        )
    return matches


def _relate(
    keys: StructureKeys,
    sid: str,
    inchikey: str | None,
    listed_has_stereo: bool,
    listed_labelled: bool,
    exclusions: list[StereoExclusion],
) -> StructureMatch:
    if inchikey == keys.inchikey:
        return StructureMatch(sid, "identical", True, "same parent structure")
    if keys.labelled != listed_labelled:
        return StructureMatch(
            sid,
            "isotopologue",
            False,
            "same skeleton with different isotope labels: another substance",
        )
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
