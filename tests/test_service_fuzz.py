"""Property-based tests against the live server: no input makes it answer 500.

Schemathesis generates requests from /openapi.json for every operation; Hypothesis adds
arbitrary JSON bodies, query texts and raw query strings. Example counts are bounded so that
the file runs in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subsmatch.service.testing import running_server
from subsmatch.store.access import create_token
from subsmatch.store.engine import make_engine

EXAMPLES = 60
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'x.sqlite'}"
    engine = make_engine(url)
    tokens = {role: create_token(engine, f"fuzz-{role}", role) for role in ("lab", "analyst")}
    with running_server(url, max_upload_mb=1, log=folder / "server.log") as base:
        yield {"base": base, "tokens": tokens}


def bearer(live: dict, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {live['tokens'][role]}"}


def test_schema_driven_requests_never_fail_on_the_server(live: dict) -> None:
    """Every operation of /openapi.json, with generated parameters and bodies."""
    schema = schemathesis.openapi.from_url(
        f"{live['base']}/openapi.json", headers=bearer(live, "analyst"), timeout=30
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {
        "POST /check",
        "POST /ingest",
        "GET /findings",
        "GET /cases/{case_id}",
        "GET /cases/{case_id}/rejections",
        "GET /trends",
    }
    for operation in operations:
        fuzz_operation(live, operation)


def fuzz_operation(live: dict, operation) -> None:
    """Call one operation with generated cases; readers read, labs check and upload."""
    headers = bearer(live, "analyst" if operation.method.upper() == "GET" else "lab")

    @given(case=operation.as_strategy())
    @FAST
    def call(case) -> None:
        response = case.call(base_url=live["base"], headers=headers, timeout=60)
        assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
        if response.status_code == 200:
            case.validate_response(response)  # the answer matches its documented model

    call()


@given(body=JSON)
@FAST
def test_arbitrary_json_bodies_to_check(live: dict, body: object) -> None:
    response = httpx.post(
        f"{live['base']}/check", json=body, headers=bearer(live, "lab"), timeout=60
    )
    assert response.status_code in (200, 422), response.text[:500]


@given(text=st.text(min_size=1, max_size=300))
@FAST
def test_arbitrary_query_texts_get_a_verdict(live: dict, text: str) -> None:
    response = httpx.post(
        f"{live['base']}/check",
        json={"queries": [text, "MDMA"]},
        headers=bearer(live, "lab"),
        timeout=60,
    )
    if not text.strip():
        assert response.status_code == 422
        return
    assert response.status_code == 200, response.text[:500]
    first, mdma = response.json()
    assert first["query"] == text and mdma["status"] == "controlled"


@given(
    path=st.sampled_from(["/findings", "/trends", "/cases/x"]),
    pairs=st.lists(
        st.tuples(
            st.sampled_from(
                ["limit", "since", "until", "status", "by", "flagged", "case", "context", "country"]
            )
            | st.text(max_size=8),
            st.text(max_size=20),
        ),
        max_size=4,
    ),
)
@FAST
def test_arbitrary_query_strings_to_reads(
    live: dict, path: str, pairs: list[tuple[str, str]]
) -> None:
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
    response = httpx.get(
        f"{live['base']}{path}?{query}", headers=bearer(live, "analyst"), timeout=60
    )
    assert response.status_code in (200, 404, 422), response.text[:500]
