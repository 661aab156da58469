"""Load on the service: concurrent clients checking names against a server on loopback.

    .venv/bin/python benchmarks/load.py [--clients 50] [--seconds 30] [--names 500] [--upload-mb 36]
        [--client raw|httpx] [--timeline]

Starts `subsmatch serve` on a free loopback port over a temporary database, creates a customs
token, then runs N asynchronous clients (a lean HTTP/1.1 client, or --client httpx) that each
POST /check {"query": NAME} in a loop for the given time, NAMES drawn from the reference names
(so the first requests resolve afresh and later ones are cache hits, as in a working day). Prints
requests/s, p50/p95/p99 latency (overall and while the upload ran) and the errors, which must
be 0 (exit code 1 otherwise). Bounded: at most --max-requests requests, --seconds of load,
loopback only.

With --upload-mb N, a lab uploads a LIMS extract of N MB (the shipped example's rows over and
over, each its own case) while the clients check: the checks must not fail or wait behind the
ingest's write lock, and the upload must be stored (its status and time are printed).

Memory (Linux, from /proc, sampled every 0.2 s): the server process's resident memory before,
at its peak and after the load (--settle seconds after the upload is stored), and the same for
its child processes together (the upload worker, its OPSIN JVM). CPU (from /proc): the cores
each party used on average (this load generator, the server, its children, the rest of the
machine) and the server's CPU per check: on a shared machine the generator's own CPU is taken
from the service it measures. The clients are therefore a lean HTTP/1.1 client by default
(``--client raw``, about 0.1 core for 300 requests/s): httpx (``--client httpx``) costs about
7 ms of CPU per request, more than the server, and on two cores measured mostly itself (0.86
cores of 2 against the server's 0.41). Real clients run on other machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
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


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """CPU time (user + system) a process has used, with ``reaped`` that of its children it
    has waited for too (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    used = fields[11:15] if reaped else fields[11:13]  # utime stime [cutime cstime]
    return sum(int(v) for v in used) / TICK


def machine_cpu_seconds() -> float:
    """CPU time every core of the machine has spent busy (not idle, not waiting on I/O)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


@dataclass
class Cpu:
    """CPU used from one moment to another, by whom: this process (the load generator), the
    server (its request threads), its children (the upload worker, OPSIN) and the rest of
    the machine (other users)."""

    server: int
    at: dict[str, float] = field(default_factory=dict)

    def sample(self) -> dict[str, float]:
        own = resource.getrusage(resource.RUSAGE_SELF)
        family = cpu_seconds(self.server, reaped=True) + sum(
            cpu_seconds(child, reaped=True) for child in descendants(self.server)
        )
        server = cpu_seconds(self.server)
        return {
            "wall": time.monotonic(),
            "load generator": own.ru_utime + own.ru_stime,
            "server": server,
            "upload worker and OPSIN": family - server,
            "machine": machine_cpu_seconds(),
        }

    def used(self, before: dict[str, float], after: dict[str, float]) -> str:
        """Cores used on average between two samples, by whom."""
        wall = after["wall"] - before["wall"]
        shares = {k: (after[k] - before[k]) / wall for k in before if k != "wall"}
        shares["rest of the machine"] = shares.pop("machine") - sum(shares.values())
        return ", ".join(f"{who} {cores:.2f}" for who, cores in shares.items())


def mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def pick_names(n: int, seed: int) -> list[str]:
    """``n`` reference names of 3 to 40 characters, drawn reproducibly."""
    names = sorted({name for name, _ in load().names if 3 <= len(name) <= 40})
    return random.Random(seed).sample(names, min(n, len(names)))


@dataclass
class Checks:
    """What the clients saw: each check's latency (seconds) and whether the upload was running
    when it began, and the errors."""

    latencies: list[float] = field(default_factory=list)
    during_upload: list[bool] = field(default_factory=list)
    began: list[float] = field(default_factory=list)  # time.monotonic() at each check's start
    errors: list[str] = field(default_factory=list)


class Connection:
    """A lean HTTP/1.1 client on one kept-alive connection, for the load only: POST a JSON
    body, read the status and the body (Content-Length framing, as the server answers).

    httpx spent about 7 ms of CPU per request, more than the server, on the same two cores:
    ``--client raw`` sends the very same requests for a fraction of that, so that what is
    measured is the service rather than its load generator (see benchmarks/README.md)."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.address = (host, port)
        self.head = (
            f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(*self.address)
        self.writer.write(
            b"POST %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s"
            % (path.encode(), self.head, len(body), body)
        )
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            status = int(lines[0].split()[1])
            fields = dict(line.split(b":", 1) for line in lines[1:] if b":" in line)
            length = int(fields.get(b"content-length", fields.get(b"Content-Length", b"0")))
            answer = await self.reader.readexactly(length)
            if fields.get(b"connection", b"").strip().lower() == b"close":
                self.close()
        except (OSError, asyncio.IncompleteReadError, ValueError):
            self.close()
            raise
        return status, answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


Send = Callable[[str], Awaitable[tuple[int, str]]]  # a query -> the answer's status and text
FAILED = (httpx.HTTPError, OSError, asyncio.IncompleteReadError, ValueError)


async def client(
    send: Send,
    names: list[str],
    rng: random.Random,
    deadline: float,
    busy: asyncio.Event,
    budget: list[int],
    seen: Checks,
) -> None:
    """One client: check random names until the deadline (and while ``busy`` is set) or the
    shared budget runs out."""
    while (time.monotonic() < deadline or busy.is_set()) and budget[0] > 0:
        budget[0] -= 1
        uploading, began = busy.is_set(), time.monotonic()
        started = time.perf_counter()
        try:
            status, answer = await send(rng.choice(names))
            if status != 200:
                seen.errors.append(f"HTTP {status}: {answer[:200]}")
        except FAILED as error:
            seen.errors.append(f"{type(error).__name__}: {error}")
        seen.latencies.append(time.perf_counter() - started)
        seen.during_upload.append(uploading)
        seen.began.append(began)


def httpx_sender(http: httpx.AsyncClient) -> Send:
    async def send(query: str) -> tuple[int, str]:
        response = await http.post("/check", json={"query": query})
        return response.status_code, response.text

    return send


def raw_sender(connection: Connection) -> Send:
    async def send(query: str) -> tuple[int, str]:
        status, answer = await connection.post("/check", json.dumps({"query": query}).encode())
        return status, answer.decode(errors="replace")

    return send


async def run_load(
    base: str,
    token: str,
    names: list[str],
    clients: int,
    seconds: float,
    max_requests: int,
    busy: asyncio.Event | None = None,
    kind: str = "httpx",
) -> tuple[Checks, float]:
    """What ``clients`` concurrent clients saw, and the wall time, for ``seconds`` and as long
    as ``busy`` is set."""
    busy = busy or asyncio.Event()
    # idle connections are dropped before the server's 5 s keep-alive timeout closes them
    limits = httpx.Limits(
        max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=4.0
    )
    seen = Checks()
    budget = [max_requests]
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        host, port = base.removeprefix("http://").split(":")
        connections = [Connection(host, int(port), token) for _ in range(clients)]
        senders = [
            httpx_sender(http) if kind == "httpx" else raw_sender(connection)
            for connection in connections
        ]
        started = time.monotonic()
        deadline = started + seconds
        try:
            await asyncio.gather(
                *(
                    client(send, names, random.Random(i), deadline, busy, budget, seen)
                    for i, send in enumerate(senders)
                )
            )
        finally:
            for connection in connections:
                connection.close()
        return seen, time.monotonic() - started


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
) -> tuple[Checks, float, tuple[int, str, float] | None]:
    """The check load, and the upload beside it when asked for."""
    busy = asyncio.Event()
    checks = run_load(
        base,
        tokens["customs"],
        names,
        args.clients,
        args.seconds,
        args.max_requests,
        busy,
        args.client,
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

    (seen, wall), uploaded = await asyncio.gather(checks, uploading())
    return seen, wall, uploaded


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of ``values``."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def latencies(seconds: list[float]) -> str:
    """p50, p95, p99 and the longest of latencies, in ms."""
    if len(seconds) < 2:
        return "too few"
    ms = [v * 1000 for v in seconds]
    return " ".join(f"p{q} {percentile(ms, q):,.0f}" for q in (50, 95, 99)) + f" max {max(ms):,.0f}"


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
    parser.add_argument(
        "--client",
        choices=("raw", "httpx"),
        default="raw",
        help="the clients' HTTP stack: httpx, or a lean one that costs the shared CPU less",
    )
    parser.add_argument("--timeline", action="store_true", help="latencies per 5 s")
    args = parser.parse_args()
    names = pick_names(args.names, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'load.sqlite'}"
        engine = make_engine(url)
        tokens = {role: create_token(engine, f"load-{role}", role) for role in ("customs", "lab")}
        with server_process(
            url, max_upload_mb=args.max_upload_mb, log=Path(folder) / "server.log"
        ) as (base, process):
            memory, cpu = Memory(process.pid), Cpu(process.pid)
            before, cpu_before = memory.sample(), cpu.sample()
            with memory.watching():
                seen, wall, uploaded = asyncio.run(load_with_upload(base, tokens, names, args))
            cpu_after = cpu.sample()
            time.sleep(args.settle)
            after = memory.sample()
            remaining = set(descendants(process.pid))
    errors = seen.errors
    print(
        f"{args.clients} clients ({args.client}), {wall:.1f} s, {len(names)} distinct names, "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )
    print(f"requests {len(seen.latencies):,}  ({len(seen.latencies) / wall:,.0f}/s)")
    print(f"latency ms: {latencies(seen.latencies)}")
    if uploaded is not None:
        for label, when in (("while the upload ran", True), ("after it", False)):
            chosen = [
                v for v, d in zip(seen.latencies, seen.during_upload, strict=True) if d == when
            ]
            print(f"  {label} ({len(chosen):,} requests): {latencies(chosen)}")
    if args.timeline:
        start = min(seen.began)
        for window in range(0, int(wall) + 1, 5):
            chosen = [
                v
                for v, b in zip(seen.latencies, seen.began, strict=True)
                if window <= b - start < window + 5
            ]
            print(f"  {window:3d}-{window + 5:3d} s ({len(chosen):,}): {latencies(chosen)}")
    print(f"errors {len(errors)}")
    print(f"cores used on average (of {os.cpu_count()}): {cpu.used(cpu_before, cpu_after)}")
    server_cpu = cpu_after["server"] - cpu_before["server"]
    print(f"server CPU per check: {server_cpu / len(seen.latencies) * 1000:.2f} ms")
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
