"""What commands print alike: statuses in colour, JSON, and text from reports and requests made
safe for a terminal (light: every command imports it).

Names, queries, case ids and reasons come from uploaded files and requests: printed raw, an
escape sequence among them would move the cursor, rewrite the screen (the admin's ``audit``),
set the window title or reverse text. Every such value is printed through :func:`safe`, which
writes control characters as visible escapes.

>>> safe("MDMA\\x1b[2J\\x1b]0;owned\\x07"), safe("α-PVP\\tx"), safe("abc\\u202edef")
('MDMA\\\\x1b[2J\\\\x1b]0;owned\\\\x07', 'α-PVP\\\\tx', 'abc\\\\u202edef')
"""

from __future__ import annotations

import json
import re

import click

STATUS_STYLE = {
    "controlled": "red",
    "precursor": "yellow",
    "generic": "red",
    "analogue": "magenta",
    "unknown": "blue",
    "not_listed": "green",
    "unresolved": "cyan",
}
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 control characters (ESC, CSI, BEL, CR ...), line and paragraph separators, and the
bidirectional overrides that reorder what a terminal shows."""
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def safe(value: object) -> str:
    """``value`` as text a terminal shows as it is: control characters as escapes."""
    return CONTROL.sub(_escape, value if isinstance(value, str) else str(value))


def say(line: str, err: bool = False) -> None:
    """Print one line holding text from reports or requests, made :func:`safe` whole (a line
    without styles of ours: those would be escaped too)."""
    click.echo(safe(line), err=err)


def printable(value: object) -> object:
    """Every text in ``value`` (dicts, lists, tuples of them) made :func:`safe`; other values
    as they are."""
    if isinstance(value, str):
        return safe(value) if CONTROL.search(value) else value
    if isinstance(value, dict):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(printable(item) for item in value)
    return value


def styled(status: str, width: int = 0, bold: bool | None = True) -> str:
    """A status in its colour, padded to ``width`` (``bold`` None: as the terminal has it)."""
    return click.style(f"{status:<{width}}", fg=STATUS_STYLE.get(status), bold=bold)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(value: object) -> str:
    """JSON for people and programs: non-ASCII letters as they are (α-PVP), and the control
    characters JSON itself leaves raw (DEL, C1, bidirectional overrides) as ``\\uXXXX``, which
    a JSON reader decodes to the same text.

    >>> json_text({"name": "α\\x9b2J\\x1b"})
    '{\\n  "name": "α\\\\u009b2J\\\\u001b"\\n}'
    """
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def echo_json(value: object) -> None:
    click.echo(json_text(value))
