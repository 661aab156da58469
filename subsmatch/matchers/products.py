"""Products and mixtures: what is sold under a name whose contents vary from batch to batch.

'Spice' is herbal material sprayed with synthetic cannabinoid receptor agonists, 'pink cocaine'
(tusi) typically a pink-dyed mixture of ketamine, MDMA and caffeine: a name of such a product
says what is sold under it, never which substance a sample holds. A reference entry of material
``product`` (compiled from ``compile/curated/products.csv`` and the street-name labels that name
it) carries its typical contents as the sources give them. Its answer is never a single
structure's verdict: the query is ``unresolved`` (the honest status: no substance is named, and
it is flagged for a person to look at), its error names the product and says that a test of the
sample decides, and a note lists each typical content with its own status (a content that names
no single reference substance, a class, is shown as such).

>>> split_content("2C-B (originally; now rarely)")
('2C-B', 'originally; now rarely')
>>> split_content("ketamine")
('ketamine', '')
"""

from __future__ import annotations

from collections.abc import Callable
from weakref import WeakKeyDictionary

from subsmatch.reference.lists import Reference, SubstanceRecord
from subsmatch.substances.names import KEY_VERSION, normalise
from subsmatch.substances.resolve import CONFIDENCE, Resolution

PRODUCT = "product"
CLASS_TEXT = "no single substance of the reference (a class): the compound found decides"


def product_of(resolution: Resolution, reference: Reference) -> SubstanceRecord | None:
    """The product entry a resolution names; None when it names none."""
    record = reference.substances.get(resolution.substance_id or "")
    return record if record is not None and record.material == PRODUCT else None


_NAMES: WeakKeyDictionary[Reference, dict[str, list[str]]] = WeakKeyDictionary()


def names_index(reference: Reference) -> dict[str, list[str]]:
    """The reference substances per name key (worked out once per reference, when a product
    is first asked)."""
    if reference not in _NAMES:
        index: dict[str, list[str]] = {}
        # the keys the reference stores with its names, when made by this normaliser
        keys = reference.name_keys(KEY_VERSION) or [normalise(n).key for n, _ in reference.names]
        for key, (_, sid) in zip(keys, reference.names, strict=True):
            index.setdefault(key, []).append(sid)
        _NAMES[reference] = {key: sorted(set(sids)) for key, sids in index.items()}
    return _NAMES[reference]


def split_content(text: str) -> tuple[str, str]:
    """A content as (name, qualifier): "2C-B (originally)" -> ("2C-B", "originally")."""
    name, _, rest = text.partition(" (")
    return name.strip(), rest.rstrip(")").strip()


def content_resolution(name: str, reference: Reference) -> Resolution | None:
    """The reference substance a content's name names, when it names exactly one (and that
    one is no product or group itself); else None (a class)."""
    ids = names_index(reference).get(normalise(name).key, ())
    found = [sid for sid in ids if reference.substances[sid].material not in (PRODUCT, "group")]
    if len(found) != 1:
        return None
    record = reference.substances[found[0]]
    return Resolution(
        name,
        "name",
        "synonym",
        CONFIDENCE["synonym"],
        substance_id=record.substance_id,
        keys=record.keys,
        matched_name=name,
    )


def answer(
    resolution: Resolution,
    record: SubstanceRecord,
    reference: Reference,
    status_of: Callable[[Resolution], str],
) -> Resolution:
    """The resolution of a query naming a product: unresolved, its error naming the product
    and what decides, a note listing the typical contents each with its status
    (``status_of`` judges one content's resolution)."""
    shown = []
    for text in filter(None, (c.strip() for c in record.contents.split(";"))):
        name, qualifier = split_content(text)
        found = content_resolution(name, reference)
        label = f"{name} ({qualifier})" if qualifier else name
        shown.append(f"{label}: {status_of(found) if found else CLASS_TEXT}")
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
