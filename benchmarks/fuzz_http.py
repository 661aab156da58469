"""Hostile HTTP requests against a live server: how many, how answered, and 0 answered 5xx.

    .venv/bin/python benchmarks/fuzz_http.py [--requests 2000] [--seed 7] [--clients 4]

Starts `subsmatch serve` on a free loopback port over a temporary database, with a token of
each role, and sends requests drawn reproducibly from the seed by
:func:`subsmatch.service.fuzz.hostile_requests` (damaged JSON, lone surrogates, deep nesting,
broken multipart and workbooks, junk query strings, missing or foreign tokens) from a few
concurrent clients. Prints the answers per status, the rate, and every 5xx with the label of
its request (exit code 1 if there is any), then the server's audit rows per action (requests
without a valid token are aggregated, not one row each).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from subsmatch.service.fuzz import HostileRequest, hostile_requests
from subsmatch.service.testing import running_server
from subsmatch.store.access import audit_events, create_token
from subsmatch.store.engine import make_engine

ROLES = ("customs", "lab", "analyst", "admin")


async def send_all(
    base: str, requests: list[HostileRequest], clients: int
) -> tuple[Counter, list[str]]:
    """Send ``requests`` from ``clients`` concurrent clients: statuses and the 5xx."""
    statuses: Counter = Counter()
    failures: list[str] = []
    queue: asyncio.Queue[HostileRequest] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)

    async def client() -> None:
        # idle connections dropped before the server's 5 s keep-alive timeout closes them (else
        # a request sent on a connection the server is closing fails on the client's side)
        limits = httpx.Limits(keepalive_expiry=4.0)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
            while not queue.empty():
                request = queue.get_nowait()
                http.cookies.clear()
                try:
                    response = await http.request(
                        request.method, request.path, headers=request.headers, content=request.body
                    )
                except httpx.HTTPError as error:
                    statuses[type(error).__name__] += 1
                    failures.append(f"{request.label}: {type(error).__name__}: {error}")
                    continue
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    failures.append(
                        f"{request.label}: {response.status_code} {response.text[:200]}"
                    )

    await asyncio.gather(*(client() for _ in range(clients)))
    return statuses, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'fuzz.sqlite'}"
        engine = make_engine(url)
        tokens = {role: create_token(engine, f"fuzz-{role}", role) for role in ROLES}
        requests = list(hostile_requests(args.seed, args.requests, tokens))
        with running_server(url, max_upload_mb=1, log=Path(folder) / "server.log") as base:
            started = time.monotonic()
            statuses, failures = asyncio.run(send_all(base, requests, args.clients))
            wall = time.monotonic() - started
        audit = Counter(event["action"] for event in audit_events(engine, limit=None))
    print(f"{len(requests):,} requests (seed {args.seed}), {args.clients} clients, {wall:.1f} s")
    print("answers: " + ", ".join(f"{k}: {n}" for k, n in sorted(statuses.items(), key=str)))
    print("audit rows: " + ", ".join(f"{k}: {n}" for k, n in sorted(audit.items())))
    print(f"5xx or failed: {len(failures)}")
    for failure in failures[:20]:
        print(f"  {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
