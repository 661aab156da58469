"""The one base of every error a user can cause, and how its hint names an option.

An error says what is wrong (``reason``), and how to fix it (``hint``). A hint may point to an
option the user can set, written as a field: ``{encoding=cp1252}``, ``{format}``, ``{force}``.
The library never names a command-line flag: each front end words the field its own way, the
command line as ``--encoding cp1252``, the API as ``encoding=cp1252``. Like :mod:`vocabulary`,
this module imports nothing of subsmatch.

>>> error = UserError("the file is not UTF-8 text", "try {encoding=cp1252}")
>>> str(error)
'the file is not UTF-8 text (try encoding cp1252)'
>>> error.worded(command_line)
'the file is not UTF-8 text (try --encoding cp1252)'
>>> error.worded(api_field), error.options
('the file is not UTF-8 text (try encoding=cp1252)', ('encoding',))
"""

from __future__ import annotations

import re
from collections.abc import Callable

OPTIONS = frozenset(
    {
        "encoding",
        "format",
        "profile",
        "sheet",
        "force",
        "timezone",
        "db",
        "column",
        "flagged",
        "status",
        "out",
        "substructure",
        "similar",
        "engine",
        "expires",
    }
)
"""The options a message may point to; a front end words those it offers (tests check)."""

_FIELD = re.compile(r"\{([a-z_]+)(?:=([^{}]*))?\}")

Wording = Callable[[str, str | None], str]
"""How a front end names an option: (name, value or None) -> text."""


def plain(name: str, value: str | None) -> str:
    """The neutral wording, for logs: ``encoding cp1252``."""
    return name if value is None else f"{name} {value}"


def command_line(name: str, value: str | None) -> str:
    """``--encoding cp1252``."""
    flag = "--" + name.replace("_", "-")
    return flag if value is None else f"{flag} {value}"


def api_field(name: str, value: str | None) -> str:
    """``encoding=cp1252``: a form or JSON field of the service."""
    return name if value is None else f"{name}={value}"


def word(text: str, wording: Wording = plain) -> str:
    """``text`` with its option fields worded; braces that name no option stay as written.

    >>> word("add {force}; keep {this}", command_line)
    'add --force; keep {this}'
    """

    def name(match: re.Match[str]) -> str:
        return wording(match[1], match[2]) if match[1] in OPTIONS else match[0]

    return _FIELD.sub(name, text)


def options_in(text: str) -> tuple[str, ...]:
    """The options ``text`` points to, in order of first mention."""
    found = (m[1] for m in _FIELD.finditer(text) if m[1] in OPTIONS)
    return tuple(dict.fromkeys(found))


class UserError(Exception):
    """Something the user can fix: the reason, the fix, the options the fix concerns.

    Subclasses say what kind of thing went wrong (a report that cannot be read, a database that
    cannot be opened ...); front ends catch this base and word it for their users.
    """

    def __init__(self, reason: str, hint: str = "") -> None:
        self.reason = reason
        self.hint = hint
        super().__init__(self.worded(plain))

    @property
    def text(self) -> str:
        """The message with its option fields not yet worded (to store, or to word later)."""
        return f"{self.reason} ({self.hint})" if self.hint else self.reason

    @property
    def options(self) -> tuple[str, ...]:
        """The options the message points to."""
        return options_in(self.text)

    def worded(self, wording: Wording) -> str:
        """The message with its options named as a front end names them."""
        return word(self.text, wording)


class InvalidRequest(UserError):
    """The request itself is wrong: an option's value, or options that do not go together.

    ``option`` names the one option at fault, when there is one. The command line answers with
    a usage error, the service with 422.

    >>> InvalidRequest("unknown jurisdiction XX", option="jurisdiction").option
    'jurisdiction'
    """

    def __init__(self, reason: str, hint: str = "", *, option: str | None = None) -> None:
        self.option = option
        super().__init__(reason, hint)


class NotFound(UserError):
    """What the request names is not there (a case, a token). The service answers 404."""


class Unavailable(UserError):
    """Nothing is wrong with the request: it could not be done now (a worker process stopped,
    the service is stopping). The same request may succeed after ``retry_after`` seconds; the
    service answers 503 with a ``Retry-After``.

    >>> Unavailable("the service is stopping", "upload it again in a minute").retry_after
    30
    """

    def __init__(self, reason: str, hint: str = "", *, retry_after: int = 30) -> None:
        self.retry_after = retry_after
        super().__init__(reason, hint)
