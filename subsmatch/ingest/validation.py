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
from collections.abc import Callable
from datetime import datetime
from functools import cache, partial
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
    if schema.get("format") == "date-time" and not _aware(value):
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


Check = Callable[[Any], "list[Error] | tuple[()]"]
"""A schema node compiled: the errors of an instance, their paths relative to it (``()`` when
it is valid, so that a valid value makes no list and no path)."""

_VALID: tuple[()] = ()
_FAST_TYPES: dict[str, Any] = {  # _TYPES' tests that one call in C makes (no Python frame)
    name: partial(type.__instancecheck__, kind)
    for name, kind in (("object", dict), ("array", list), ("string", str), ("boolean", bool))
}


def validator(schema: dict[str, Any]) -> Callable[[Any], list[Error]]:
    """:func:`validate` against ``schema``, compiled once: the same errors, in the same order,
    for any instance; what each node checks is worked out when compiling, not per value.

    >>> check = validator({"type": "object", "properties": {"rank": {"type": "integer"}}})
    >>> check({"rank": "1"}), check({"rank": 1})
    ([('/rank', "'1' is not of type integer")], [])
    """
    compiled = _Compiler(schema).node(schema)
    return lambda instance: list(compiled(instance))


@cache
def report_validator() -> Callable[[Any], list[Error]]:
    """:func:`validator` of :func:`report_schema`."""
    return validator(report_schema())


class _Compiler:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.made: dict[int, Check] = {}

    def node(self, schema: dict[str, Any]) -> Check:
        key = id(schema)
        if key in self.made:
            return self.made[key]
        if "$ref" in schema:  # as validate: a node with $ref is its target, nothing else
            target: list[Check] = []
            self.made[key] = lambda instance: target[0](instance)  # the target may refer back
            target.append(self.node(_resolve(schema["$ref"], self.root)))
            self.made[key] = target[0]
            return target[0]
        steps = self._steps(schema)
        types = schema.get("type")
        if types is None:
            check = _sequence(steps)
        else:
            names = [types] if isinstance(types, str) else list(types)
            tests = tuple(_FAST_TYPES.get(n, _TYPES[n]) for n in names)
            wanted = " or ".join(names)
            check = _typed(tests, wanted, _sequence(steps))
        self.made[key] = check
        return check

    def _steps(self, schema: dict[str, Any]) -> list[Check]:
        """validate's checks after the type, in its order, each only when the schema has it."""
        steps: list[Check] = []
        if "const" in schema:
            steps.append(_const(schema["const"]))
        if "enum" in schema:
            steps.append(_enum(schema["enum"]))
        if any(k in schema for k in ("minLength", "pattern")) or schema.get("format") == (
            "date-time"
        ):
            steps.append(_string_check(schema))
        if "minimum" in schema or "maximum" in schema:
            steps.append(_bounds(schema))
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        if schema.get("required") or properties or extra is False or isinstance(extra, dict):
            steps.append(
                _object_check(
                    tuple(schema.get("required", ())),
                    {k: self.node(v) for k, v in properties.items()},
                    f"; allowed: {sorted(properties)}",
                    extra is False,
                    self.node(extra) if isinstance(extra, dict) else None,
                )
            )
        if "items" in schema:
            steps.append(_items_check(self.node(schema["items"])))
        return steps


def _typed(tests: tuple, wanted: str, then: Check) -> Check:
    if len(tests) == 1:
        (test,) = tests
        if then is _valid:

            def only(instance: Any) -> list[Error] | tuple[()]:
                return _VALID if test(instance) else [("", f"{instance!r} is not of type {wanted}")]

            return only

        def one(instance: Any) -> list[Error] | tuple[()]:
            if not test(instance):
                return [("", f"{instance!r} is not of type {wanted}")]
            return then(instance)

        return one

    def any_of(instance: Any) -> list[Error] | tuple[()]:
        if not any(t(instance) for t in tests):
            return [("", f"{instance!r} is not of type {wanted}")]
        return then(instance)

    return any_of


def _valid(_instance: Any) -> tuple[()]:
    return _VALID


def _sequence(steps: list[Check]) -> Check:
    if not steps:
        return _valid
    if len(steps) == 1:
        return steps[0]

    def all_of(instance: Any) -> list[Error] | tuple[()]:
        errors: list[Error] = []
        for step in steps:
            errors += step(instance)
        return errors

    return all_of


def _const(value: Any) -> Check:
    def check(instance: Any) -> list[Error] | tuple[()]:
        return [("", f"{instance!r} is not {value!r}")] if instance != value else _VALID

    return check


def _enum(values: list[Any]) -> Check:
    def check(instance: Any) -> list[Error] | tuple[()]:
        return [("", f"{instance!r} is not one of {values}")] if instance not in values else _VALID

    return check


def _string_check(schema: dict[str, Any]) -> Check:
    """:func:`_string`'s checks, the pattern compiled; its errors made by it when one fails."""
    shortest = schema.get("minLength", 0)
    search = re.compile(schema["pattern"]).search if "pattern" in schema else None
    date_time = schema.get("format") == "date-time"

    def check(instance: Any) -> list[Error] | tuple[()]:
        if not isinstance(instance, str):
            return _VALID
        if (
            len(instance) >= shortest
            and (search is None or search(instance))
            and (not date_time or _aware(instance))
        ):
            return _VALID
        return _string(instance, schema, "")

    return check


def _aware(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _bounds(schema: dict[str, Any]) -> Check:
    number = _TYPES["number"]

    def check(instance: Any) -> list[Error] | tuple[()]:
        if not number(instance):
            return _VALID
        errors: list[Error] = []
        if "minimum" in schema and instance < schema["minimum"]:
            errors.append(("", f"{instance} is less than {schema['minimum']}"))
        if "maximum" in schema and instance > schema["maximum"]:
            errors.append(("", f"{instance} is more than {schema['maximum']}"))
        return errors

    return check


def _object_check(
    required: tuple[str, ...],
    properties: dict[str, Check],
    allowed: str,
    closed: bool,
    extra: Check | None,
) -> Check:
    get = properties.get

    def check(instance: Any) -> list[Error] | tuple[()]:
        if not isinstance(instance, dict):
            return _VALID
        errors: list[Error] = []
        for key in required:
            if key not in instance:
                errors.append(("", f"{key!r} is required"))
        for key, item in instance.items():
            sub = get(key)
            if sub is not None:
                found = sub(item)
            elif closed:
                errors.append((f"/{key}", f"unknown property {key!r}{allowed}"))
                continue
            elif extra is not None:
                found = extra(item)
            else:
                continue
            if found:
                errors += [(f"/{key}{path}", message) for path, message in found]
        return errors or _VALID

    return check


def _items_check(item: Check) -> Check:
    def check(instance: Any) -> list[Error] | tuple[()]:
        if not isinstance(instance, list):
            return _VALID
        errors: list[Error] = []
        for i, value in enumerate(instance):
            if found := item(value):
                errors += [(f"/{i}{path}", message) for path, message in found]
        return errors or _VALID

    return check
