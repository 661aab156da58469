"""Mapping profiles: TOML files that map a CSV/TSV/XLSX export's columns to the record schema.

A new device's export is read by writing a profile, with no code change. Shipped profiles live
in ``subsmatch/ingest/profiles/``; a profile's ``[detect] required_columns`` lets an export be
matched to it by its header. The layout (every table but ``[profile]`` and ``[columns]`` is
optional)::

    [profile]
    name = "my-device"                  # required
    description = "..."
    formats = ["csv", "xlsx"]           # which containers it applies to (default: both)
    sheet = "Results"                   # XLSX sheet to read (default: first non-empty)
    delimiter = ";"                     # one character, "\\t" for a tab (default: sniffed)
    verdict_asserts_identity = true     # a positive verdict claims identity of the top hit

    [detect]
    required_columns = ["Scan ID", "Result"]    # all must be in the header

    [defaults]                          # constant values for fields the export lacks
    context = "field_screening"         # field_screening | lab_screening | lab_confirmation
    technique = "Raman"
    vendor = "..."
    role = "hit_candidate"              # hit_candidate | identified | mixture_component

    [columns]                           # field = "header of the column"
    case_id = "Case #"
    name = "Substance"

    [timestamps]
    formats = ["%d/%m/%Y %H:%M"]        # tried after ISO 8601
    timezone = "Europe/Brussels"        # for timestamps printed without an offset

    [[scores]]
    column = "HQI"
    name = "HQI"
    scale = "0-100"
    higher_is_better = true
    required = false

    [verdicts]                          # verdict = [raw texts], matched case-insensitively
    positive = ["Match", "ALARM"]
    negative = ["No match"]

    [roles]                             # role = [raw texts] of the "role" column
    mixture_component = ["Component"]

    [extras]                            # label = "column": kept as printed on the finding
    purity_pct = "Purity (%)"
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from subsmatch.ingest.errors import ProfileError
from subsmatch.ingest.records import ANALYSIS_FIELDS, Role, SourceVerdict
from subsmatch.ingest.values import collapse, parse_scale, zone
from subsmatch.vocabulary import Context

TIMESTAMP_PARTS = {"measured_at": ("measured_date", "measured_time")}
"""A timestamp an export prints as a date column and a time column."""
PER_ROW = ("case_id", "item_id", "label", "measured_at", "verdict")
"""Analysis values that tell one analysis from another: a profile cannot default them."""
MAPPABLE_ANALYSIS_FIELDS = (
    "analysis_key",
    *(
        name
        for field in ANALYSIS_FIELDS
        if not field.endswith("_raw")  # the text as printed: the reader keeps it
        for name in (field, *TIMESTAMP_PARTS.get(field, ()))
    ),
)
"""What ``[columns]`` may map of an analysis: its own values (:data:`ANALYSIS_FIELDS`), its
timestamp also as a date and a time, and the export's own key of an analysis.

>>> MAPPABLE_ANALYSIS_FIELDS[:4], MAPPABLE_ANALYSIS_FIELDS[12:15]
(('analysis_key', 'case_id', 'item_id', 'label'), ('measured_at', 'measured_date', 'measured_time'))
"""
MAPPABLE_FINDING_FIELDS = ("name", "cas", "formula", "rank", "role", "component")
"""What ``[columns]`` may map of a finding: :class:`~subsmatch.ingest.records.Finding` fields,
and ``component`` (a mixture component's number)."""
DEFAULT_FIELDS = (
    *(f for f in ANALYSIS_FIELDS if f not in PER_ROW and not f.endswith("_raw")),
    "role",
)
"""What ``[defaults]`` may set: the circumstances an export may lack (context, technique,
device, library, operator, place) and the findings' role."""
_TABLES = {
    "profile",
    "detect",
    "defaults",
    "columns",
    "timestamps",
    "scores",
    "verdicts",
    "roles",
    "extras",
}
_PROFILE_KEYS = {"name", "description", "formats", "sheet", "delimiter", "verdict_asserts_identity"}
_DETECT_KEYS = {"required_columns"}
_TIMESTAMP_KEYS = {"formats", "timezone"}
_SCORE_KEYS = {"column", "name", "scale", "higher_is_better", "required"}
_TOML_TYPES = ((bool, "a boolean"), (str, "a string"), (int, "an integer"), (float, "a number"))
_TRUE, _FALSE = {"true", "yes", "y", "on", "1"}, {"false", "no", "n", "off", "0"}


def header_key(text: object) -> str:
    """How header cells are compared: case-folded, whitespace collapsed.

    >>> header_key("  Device  Serial ")
    'device serial'
    """
    return collapse(str(text or ""))


@dataclass(frozen=True, slots=True)
class ScoreColumn:
    column: str
    name: str
    scale: str
    low: float
    high: float
    higher_is_better: bool = True
    required: bool = False


@dataclass(frozen=True)
class Profile:
    """A validated mapping profile (see the module docstring for the file layout)."""

    name: str
    source: str
    description: str = ""
    formats: tuple[str, ...] = ("csv", "xlsx")
    sheet: str | None = None
    delimiter: str | None = None
    verdict_asserts_identity: bool = False
    required_columns: tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)
    timestamp_formats: tuple[str, ...] = ()
    timezone: str | None = None
    scores: tuple[ScoreColumn, ...] = ()
    verdicts: Mapping[str, SourceVerdict] = field(default_factory=dict)
    roles: Mapping[str, Role] = field(default_factory=dict)
    extras: Mapping[str, str] = field(default_factory=dict)

    def detection_columns(self) -> tuple[str, ...]:
        """Columns a header must have for this profile: declared ones, else the name column."""
        if self.required_columns:
            return self.required_columns
        return (self.columns["name"],) if "name" in self.columns else ()

    def matches(self, header: Iterable[str]) -> bool:
        keys = {header_key(cell) for cell in header}
        wanted = self.detection_columns()
        return bool(wanted) and all(header_key(c) in keys for c in wanted)


def parse_profile(data: Mapping[str, Any], source: str) -> Profile:
    """A Profile from parsed TOML; raises ProfileError naming ``source`` and the bad key."""

    def fail(message: str) -> ProfileError:
        return ProfileError(f"profile {source}: {message}")

    unknown = set(data) - _TABLES
    if unknown:
        raise fail(f"unknown table(s) {sorted(unknown)}; allowed: {sorted(_TABLES)}")
    head = _table(data, "profile", fail, _PROFILE_KEYS)
    name = _typed(head, "[profile]", "name", str, fail, "")
    if not name.strip():
        raise fail("[profile] name is required")
    columns = _strings(_table(data, "columns", fail), "columns", fail)
    bad = set(columns) - set(MAPPABLE_ANALYSIS_FIELDS) - set(MAPPABLE_FINDING_FIELDS)
    if bad:
        allowed = ", ".join(MAPPABLE_ANALYSIS_FIELDS + MAPPABLE_FINDING_FIELDS)
        raise fail(f"[columns] has unknown field(s) {sorted(bad)}; allowed: {allowed}")
    if "measured_time" in columns and "measured_date" not in columns:
        raise fail("[columns] measured_time needs measured_date")
    defaults = _strings(_table(data, "defaults", fail), "defaults", fail)
    if set(defaults) - set(DEFAULT_FIELDS):
        raise fail(f"[defaults] has unknown field(s) {sorted(set(defaults) - set(DEFAULT_FIELDS))}")
    _check_enum(defaults.get("context"), Context, "[defaults] context", fail)
    _check_enum(defaults.get("role"), Role, "[defaults] role", fail)
    stamps = _table(data, "timestamps", fail, _TIMESTAMP_KEYS)
    timezone = _typed(stamps, "[timestamps]", "timezone", str, fail)
    if timezone is not None:
        try:
            zone(timezone)
        except ValueError as exc:
            raise fail(str(exc)) from None
    formats = _typed(head, "[profile]", "formats", list, fail, ("csv", "xlsx"), "containers")
    if set(formats) - {"csv", "xlsx"}:
        raise fail("[profile] formats may only list 'csv' and 'xlsx'")
    detect = _table(data, "detect", fail, _DETECT_KEYS)
    scores = data.get("scores", [])
    if not isinstance(scores, list):
        raise fail("scores must be [[scores]] tables (an array of tables), not one [scores] table")
    return Profile(
        name=name.strip(),
        source=source,
        description=_typed(head, "[profile]", "description", str, fail, ""),
        formats=formats,
        sheet=_typed(head, "[profile]", "sheet", str, fail),
        delimiter=_delimiter(head, fail),
        verdict_asserts_identity=_typed(
            head, "[profile]", "verdict_asserts_identity", bool, fail, False
        ),
        required_columns=_typed(
            detect, "[detect]", "required_columns", list, fail, (), "column names"
        ),
        defaults=defaults,
        columns=columns,
        timestamp_formats=_typed(
            stamps, "[timestamps]", "formats", list, fail, (), "strptime formats"
        ),
        timezone=timezone,
        scores=tuple(_score(entry, fail) for entry in scores),
        verdicts=_vocabulary(_table(data, "verdicts", fail), SourceVerdict, "verdicts", fail),
        roles=_vocabulary(_table(data, "roles", fail), Role, "roles", fail),
        extras=_strings(_table(data, "extras", fail), "extras", fail),
    )


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file; raises ProfileError."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ProfileError(f"profile {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {path}: not valid TOML ({exc})") from None
    return parse_profile(data, str(path))


@cache
def shipped_profiles() -> tuple[Profile, ...]:
    """The profiles shipped in ``subsmatch/ingest/profiles/``, sorted by name."""
    folder = resources.files("subsmatch.ingest") / "profiles"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found.append(parse_profile(tomllib.loads(entry.read_text("utf-8")), entry.name))
    return tuple(found)


def resolve_profile(spec: Profile | str | Path) -> Profile:
    """A Profile from a Profile, a profile file path, or a shipped profile's name."""
    if isinstance(spec, Profile):
        return spec
    path = Path(spec)
    if path.suffix == ".toml" or path.exists():
        return load_profile(path)
    for profile in shipped_profiles():
        if profile.name == str(spec):
            return profile
    names = ", ".join(p.name for p in shipped_profiles())
    raise ProfileError(f"no profile file or shipped profile named {spec!r}; shipped: {names}")


def match_profile(header: Iterable[str], profiles: Iterable[Profile], fmt: str) -> Profile | None:
    """The shipped profile whose detection columns the header has (the most specific wins)."""
    cells = list(header)
    fitting = [p for p in profiles if fmt in p.formats and p.matches(cells)]
    return max(fitting, key=lambda p: len(p.detection_columns()), default=None)


def _table(
    data: Mapping[str, Any], name: str, fail: Any, keys: set[str] | None = None
) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise fail(f"[{name}] must be a table")
    if keys is not None and set(value) - keys:
        raise fail(f"unknown [{name}] key(s) {sorted(set(value) - keys)}; allowed: {sorted(keys)}")
    return value


def _typed(
    table: Mapping[str, Any],
    where: str,
    key: str,
    kind: type,
    fail: Any,
    default: Any = None,
    items: str = "strings",
) -> Any:
    """``table[key]`` if of the TOML type ``kind`` (a list: of strings, returned as a tuple), else
    ``default`` when absent; raises ProfileError saying what was given and what to write.

    >>> _typed({"k": ["a"]}, "[t]", "k", list, ValueError)
    ('a',)
    >>> _typed({"k": "no"}, "[t]", "k", bool, ValueError)
    Traceback (most recent call last):
    ValueError: [t] k must be a boolean, got a string ("no"); write k = false, without quotes
    """
    if key not in table:
        return default
    value = table[key]
    if kind is list:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        wanted = f"a list of {items}"
    elif isinstance(value, kind):
        return value
    else:
        wanted = dict(_TOML_TYPES)[kind]
    raise fail(f"{where} {key} must be {wanted}, got {_given(value)}; {_fix(key, kind, value)}")


_DELIMITER_WORDS = {"tab": "\\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}


def _delimiter(head: Mapping[str, Any], fail: Any) -> str | None:
    """``[profile] delimiter``: one character (the csv module takes no other), else a ProfileError
    saying what to write.

    >>> _delimiter({"delimiter": ";"}, ValueError), _delimiter({}, ValueError)
    (';', None)
    >>> _delimiter({"delimiter": "tab"}, ValueError)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: [profile] delimiter must be one character, got ...; write delimiter = "\\t"
    """
    value = _typed(head, "[profile]", "delimiter", str, fail)
    if value is None or len(value) == 1:
        return value
    word = _DELIMITER_WORDS.get(value.strip().casefold())
    fix = (
        f'write delimiter = "{word}"'
        if word
        else 'write one character in quotes, e.g. delimiter = ";" (for a tab, delimiter = "\\t")'
    )
    raise fail(f"[profile] delimiter must be one character, got {_given(value)}; {fix}")


def _given(value: Any) -> str:
    """A TOML value described for an error: its type and the value as written."""
    if isinstance(value, list):
        odd = next((item for item in value if not isinstance(item, str)), None)
        return "a list" if odd is None else f"a list holding {_given(odd)}"
    if isinstance(value, dict):
        return "a table"
    kind = next((name for t, name in _TOML_TYPES if isinstance(value, t)), "a date or time")
    shown = json.dumps(value) if isinstance(value, bool | str) else str(value)
    return f"{kind} ({shown})"


def _fix(key: str, kind: type, value: Any) -> str:
    """How to write ``key`` as a ``kind``, using the given value where it can be read."""
    word = str(value).strip().casefold()
    if kind is bool:
        if word in _TRUE | _FALSE:
            return f"write {key} = {str(word in _TRUE).lower()}, without quotes"
        return f"write {key} = true or {key} = false, without quotes"
    if kind is list:
        if isinstance(value, str):
            return f"write {key} = [{json.dumps(value)}]"
        return f'write {key} = ["...", "..."], each in quotes'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"write {key} = {json.dumps(str(value))}"
    return f'write {key} = "..." in quotes'


def _strings(table: dict[str, Any], name: str, fail: Any) -> dict[str, str]:
    return {key: _typed(table, f"[{name}]", key, str, fail) for key in table}


def _check_enum(value: str | None, enum: type, where: str, fail: Any) -> None:
    if value is not None and value not in {member.value for member in enum}:
        raise fail(f"{where} {value!r} is not one of {[m.value for m in enum]}")


def _vocabulary(table: dict[str, Any], enum: type, name: str, fail: Any) -> dict[str, Any]:
    vocabulary: dict[str, Any] = {}
    for key in table:
        _check_enum(key, enum, f"[{name}]", fail)
        for text in _typed(table, f"[{name}]", key, list, fail, (), "raw texts"):
            if vocabulary.setdefault(collapse(text), enum(key)) != enum(key):
                raise fail(f"[{name}] {text!r} is listed under two values")
    return vocabulary


def _score(entry: Any, fail: Any) -> ScoreColumn:
    if not isinstance(entry, dict) or set(entry) - _SCORE_KEYS or "column" not in entry:
        raise fail(f"[[scores]] entries need 'column' and only {sorted(_SCORE_KEYS)}: {entry!r}")
    column = _typed(entry, "[[scores]]", "column", str, fail)
    where = f"[[scores]] {column!r}"
    scale = _typed(entry, where, "scale", str, fail, "")
    try:
        low, high = parse_scale(scale)
    except ValueError as exc:
        raise fail(f"{where}: {exc}") from None
    return ScoreColumn(
        column=column,
        name=_typed(entry, where, "name", str, fail, column),
        scale=scale,
        low=low,
        high=high,
        higher_is_better=_typed(entry, where, "higher_is_better", bool, fail, True),
        required=_typed(entry, where, "required", bool, fail, False),
    )
