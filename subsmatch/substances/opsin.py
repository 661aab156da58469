"""Systematic names to structures with OPSIN (the jar py2opsin ships), in one long-lived JVM.

OPSIN needs Java. Where ``java`` is missing everything else still works: :func:`names_to_smiles`
returns no structures and warns once, naming the fix.

CAS index names are inverted ("Benzeneethanamine, 4-bromo-2,5-dimethoxy-"); OPSIN reads the
uninverted form. A stereo modifier moves to the front, a salt or hydrate is dropped (the parent
is the same substance), and any other modifier (an ester, an N-oxide, a lactone) stays after
the name, where OPSIN reads it or fails: never dropped, which would name another compound.

>>> uninvert_cas_name("Benzeneethanamine, 4-bromo-2,5-dimethoxy-")
'4-bromo-2,5-dimethoxy-benzeneethanamine'
>>> uninvert_cas_name("1-Propanone, 2-(methylamino)-1-(3-methylphenyl)-, hydrochloride")
'2-(methylamino)-1-(3-methylphenyl)-1-propanone'
>>> uninvert_cas_name("Morphinan, 3-methoxy-17-methyl-, (9α,13α,14α)-")
'(9α,13α,14α)-3-methoxy-17-methyl-morphinan'
>>> uninvert_cas_name("Pentanoic acid, 5-amino-4-oxo-, hexyl ester, hydrochloride")
'5-amino-4-oxo-pentanoic acid hexyl ester'
>>> uninvert_cas_name("D-Glucopyranose, 1,2-bis-O-methyl-")
'1,2-bis-O-methyl-D-Glucopyranose'
>>> uninvert_cas_name("Cocaine")
'Cocaine'
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import shutil
import subprocess
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path

from subsmatch.substances.names import is_form_words

log = logging.getLogger(__name__)

JAVA_MISSING_HINT = (
    "Java was not found, so systematic names are not converted to structures (OPSIN). "
    "Install a Java runtime (Debian/Ubuntu: apt-get install default-jre-headless) to enable it."
)

_INVERTED = re.compile(r"^(?P<parent>[^,]+?), (?P<prefix>.+?-)(?:, (?P<modifier>.+))?$")
_STEREO_MODIFIER = re.compile(r"^\(.+\)-$|^(?:cis|trans|[RSEZ]|[dl]|\([+-]\))-$")
_FIRST_CAPITAL = re.compile(r"^([^A-Za-z]*)([A-Z])(?=[a-z])")  # not a D- or L- descriptor


def uninvert_cas_name(name: str) -> str:
    """Turn a CAS index name into an ordinary name (see the module's examples)."""
    match = _INVERTED.match(name.strip())
    if not match:
        return name.strip()
    parent = _FIRST_CAPITAL.sub(lambda m: m[1] + m[2].lower(), match["parent"], count=1)
    modifiers = [m.strip() for m in (match["modifier"] or "").split(", ") if m.strip()]
    stereo = "".join(m for m in modifiers if _STEREO_MODIFIER.match(m))
    kept = [m for m in modifiers if not _STEREO_MODIFIER.match(m) and not is_form_words(m)]
    return " ".join([f"{stereo}{match['prefix']}{parent}", *kept])


@cache
def java_available() -> bool:
    """True when a Java runtime is on PATH; warns once when it is not."""
    if shutil.which("java"):
        return True
    warnings.warn(JAVA_MISSING_HINT, RuntimeWarning, stacklevel=2)
    return False


def _one_line(name: str) -> str:
    """The name on one line, as text the JVM's UTF-8 input can take (lone surrogates: "?")."""
    return " ".join(name.split()).encode("utf-8", "replace").decode("utf-8")


@cache
def opsin_jar() -> Path | None:
    """The OPSIN command-line jar that the py2opsin package ships."""
    import py2opsin

    jars = sorted(Path(py2opsin.__file__).parent.glob("opsin-cli-*.jar"))
    return jars[-1] if jars else None


class OpsinProcess:
    """One OPSIN JVM kept running for the life of this process: names in, SMILES out.

    OPSIN's command line answers each input line with one output line (empty when it cannot
    parse the name) and flushes it, so the JVM starts once, not once per batch.
    """

    BATCH = 256  # lines per write to the JVM
    JVM_OPTIONS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xms16m", "-Xmx256m")
    """The JVM's options: one garbage-collector thread, and only the quick (C1) compiler. OPSIN
    answers each name in well under a millisecond, so the optimising compiler and parallel
    collector cost more CPU than they save: 18,052 names took 1.8 s of CPU instead of 4.2-4.7 s
    (the answers are the same). The heap starts small and grows only as what OPSIN keeps
    needs (a name's parse is garbage at the next): the default first heap, a 64th of the
    machine's memory, let garbage fill hundreds of megabytes before the first collection
    (63,000 names: 207 MiB resident, 112 MiB so, the same answers and CPU)."""

    def __init__(self, jar: Path) -> None:
        self.jar = jar
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()  # the service's threads share the one JVM

    def start(self) -> subprocess.Popen:
        """The running JVM, started if it is not (safe from any thread)."""
        with self._lock:
            return self._running()

    def _running(self) -> subprocess.Popen:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                ["java", *self.JVM_OPTIONS, "-jar", str(self.jar), "-osmi"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                encoding="utf-8",
                bufsize=1,
            )
        return self._process

    def convert(self, lines: Sequence[str]) -> Iterator[str | None]:
        """The SMILES of each line (None where OPSIN cannot parse it), in order, as they come.

        A thread writes the lines while the caller reads the answers: the caller's work on one
        answer overlaps the JVM's on the next, and neither pipe fills while the other waits.
        Read them all: a caller that stops early stops the JVM (the next call starts another).
        """
        with self._lock:
            process = self._running()
            feeder = threading.Thread(target=self._feed, args=(process, lines), daemon=True)
            feeder.start()
            answered = 0
            try:
                for _ in lines:
                    answer = process.stdout.readline()
                    if not answer.endswith("\n"):
                        log.warning(
                            "OPSIN stopped answering; %d names left unconverted",
                            len(lines) - answered,
                        )
                        break
                    answered += 1
                    yield answer.strip() or None
                yield from [None] * (len(lines) - answered)
            finally:
                if answered < len(lines):  # a dead JVM, or answers nobody will read
                    self._stop()
                feeder.join()

    def _feed(self, process: subprocess.Popen, lines: Sequence[str]) -> None:
        try:
            for start in range(0, len(lines), self.BATCH):
                process.stdin.write(
                    "".join(f"{line}\n" for line in lines[start : start + self.BATCH])
                )
                process.stdin.flush()
        except Exception:  # the JVM died or was stopped, or a line could not be written:
            process.kill()  # the reader then meets the end of the answers, not a wait

    def close(self, wait: float = 5.0) -> None:
        """Stop the JVM; after ``wait`` seconds without the lock (a caller holding it never
        finished reading), stop it anyway."""
        locked = self._lock.acquire(timeout=wait)
        try:
            self._stop()
        finally:
            if locked:
                self._lock.release()

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.kill()  # first: a feeder blocked on a full pipe gets its error and ends
            process.wait()
            with contextlib.suppress(OSError, ValueError):
                process.stdin.close()


_MAKING = threading.Lock()


def _opsin() -> OpsinProcess | None:
    """The one OPSIN of this process (None without Java), made once even when threads race."""
    with _MAKING:
        return _make_opsin()


@cache
def _make_opsin() -> OpsinProcess | None:
    jar = opsin_jar()
    if not java_available() or jar is None:
        return None
    process = OpsinProcess(jar)
    atexit.register(process.close)
    return process


def _after_fork_in_child() -> None:
    """In a forked child (an ingest's judging workers), the parent's JVM stays the parent's:
    the child neither writes to its pipes nor stops it, and starts its own when it needs one."""
    if _make_opsin.cache_info().currsize and (opsin := _make_opsin()) is not None:
        opsin._process = None
        opsin._lock = threading.Lock()  # a thread of the parent may have held it at the fork


os.register_at_fork(after_in_child=_after_fork_in_child)


def start_opsin() -> None:
    """Start the JVM now, without waiting: it takes about 0.4 s, which a caller that will
    need OPSIN soon (an ingest) can spend reading."""
    if (opsin := _opsin()) is not None:
        opsin.start()


def names_to_smiles(names: Sequence[str]) -> Iterator[str | None]:
    """Convert names with OPSIN, lazily; None where it cannot parse a name; aligned with
    ``names`` (read them all, see :meth:`OpsinProcess.convert`).

    All names go to one long-lived JVM. Without Java every entry is None.
    """
    opsin = _opsin() if names else None
    if opsin is None:
        return (None for _ in names)
    return opsin.convert([_one_line(name) or "-" for name in names])


def first_parsable(candidates: Iterable[Sequence[str]]) -> list[tuple[str, str] | None]:
    """For each group of alternative spellings, the first (spelling, SMILES) OPSIN parses.

    All spellings of all groups go to OPSIN in one batch.
    """
    groups = [list(dict.fromkeys(group)) for group in candidates]
    flat = [spelling for group in groups for spelling in group]
    parsed = dict(zip(flat, names_to_smiles(flat), strict=True))
    return [next(((s, parsed[s]) for s in group if parsed.get(s)), None) for group in groups]
