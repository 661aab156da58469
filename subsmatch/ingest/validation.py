"""A small JSON Schema validator for the subset ``schema/report.schema.json`` uses.

Keywords: type, enum, const, required, properties, additionalProperties, items, minimum,
maximum, minLength, pattern, format "date-time" (offset required) and local ``$ref``.
Errors are (JSON pointer, message) pairs, so a reader can tell which finding is wrong.

>>> schema = {"type": "object", "required": ["name"], "properties": {"rank": {"type": "integer"}}}
>>> validate({"rank": "1"}, schema)
[('', "'name' is required"), ('/rank', "'1' is not of type integer")]
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

Error = tuple[str, str]

_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


@cache
def report_schema() -> dict[str, Any]:
    """The shipped schema of the normalised JSON / JSON Lines input."""
    text = (resources.files("subsmatch.ingest") / "schema" / "report.schema.json").read_text(
        "utf-8"
    )
    return json.loads(text)


def validate(
    instance: Any, schema: dict[str, Any], root: dict[str, Any] | None = None, path: str = ""
) -> list[Error]:
    """All errors of ``instance`` against ``schema`` (empty when valid)."""
    root = root if root is not None else schema
    if "$ref" in schema:
        return validate(instance, _resolve(schema["$ref"], root), root, path)
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not any(_TYPES[n](instance) for n in names):
            return [(path, f"{instance!r} is not of type {' or '.join(names)}")]
    errors: list[Error] = []
    if "const" in schema and instance != schema["const"]:
        errors.append((path, f"{instance!r} is not {schema['const']!r}"))
    if "enum" in schema and instance not in schema["enum"]:
        errors.append((path, f"{instance!r} is not one of {schema['enum']}"))
    if isinstance(instance, str):
        errors += _string(instance, schema, path)
    if _TYPES["number"](instance):
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append((path, f"{instance} is less than {schema['minimum']}"))
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append((path, f"{instance} is more than {schema['maximum']}"))
    if isinstance(instance, dict):
        errors += _object(instance, schema, root, path)
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            errors += validate(item, schema["items"], root, f"{path}/{i}")
    return errors


def _string(value: str, schema: dict[str, Any], path: str) -> list[Error]:
    errors: list[Error] = []
    if len(value) < schema.get("minLength", 0):
        errors.append((path, "must not be empty" if not value else f"{value!r} is too short"))
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append((path, f"{value!r} does not match {schema['pattern']}"))
    if schema.get("format") == "date-time":
        try:
            aware = datetime.fromisoformat(value).tzinfo is not None
        except ValueError:
            aware = False
        if not aware:
            errors.append((path, f"{value!r} is not an ISO 8601 date-time with a UTC offset"))
    return errors


def _object(
    value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], path: str
) -> list[Error]:
    errors = [
        (path, f"{key!r} is required") for key in schema.get("required", ()) if key not in value
    ]
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        where = f"{path}/{key}"
        if key in properties:
            errors += validate(item, properties[key], root, where)
        elif extra is False:
            errors.append((where, f"unknown property {key!r}; allowed: {sorted(properties)}"))
        elif isinstance(extra, dict):
            errors += validate(item, extra, root, where)
    return errors


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported, not {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node
