"""Step 7b (within write): a product's typical contents as reference substance ids.

A product (``curated/products.csv``: 'Spice', 'pink cocaine') lists its typical contents by
name, "; "-separated, each with a qualifier in brackets ("2C-B (originally, now rarely)"). The
compiler settles each name once, on the names table it has just written: a content names the one
substance (not a product, not a group) that holds the name's key. A content written
``class: ...`` names a class, no single substance ("class: synthetic cathinones (others)"), and is
not looked up. A content that names no substance, or several, stops the build with the product,
the content and what it found: a product's answer never guesses which substance it holds.

The substances table stores the contents without the ``class:`` marks (``contents``) and, in the
same order, the substance id of each (``content_ids``, "" for a class), so that a query looks
nothing up (:mod:`subsmatch.matchers.products`).

>>> rows = [{"substance_id": "p", "material": "product", "contents": "ketamine (mostly); "
...          "class: synthetic cathinones"}, {"substance_id": "k", "material": ""}]
>>> product = with_content_ids(rows, [{"substance_id": "k", "key": normalise("Ketamine").key}])[0]
>>> product["contents"], product["content_ids"]
('ketamine (mostly); synthetic cathinones', 'k;')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from subsmatch.substances.names import normalise

CLASS = "class:"  # a content naming a class of substances, no single one
SEPARATOR = "; "  # between contents, as products.csv writes them
ID_SEPARATOR = ";"  # between their ids
NOT_A_CONTENT = ("product", "group")  # what a content's name never settles on


class ContentError(ValueError):
    """A product's content that names no reference substance, or several (the build stops)."""


def split_content(text: str) -> tuple[str, str]:
    """A content as (name, qualifier): "2C-B (originally)" -> ("2C-B", "originally").

    >>> split_content("2C-B (originally, now rarely)"), split_content("ketamine")
    (('2C-B', 'originally, now rarely'), ('ketamine', ''))
    """
    name, _, rest = text.partition(" (")
    return name.strip(), rest.rstrip(")").strip()


def is_class(text: str) -> bool:
    return text.strip().casefold().startswith(CLASS)


def unmarked(text: str) -> str:
    """A content without its ``class:`` mark."""
    return text.strip()[len(CLASS) :].strip() if is_class(text) else text.strip()


def resolve(
    product: str, contents: list[str], index: Mapping[str, set[str]], material: Mapping[str, str]
) -> list[str]:
    """The substance id of each content ("" for a class); :class:`ContentError` when a content
    names no substance or several."""
    ids = []
    for text in contents:
        if is_class(text):
            ids.append("")
            continue
        name, _ = split_content(text)
        found = sorted(
            sid
            for sid in index.get(normalise(name).key, ())
            if material.get(sid, "") not in NOT_A_CONTENT
        )
        if len(found) != 1:
            what = f"names {len(found)} substances ({', '.join(found)})" if found else "names none"
            raise ContentError(
                f"product {product!r}: content {name!r} {what} of the reference; write a name "
                f"that names one substance, or mark the content '{CLASS} ...' "
                "(curated/products.csv)"
            )
        ids.append(found[0])
    return ids


def with_content_ids(substances: list[dict], names: Iterable[Mapping[str, object]]) -> list[dict]:
    """The substance rows with each product's ``content_ids`` (and its ``contents`` without the
    class marks); other rows get ``content_ids`` "" too."""
    index: dict[str, set[str]] = {}
    for row in names:
        index.setdefault(str(row["key"]), set()).add(str(row["substance_id"]))
    material = {str(row["substance_id"]): str(row.get("material") or "") for row in substances}
    out = []
    for row in substances:
        contents = [c for c in str(row.get("contents") or "").split(SEPARATOR) if c.strip()]
        if not contents:
            out.append({**row, "content_ids": ""})
            continue
        ids = resolve(str(row.get("name") or row["substance_id"]), contents, index, material)
        out.append(
            {
                **row,
                "contents": SEPARATOR.join(unmarked(c) for c in contents),
                "content_ids": ID_SEPARATOR.join(ids),
            }
        )
    return out
