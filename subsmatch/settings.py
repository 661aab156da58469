"""The project's one settings mechanism: the user's config file, the environment, the front end.

A setting takes the first value it finds in: the values a front end passes from its own options,
the environment, the per-user config file, the default. Each value remembers where it came from,
so that a front end can show it and an error can say where to fix it.

The config file is TOML in platformdirs' user config directory (``SUBSMATCH_CONFIG`` names
another file)::

    home = ["BE", "NL", "LU", "EU", "UN"]   # the jurisdictions a verdict's headline speaks for
    region = "Europe"                       # whose street names come first

Tables (``[service]`` ...) belong to the front ends that read them and are left alone here.

Settings:

- ``home`` (``SUBSMATCH_HOME="BE,NL,LU,EU,UN"``): the jurisdictions the user answers to. The
  headline status of a verdict is the strongest of these; the others are shown beneath it and never
  drive the headline, the flagged lists, alerts or trends. Default: Benelux, EU and UN.
- ``region`` (``SUBSMATCH_REGION``): the usage street names follow: ``Europe`` (Benelux usage
  first, the default), ``US``, ``global``, or a country code (``NL``, ``DE``, ``UK`` ...). The name
  resolver reads it.
- ``stale_minutes`` (``SUBSMATCH_STALE_MINUTES``): how long an ingest may go without writing
  before the next ingest takes it for one whose process died and removes what it wrote (it was
  never visible). Default 15; raise it where one chunk of a report may take longer (a slow or
  very busy machine), as an ingest still running would lose its file.
- ``ingest_workers`` (``SUBSMATCH_INGEST_WORKERS``): how many worker processes, forked from an
  ingest, judge the distinct names of a large report while the ingest reads and stores it (each
  worker holds its own OPSIN JVM, about 100 MB). 0: the ingest judges them itself, in one
  process (for a machine whose other core serves requests). Default: 1 where this process may
  use two cores or more, else 0. A report with few distinct names is judged in the ingest's
  process whatever the setting.

>>> s = load({"home": "nl, eu"}, environ={}, path=None)
>>> s.home, s.region, s.origin["home"], s.origin["region"]
(('NL', 'EU'), 'Europe', 'option', 'default')
>>> try:
...     load({}, environ={"SUBSMATCH_HOME": "BE;XX"}, path=None, jurisdictions=("BE", "NL"))
... except SettingsError as error:
...     print(error.reason)
unknown jurisdiction XX in home (environment variable SUBSMATCH_HOME)
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from platformdirs import user_cache_dir, user_config_dir

from subsmatch.errors import UserError

DEFAULT_HOME: tuple[str, ...] = ("BE", "NL", "LU", "EU", "UN")
DEFAULT_REGION = "Europe"
DEFAULT_STALE_MINUTES = 15.0
REGIONS = ("Europe", "US", "global")
"""Named regions; a two-letter country code (ISO 3166, and UK) is a region too."""

CONFIG_ENV = "SUBSMATCH_CONFIG"
CACHE_ENV = "SUBSMATCH_CACHE_DIR"  # the start-up cache's folder, or "off"
ENVIRONMENT = {
    "home": "SUBSMATCH_HOME",
    "region": "SUBSMATCH_REGION",
    "stale_minutes": "SUBSMATCH_STALE_MINUTES",
    "ingest_workers": "SUBSMATCH_INGEST_WORKERS",
}
KNOWN = ("home", "region", "stale_minutes", "ingest_workers")


class SettingsError(UserError, ValueError):
    """A setting that cannot be used; the message says where it was set and how to fix it."""


@dataclass(frozen=True)
class Settings:
    """The settings in force, and where each value came from (``origin``)."""

    home: tuple[str, ...] = DEFAULT_HOME
    region: str = DEFAULT_REGION
    stale_minutes: float = DEFAULT_STALE_MINUTES
    ingest_workers: int = field(default_factory=lambda: default_workers())
    origin: Mapping[str, str] = field(default_factory=lambda: dict.fromkeys(KNOWN, "default"))

    @property
    def stale_after(self) -> timedelta:
        """How long an ingest may go without writing before it counts as dead."""
        return timedelta(minutes=self.stale_minutes)


def default_workers() -> int:
    """One judging worker where this process may use two cores or more, else none."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 1 if cores > 1 else 0


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """The per-user config file (``SUBSMATCH_CONFIG`` overrides it)."""
    environ = os.environ if environ is None else environ
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    return Path(user_config_dir("subsmatch", appauthor=False)) / "config.toml"


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The folder of the start-up cache (:mod:`subsmatch.startup`): ``SUBSMATCH_CACHE_DIR``,
    else the user cache directory; None when that variable is ``off``.

    >>> cache_dir({"SUBSMATCH_CACHE_DIR": "off"}) is None, cache_dir({"SUBSMATCH_CACHE_DIR": "/c"})
    (True, PosixPath('/c'))
    """
    environ = os.environ if environ is None else environ
    given = environ.get(CACHE_ENV, "")
    if given.lower() == "off":
        return None
    return Path(given) if given else Path(user_cache_dir("subsmatch", appauthor=False))


def _read_config(path: Path | None) -> dict:
    if path is None or not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(
            f"the config file {path} is not valid TOML: {error}",
            "correct it, or remove it to use the defaults",
        ) from None
    scalars = {k for k, v in raw.items() if not isinstance(v, dict)}
    if unknown := sorted(scalars - set(KNOWN)):
        raise SettingsError(
            f"unknown setting {', '.join(unknown)} in the config file {path}",
            f"the settings are {', '.join(KNOWN)}",
        )
    return {k: raw[k] for k in KNOWN if k in raw}


def parse_home(value: object, origin: str, known: Sequence[str] | None = None) -> tuple[str, ...]:
    """Jurisdiction codes from a list or a text ("BE, NL" or "BE NL"), upper-cased, checked
    against ``known`` (the reference's codes; without it, each must look like a code)."""
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not all(isinstance(i, str) for i in items):
        raise SettingsError(
            f"home ({origin}) must be a list of jurisdiction codes, not {value!r}",
            'write it as ["BE", "NL"] in the config file, or "BE,NL" elsewhere',
        )
    codes = tuple(dict.fromkeys(i.strip().upper() for i in items if i.strip()))
    if known is None:
        hint = "use jurisdiction codes such as BE, NL, EU, UN, separated by commas"
        unknown = [c for c in codes if not re.fullmatch(r"[A-Z]{2}", c)]
    else:
        hint = f"use codes among {', '.join(known)}, separated by commas"
        unknown = [c for c in codes if c not in known]
    if not codes:
        raise SettingsError(f"home ({origin}) names no jurisdiction", hint)
    if unknown:
        raise SettingsError(f"unknown jurisdiction {', '.join(unknown)} in home ({origin})", hint)
    return codes


def parse_region(value: object, origin: str) -> str:
    """A named region or a two-letter country code, in its canonical spelling."""
    text = value.strip() if isinstance(value, str) else ""
    named = {r.lower(): r for r in REGIONS}
    if text.lower() in named:
        return named[text.lower()]
    if re.fullmatch(r"[A-Za-z]{2}", text):
        return text.upper()
    raise SettingsError(
        f"region ({origin}) is {value!r}, not a region",
        f"use one of {', '.join(REGIONS)} or a two-letter country code such as NL",
    )


def parse_minutes(value: object, origin: str) -> float:
    """A positive number of minutes, from a number or a text.

    >>> parse_minutes("90", "option"), parse_minutes(2.5, "option")
    (90.0, 2.5)
    """
    try:
        minutes = float(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        minutes = float("nan")
    if not minutes > 0 or minutes == float("inf") or isinstance(value, bool):
        raise SettingsError(
            f"stale_minutes ({origin}) is {value!r}, not a positive number of minutes",
            "give minutes such as 15 (an ingest silent that long is taken for dead)",
        )
    return minutes


def parse_workers(value: object, origin: str) -> int:
    """A whole number of worker processes, 0 or more, from a number or a text.

    >>> parse_workers("2", "option"), parse_workers(0, "option")
    (2, 0)
    """
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.isascii() and text.isdigit():
        text = int(text)
    if isinstance(text, bool) or not isinstance(text, int) or text < 0:
        raise SettingsError(
            f"ingest_workers ({origin}) is {value!r}, not a whole number of processes",
            "give 0 (the ingest judges in its own process) or more, such as 1",
        )
    return text


def load(
    options: Mapping[str, object] | None = None,
    environ: Mapping[str, str] | None = None,
    path: Path | bool | None = True,
    jurisdictions: Sequence[str] | None = None,
) -> Settings:
    """The settings: ``options`` (a front end's values; None ones are not given) first, then the
    environment, then the config file (``path``; True: the per-user one, None: none), then the
    defaults. ``jurisdictions``: the codes a home may name (the front ends pass the reference's
    ``JURISDICTIONS``; settings, a core module, does not read the reference)."""
    parsers = {
        "home": lambda value, where: parse_home(value, where, jurisdictions),
        "region": parse_region,
        "stale_minutes": parse_minutes,
        "ingest_workers": parse_workers,
    }
    environ = os.environ if environ is None else environ
    file = config_path(environ) if path is True else path
    config = _read_config(file)  # type: ignore[arg-type]
    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    for key in KNOWN:
        given = (options or {}).get(key)
        if given is not None and given != ():
            values[key], origin[key] = parsers[key](given, "option"), "option"
        elif environ.get(ENVIRONMENT[key]):
            where = f"environment variable {ENVIRONMENT[key]}"
            values[key], origin[key] = parsers[key](environ[ENVIRONMENT[key]], where), where
        elif key in config:
            where = f"config file {file}"
            values[key], origin[key] = parsers[key](config[key], where), where
        else:
            origin[key] = "default"
    return Settings(**values, origin=origin)  # type: ignore[arg-type]
