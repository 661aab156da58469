"""Products and mixtures: what is sold under a name whose contents vary from batch to batch.

'Spice' is herbal material sprayed with synthetic cannabinoid receptor agonists, 'pink cocaine'
(tusi) typically a pink-dyed mixture of ketamine, MDMA and caffeine: a name of such a product
says what is sold under it, never which substance a sample holds. A reference entry of material
``product`` (compiled from ``compile/curated/products.csv`` and the street-name labels that name
it) carries its typical contents as the sources give them, each settled by the compiler to one
reference substance (``content_ids``; "" for a content naming a class: :mod:`subsmatch.compile
.contents`). Its answer is never a single structure's verdict: the query is ``unresolved`` (the
honest status: no substance is named, and it is flagged for a person to look at), its error
names the product and says that a test of the sample decides, and a note lists each typical
content with its own status in each jurisdiction asked, grouped by status, the headline's
jurisdictions first (as a verdict shows its jurisdictions); a class is shown as such.

>>> statuses([("BE", "controlled"), ("NL", "unknown"), ("DE", "not_listed"),
...           ("US", "controlled")], scope=("NL",))
'unknown (NL), controlled (BE, US), not_listed (DE)'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from subsmatch.reference.lists import Reference, SubstanceRecord
from subsmatch.substances.resolve import CONFIDENCE, Resolution

if TYPE_CHECKING:
    from subsmatch.matchers.verdict import Verdict

PRODUCT = "product"
CLASS_TEXT = "no single substance of the reference (a class): the compound found decides"


def product_of(resolution: Resolution, reference: Reference) -> SubstanceRecord | None:
    """The product entry a resolution names; None when it names none."""
    record = reference.substances.get(resolution.substance_id or "")
    return record if record is not None and record.material == PRODUCT else None


def split_content(text: str) -> tuple[str, str]:
    """A content as (name, qualifier): "2C-B (originally)" -> ("2C-B", "originally").

    >>> split_content("2C-B (originally; now rarely)")
    ('2C-B', 'originally; now rarely')
    >>> split_content("ketamine")
    ('ketamine', '')
    """
    name, _, rest = text.partition(" (")
    return name.strip(), rest.rstrip(")").strip()


def contents_of(record: SubstanceRecord) -> list[tuple[str, str]]:
    """A product's contents as (text, substance id), the id "" for a class (or for a reference
    compiled before the contents were settled)."""
    texts = [c.strip() for c in record.contents.split(";") if c.strip()]
    ids = record.content_ids.split(";") if record.content_ids else []
    return [(text, ids[i] if i < len(ids) else "") for i, text in enumerate(texts)]


def content_resolution(text: str, substance_id: str, reference: Reference) -> Resolution | None:
    """The resolution of a content the compiler settled on ``substance_id``; None for a class."""
    record = reference.substances.get(substance_id) if substance_id else None
    if record is None:
        return None
    name, _ = split_content(text)
    return Resolution(
        name,
        "name",
        "synonym",
        CONFIDENCE["synonym"],
        substance_id=record.substance_id,
        keys=record.keys,
        matched_name=name,
    )


def statuses(per_code: Iterable[tuple[str, str]], scope: Sequence[str] = ()) -> str:
    """Jurisdictions grouped by status: the groups in the order of their first jurisdiction (the
    headline's jurisdictions first), each group's jurisdictions in that order."""
    ordered = sorted(per_code, key=lambda item: item[0] not in scope)  # stable: asked order kept
    groups: dict[str, list[str]] = {}
    for code, status in ordered:
        groups.setdefault(str(status), []).append(code)
    return ", ".join(f"{status} ({', '.join(codes)})" for status, codes in groups.items())


def content_text(label: str, verdict: Verdict | None) -> str:
    """One content with its status per jurisdiction asked (a class: said to be one)."""
    if verdict is None:
        return f"{label}: {CLASS_TEXT}"
    per_code = [(j.code, j.status) for j in verdict.jurisdictions]
    if not per_code:  # judged without jurisdictions: its headline
        return f"{label}: {verdict.status}"
    return f"{label}: {statuses(per_code, verdict.scope)}"


def answer(
    resolution: Resolution,
    record: SubstanceRecord,
    reference: Reference,
    judge: Callable[[Resolution], Verdict],
) -> Resolution:
    """The resolution of a query naming a product: unresolved, its error naming the product
    and what decides, a note listing the typical contents each with its status per
    jurisdiction (``judge`` gives one content's verdict, in the jurisdictions asked)."""
    shown = []
    for text, substance_id in contents_of(record):
        name, qualifier = split_content(text)
        found = content_resolution(text, substance_id, reference)
        label = f"{name} ({qualifier})" if qualifier else name
        shown.append(content_text(label, judge(found) if found else None))
    query = resolution.query.strip()
    error = (
        f"'{query}' names a product, not a substance: {record.name}, whose contents vary from "
        "batch to batch; a test of the sample decides what it holds and whether it is controlled"
    )
    notes = list(resolution.notes)
    if shown:
        notes.append("typical contents as the sources give them: " + "; ".join(shown))
    return Resolution(
        resolution.query, resolution.kind, form=resolution.form, error=error, notes=tuple(notes)
    )
