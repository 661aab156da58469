"""The compiled validator gives validate's errors, in its order, for any value."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from subsmatch.ingest.validation import report_schema, validate, validator
from tests.helpers import EXAMPLES

_KEYS = st.sampled_from(
    [
        "technique", "findings", "case_id", "item_id", "context", "measured_at", "country",
        "verdict", "extras", "instrument", "library", "name", "rank", "role", "cas", "scores",
        "value", "scale", "higher_is_better", "schema_version", "asserted_identified", "x",
    ]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 200),
    st.floats(allow_nan=False),
    st.sampled_from(
        [
            "",
            "BE",
            "be",
            "positive",
            "lab_screening",
            "0-100",
            "100-0",
            "50-64-8",
            "50-64-9",
            "2024-03-14T10:22:00+01:00",
            "2024-03-14T10:22:00",
            "MDMA",
            "hit_candidate",
        ]
    ),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=6),
    max_leaves=30,
)


@settings(max_examples=600, deadline=None)
@given(_VALUES)
def test_compiled_validator_equals_validate(value):
    schema = report_schema()
    assert validator(schema)(value) == validate(value, schema)


@given(st.dictionaries(_KEYS, _VALUES, max_size=8))
@settings(max_examples=300, deadline=None)
def test_compiled_validator_equals_validate_on_objects(value):
    schema = report_schema()
    value.setdefault("findings", [{"name": "MDMA", "scores": [value.get("scores")]}])
    assert validator(schema)(value) == validate(value, schema)


def test_shipped_example_valid_for_both():
    schema = report_schema()
    check = validator(schema)
    for line in (EXAMPLES / "colour_tests.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            assert check(item) == validate(item, schema)


def test_schema_with_a_recursive_reference():
    node = {
        "type": "object",
        "properties": {"child": {"$ref": "#/$defs/node"}, "n": {"type": "integer", "minimum": 1}},
        "additionalProperties": False,
    }
    schema = {"$ref": "#/$defs/node", "$defs": {"node": node}}
    value = {"child": {"child": {"n": 0, "z": 1}}, "n": "1"}
    assert (
        validator(schema)(value)
        == validate(value, schema)
        == [
            ("/child/child/n", "0 is less than 1"),
            ("/child/child/z", "unknown property 'z'; allowed: ['child', 'n']"),
            ("/n", "'1' is not of type integer"),
        ]
    )
