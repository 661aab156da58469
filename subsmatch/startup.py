"""The start-up cache: what a process reads at start (the reference tables, the rule files, the
tables stored per reference structure), kept between processes as Python objects.

Reading the Parquet tables needs pyarrow (a fifth of a second to import) and makes tens of
thousands of objects; a check of one name spends most of its start there. :func:`kept` makes a
value once and keeps it in a pickle in the user cache directory (``SUBSMATCH_CACHE_DIR`` names
another folder; ``off`` keeps nothing), named by a digest of everything it is made from: the
bytes of its source files (data, rule files, the code that reads them), the folder they are in,
the Python version and :data:`FORMAT`. A changed file gives another digest, so a stale copy is
never read. A copy that cannot be read (cut short, corrupt, written by other code) is made and
written again; a folder that cannot be written only costs the time saved. Writes go to a
temporary file renamed into place, so processes that start together each read a whole copy.

The cache is the user's own folder: a pickle there runs as the user, like the code itself.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> source = folder / "table.txt"
>>> _ = source.write_text("a")
>>> kept("demo", [source], lambda: source.read_text().upper(), folder=folder)
'A'
>>> _ = source.write_text("b")  # changed: made again
>>> kept("demo", [source], lambda: source.read_text().upper(), folder=folder)
'B'
>>> kept("demo", [source], lambda: "not made: read from the cache", folder=folder)
'B'
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from subsmatch.settings import cache_dir

T = TypeVar("T")

FORMAT = "1"  # raise when what is kept changes shape in a way no source file shows
KEPT_PER_NAME = 8  # copies of one name kept (other data folders, other versions), newest first


def digest(name: str, sources: Iterable[Path], extra: Iterable[str] = ()) -> str:
    """The key of a kept value: its name, the bytes of its sources, ``extra`` (e.g. a folder),
    the Python version and :data:`FORMAT`."""
    made = hashlib.sha256(f"{name}\n{FORMAT}\n{sys.version}\n".encode())
    for text in extra:
        made.update(f"{text}\n".encode())
    for path in sources:
        made.update(f"{path.name}\n".encode())
        made.update(hashlib.sha256(path.read_bytes()).digest())
    return made.hexdigest()[:24]


def kept(
    name: str,
    sources: Iterable[Path],
    make: Callable[[], T],
    extra: Iterable[str] = (),
    folder: Path | None = None,
) -> T:
    """``make()``, read from the cache when it was kept from the same ``sources`` and
    ``extra``; else made and kept. ``folder`` None: :func:`subsmatch.settings.cache_dir`
    (None there: nothing is kept)."""
    folder = folder or cache_dir()
    if folder is None:
        return make()
    key = digest(name, sources, extra)
    path = folder / f"{name}-{key}.pickle"
    found = _read(path, key)
    if found is not None:
        return found[0]
    value = make()
    _write(path, key, value)
    return value


def _read(path: Path, key: str) -> tuple | None:
    """(value,) from ``path`` when it holds a whole copy made for ``key``; else None."""
    collecting = gc.isenabled()
    gc.disable()  # unpickling makes objects by the ten thousand: no collection scans them meanwhile
    try:
        with path.open("rb") as file:
            stored_key, value = pickle.load(file)
    except FileNotFoundError:
        return None
    # anything else a damaged or foreign file raises (UnpicklingError, EOFError, ValueError,
    # AttributeError for a class that moved ...) means the same: make the value again
    except Exception:
        return None
    finally:
        if collecting:
            gc.enable()
    return (value,) if stored_key == key else None


def _write(path: Path, key: str, value: object) -> None:
    """Keep ``value`` at ``path`` (written whole, then renamed into place), and at most
    :data:`KEPT_PER_NAME` copies of its name; a folder that cannot be written is left alone."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump((key, value), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(name, path)
        _prune(path)
    except OSError:
        Path(name).unlink(missing_ok=True)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _prune(path: Path) -> None:
    """Remove the oldest copies of ``path``'s name beyond :data:`KEPT_PER_NAME`."""
    name = path.stem.rsplit("-", 1)[0]
    copies = sorted(
        path.parent.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in copies[KEPT_PER_NAME:]:
        old.unlink(missing_ok=True)
