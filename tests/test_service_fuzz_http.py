"""Hostile raw requests against the live server (:mod:`subsmatch.service.fuzz`), seeded so that
a failure repeats: none is answered 5xx, and the server still answers a valid check after."""

from __future__ import annotations

import http.client
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from subsmatch.service.fuzz import hostile_requests
from subsmatch.service.testing import running_server
from subsmatch.store.access import create_token
from subsmatch.store.engine import make_engine

SEED = 20261207
REQUESTS = 120  # the benchmark (benchmarks/fuzz_http.py) sends thousands
MULTIPART = {"Content-Type": "multipart/form-data; boundary=b"}


def bearer(live: dict, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {live['tokens'][role]}"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("fuzz_http")
    url = f"sqlite:///{folder / 'x.sqlite'}"
    engine = make_engine(url)
    roles = ("customs", "lab", "analyst", "admin")
    tokens = {role: create_token(engine, f"fuzz-{role}", role) for role in roles}
    with running_server(url, max_upload_mb=1, log=folder / "server.log") as base:
        yield {"base": base, "tokens": tokens}


def test_no_hostile_request_is_answered_5xx(live: dict) -> None:
    statuses: Counter[int] = Counter()
    failures = []
    with httpx.Client(base_url=live["base"], timeout=120) as http:
        for request in hostile_requests(SEED, REQUESTS, live["tokens"]):
            http.cookies.clear()
            response = http.request(
                request.method, request.path, headers=request.headers, content=request.body
            )
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(f"{request.label}: {response.status_code} {response.text[:200]}")
        assert not failures, "\n".join(failures)
        after = http.post(
            "/check",
            json={"query": "MDMA"},
            headers=bearer(live, "customs"),
        )
    assert after.status_code == 200 and after.json()["status"] == "controlled"
    # the mix reached past the gate: refusals of every kind, and some accepted requests
    assert {200, 401, 422} <= set(statuses), statuses


def test_a_refused_upload_leaves_its_connection_usable(live: dict) -> None:
    """A request without a token is answered 401 before its body is read; the next request on
    the same kept-alive connection is answered all the same
    (uvicorn reads and drops the rest of the body)."""
    host, port = live["base"].removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        for size in (0, 100_000, 900_000):
            connection.request("POST", "/ingest", body=b"x" * size, headers=MULTIPART)
            refused = connection.getresponse()
            refused.read()
            assert refused.status == 401
            connection.request("GET", "/findings", headers=bearer(live, "analyst"))
            answered = connection.getresponse()
            answered.read()
            assert answered.status == 200
    finally:
        connection.close()
