"""Load on the service: concurrent clients checking names against a server on loopback.

    .venv/bin/python benchmarks/load.py [--clients 50] [--seconds 30] [--names 500] [--upload-mb 36]

Starts `subsmatch serve` on a free loopback port over a temporary database, creates a customs
token, then runs N asynchronous clients (httpx) that each POST /check {"query": NAME} in a
loop for the given time, NAMES drawn from the reference names (so the first requests resolve
afresh and later ones are cache hits, as in a working day). Prints requests/s, p50/p90/p99
latency and the errors, which must be 0 (exit code 1 otherwise). Bounded: at most
--max-requests requests, --seconds of load, loopback only.

With --upload-mb N, a lab uploads a LIMS extract of N MB (the shipped example's rows over and
over, each its own case) while the clients check: the checks must not fail or wait behind the
ingest's write lock, and the upload must be stored (its status and time are printed).

Memory (Linux, from /proc, sampled every 0.2 s): the server process's resident memory before,
at its peak and after the load (--settle seconds after the upload is stored), and the same for
its child processes together (the upload worker, its OPSIN JVM).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from subsmatch.reference.lists import load
from subsmatch.service.testing import server_process
from subsmatch.store.access import create_token
from subsmatch.store.engine import make_engine

LIMS = Path(__file__).resolve().parents[1] / "subsmatch" / "examples" / "lims_case_extract.csv"


PAGE = 4096
SAMPLE_EVERY = 0.2  # seconds between memory samples


def rss(pid: int) -> int:
    """Resident bytes of a process (0 when it is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (children, theirs ...)."""
    below: list[int] = []
    parents = {pid}
    while parents:
        children = set()
        for parent in parents:
            for task in Path(f"/proc/{parent}/task").glob("*"):
                with suppress(OSError):
                    children |= {int(c) for c in (task / "children").read_text().split()}
        below += sorted(children)
        parents = children
    return below


@dataclass
class Memory:
    """Resident memory of the server and of its children together, sampled in a thread."""

    pid: int
    server: list[int] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)  # every child process seen
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> tuple[int, int]:
        below = descendants(self.pid)
        self.seen.update(below)
        return rss(self.pid), sum(rss(child) for child in below)

    def run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            server, children = self.sample()
            self.server.append(server)
            self.children.append(children)

    @contextmanager
    def watching(self) -> object:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


def mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def pick_names(n: int, seed: int) -> list[str]:
    """``n`` reference names of 3 to 40 characters, drawn reproducibly."""
    names = sorted({name for name, _ in load().names if 3 <= len(name) <= 40})
    return random.Random(seed).sample(names, min(n, len(names)))


async def client(
    http: httpx.AsyncClient,
    names: list[str],
    rng: random.Random,
    deadline: float,
    busy: asyncio.Event,
    budget: list[int],
    latencies: list[float],
    errors: list[str],
) -> None:
    """One client: check random names until the deadline (and while ``busy`` is set) or the
    shared budget runs out."""
    while (time.monotonic() < deadline or busy.is_set()) and budget[0] > 0:
        budget[0] -= 1
        started = time.perf_counter()
        try:
            response = await http.post("/check", json={"query": rng.choice(names)})
            if response.status_code != 200:
                errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
        except httpx.HTTPError as error:
            errors.append(f"{type(error).__name__}: {error}")
        latencies.append(time.perf_counter() - started)


async def run_load(
    base: str,
    token: str,
    names: list[str],
    clients: int,
    seconds: float,
    max_requests: int,
    busy: asyncio.Event | None = None,
) -> tuple[list[float], list[str], float]:
    """Latencies, errors and the wall time of ``clients`` concurrent clients, for ``seconds``
    and as long as ``busy`` is set."""
    busy = busy or asyncio.Event()
    # idle connections are dropped before the server's 5 s keep-alive timeout closes them
    limits = httpx.Limits(
        max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=4.0
    )
    latencies: list[float] = []
    errors: list[str] = []
    budget = [max_requests]
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(
                client(http, names, random.Random(i), deadline, busy, budget, latencies, errors)
                for i in range(clients)
            )
        )
        return latencies, errors, time.monotonic() - started


def lims_extract(megabytes: float) -> bytes:
    """A LIMS extract of about ``megabytes``: the example's rows repeated, case numbers made
    unique so that every row is a finding of its own case."""
    header, *rows = LIMS.read_text(encoding="utf-8-sig").splitlines()
    out, size, n = [header], len(header), 0
    while size < megabytes * 2**20:
        n += 1
        for row in rows:
            line = row.replace("24-01873", f"24-{n:07d}", 1)
            out.append(line)
            size += len(line) + 2
    return ("\r\n".join(out) + "\r\n").encode()


async def upload(base: str, token: str, data: bytes) -> tuple[int, str, float]:
    """POST /ingest of ``data``: status, what the summary says, seconds."""
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=3600) as http:
        response = await http.post(
            "/ingest",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": ("load_extract.csv", data, "text/csv")},
        )
    said = response.json()
    summary = (
        f"{said.get('status')}: {said.get('findings')} findings, {said.get('rejections')} "
        "rejections"
        if response.status_code == 200
        else str(said.get("detail"))[:200]
    )
    return response.status_code, summary, time.perf_counter() - started


async def load_with_upload(
    base: str, tokens: dict[str, str], names: list[str], args: argparse.Namespace
) -> tuple[list[float], list[str], float, tuple[int, str, float] | None]:
    """The check load, and the upload beside it when asked for."""
    busy = asyncio.Event()
    checks = run_load(
        base, tokens["customs"], names, args.clients, args.seconds, args.max_requests, busy
    )
    if not args.upload_mb:
        return (*await checks, None)
    data = lims_extract(args.upload_mb)

    async def uploading() -> tuple[int, str, float]:
        busy.set()  # the checks go on until the upload is stored
        try:
            return await upload(base, tokens["lab"], data)
        finally:
            busy.clear()

    (latencies, errors, wall), uploaded = await asyncio.gather(checks, uploading())
    return latencies, errors, wall, uploaded


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of ``values``."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--names", type=int, default=500)
    parser.add_argument("--max-requests", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--upload-mb", type=float, default=0.0)
    parser.add_argument("--max-upload-mb", type=int, default=50)
    parser.add_argument("--settle", type=float, default=5.0)
    args = parser.parse_args()
    names = pick_names(args.names, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'load.sqlite'}"
        engine = make_engine(url)
        tokens = {role: create_token(engine, f"load-{role}", role) for role in ("customs", "lab")}
        with server_process(
            url, max_upload_mb=args.max_upload_mb, log=Path(folder) / "server.log"
        ) as (base, process):
            memory = Memory(process.pid)
            before = memory.sample()
            with memory.watching():
                latencies, errors, wall, uploaded = asyncio.run(
                    load_with_upload(base, tokens, names, args)
                )
            time.sleep(args.settle)
            after = memory.sample()
            remaining = set(descendants(process.pid))
    ms = [v * 1000 for v in latencies]
    print(f"{args.clients} clients, {wall:.1f} s, {len(names)} distinct names")
    print(f"requests {len(latencies):,}  ({len(latencies) / wall:,.0f}/s)")
    print(
        f"latency ms: p50 {percentile(ms, 50):.1f}  p90 {percentile(ms, 90):.1f}  "
        f"p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}"
    )
    print(f"errors {len(errors)}")
    if uploaded is not None:
        status, summary, seconds = uploaded
        print(f"upload of {args.upload_mb:g} MB: HTTP {status} in {seconds:.1f} s ({summary})")
        if status != 200:
            errors.append(f"upload: HTTP {status}")
    for what, index in (("server", 0), ("server's children (upload worker, OPSIN)", 1)):
        peak = max((memory.server, memory.children)[index], default=0)
        print(
            f"memory of the {what}: before {mib(before[index])}, peak {mib(peak)}, "
            f"{args.settle:g} s after {mib(after[index])}"
        )
    gone = memory.seen - remaining
    print(f"child processes seen {len(memory.seen)}, gone by the end {len(gone)}")
    for error in sorted(set(errors))[:5]:
        print(f"  {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
