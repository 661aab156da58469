"""The HTTP API against a real server process on loopback: auth, roles, check, ingest, reads,
limits and the audit trail."""

from __future__ import annotations

import hashlib
import html
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text, update

from subsmatch.errors import OPTIONS
from subsmatch.service.auth import SESSION_LIFETIME
from subsmatch.service.testing import running_server
from subsmatch.store.access import TOKEN_CACHE_TTL, audit_events, create_token, revoke_token
from subsmatch.store.engine import make_engine
from subsmatch.store.models import ApiToken, PageSession
from tests.helpers import until

EXAMPLES = Path(__file__).resolve().parents[1] / "subsmatch" / "examples"
INGEST = EXAMPLES.parent / "ingest"
FIELD_CSV = EXAMPLES / "trunarc_raman.csv"
LAB_CSV = EXAMPLES / "lims_case_extract.csv"
COCAINE = "COC(=O)C1C(OC(=O)c2ccccc2)CC2CCC1N2C"
ROLES = ("customs", "lab", "analyst", "admin")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A server on a fresh database with one token per role, a revoked one, 1 MB uploads."""
    folder = tmp_path_factory.mktemp("service")
    url = f"sqlite:///{folder / 'x.sqlite'}"
    engine = make_engine(url)
    tokens = {role: create_token(engine, f"{role}-1", role) for role in ROLES}
    tokens["revoked"] = create_token(engine, "gone", "analyst")
    revoke_token(engine, "gone")
    with running_server(url, max_upload_mb=1, log=folder / "server.log") as base:
        yield {"base": base, "engine": engine, "tokens": tokens}


def client(server: dict, role: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {server['tokens'][role]}"} if role else {}
    return httpx.Client(base_url=server["base"], headers=headers, timeout=60)


@contextmanager
def logged_in(server: dict, role: str) -> Iterator[httpx.Client]:
    """A client with a page session of ``role`` (logged in with its token on the form)."""
    with httpx.Client(base_url=server["base"], timeout=60) as http:
        assert http.post("/login", data={"token": server["tokens"][role]}).status_code == 303
        yield http


def csrf_of(http: httpx.Client) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', http.get("/").text).group(1)


def audit_until(engine, holds: Callable[[list[dict]], bool], within: float = 120.0) -> list:
    """The audit trail once ``holds`` is true of it (the server writes it in the background,
    as soon as it can); the last trail read if it never is (the assertion after says what is
    missing)."""
    deadline = time.monotonic() + within
    while True:
        events = audit_events(engine)
        if holds(events) or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def upload(
    server: dict, role: str, path: Path, name: str | None = None, **fields: str
) -> httpx.Response:
    with client(server, role) as http:
        return http.post(
            "/ingest", files={"file": (name or path.name, path.read_bytes())}, data=fields
        )


@pytest.fixture(scope="module")
def uploads(server: dict) -> dict[str, httpx.Response]:
    """The field report uploaded by customs, the lab report by customs and by lab, again, and
    by customs once the lab has stored it."""
    return {
        "field": upload(server, "customs", FIELD_CSV),
        "lab_by_customs": upload(server, "customs", LAB_CSV),
        "lab_by_lab": upload(server, "lab", LAB_CSV),
        "field_again": upload(server, "lab", FIELD_CSV, name="../../etc/copy.csv"),
        "lab_by_customs_after": upload(server, "customs", LAB_CSV),
    }


# --- authentication and roles ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/findings"),
        ("POST", "/check"),
        ("POST", "/ingest"),
        ("GET", "/trends"),
        ("GET", "/cases/x"),
        ("GET", "/cases/x/rejections"),
        ("GET", "/openapi.json"),
        ("GET", "/"),
        ("GET", "/nowhere"),
    ],
)
def test_no_token_is_401_with_bearer_challenge(server: dict, method: str, path: str) -> None:
    with client(server) as http:
        response = http.request(method, path, content=b"{not json")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer smt_not-a-real-token",
        "Bearer x",
        "Basic dXNlcjpwYXNz",
        "smt_bare",
    ],
)
def test_bad_tokens_are_401(server: dict, authorization: str) -> None:
    with client(server) as http:
        response = http.post(
            "/check", json={"query": "MDMA"}, headers={"Authorization": authorization}
        )
    assert response.status_code == 401


def test_revoked_token_is_401(server: dict) -> None:
    with client(server, "revoked") as http:
        assert http.get("/findings").status_code == 401


@pytest.mark.parametrize(
    ("role", "method", "path"),
    [
        ("customs", "GET", "/findings"),
        ("customs", "GET", "/cases/24-01873"),
        ("lab", "GET", "/cases/24-01873/rejections"),
        ("lab", "GET", "/trends"),
        ("analyst", "POST", "/ingest"),
        ("admin", "POST", "/check"),
        ("admin", "POST", "/ingest"),
    ],
)
def test_outside_the_role_is_403(server: dict, role: str, method: str, path: str) -> None:
    with client(server, role) as http:
        response = http.request(method, path, json={"query": "MDMA"})
    assert response.status_code == 403
    assert role in response.json()["detail"]


# --- check ---------------------------------------------------------------------------------------


def test_check_one_query(server: dict) -> None:
    with client(server, "customs") as http:
        response = http.post("/check", json={"query": "4-CMC"})
    assert response.status_code == 200
    verdict = response.json()
    assert verdict["status"] == "controlled"
    assert verdict["resolved"]["inchikey"] == "UEJBEYOXRNGPEI-UHFFFAOYSA-N"
    assert {"query", "jurisdictions", "generic", "analogues", "data_version"} <= set(verdict)


def test_check_batch_keeps_order_and_tells_isomers_apart(server: dict) -> None:
    with client(server, "lab") as http:
        response = http.post(
            "/check", json={"queries": ["3-CMC", "4-CMC", COCAINE], "jurisdictions": ["nl", "DE"]}
        )
    assert response.status_code == 200
    rows = response.json()
    assert [r["query"] for r in rows] == ["3-CMC", "4-CMC", COCAINE]
    three, four, cocaine = rows
    assert three["resolved"]["inchikey"] != four["resolved"]["inchikey"]
    nl = {r["query"]: next(j for j in r["jurisdictions"] if j["code"] == "NL") for r in rows}
    assert nl["3-CMC"]["status"] == "controlled"  # named on List I
    # not on the loaded NL lists (2015), but UN 1971 Schedule II binds the Netherlands
    assert nl["4-CMC"]["status"] == "controlled"
    assert [d["rule_id"] for d in nl["4-CMC"]["derived"]] == ["UN-obligation"]
    assert cocaine["resolved"]["name"] == "Cocaine" and cocaine["status"] == "controlled"
    assert {j["code"] for r in rows for j in r["jurisdictions"]} == {"NL", "DE"}


def test_check_as_of_is_echoed(server: dict) -> None:
    with client(server, "analyst") as http:
        verdict = http.post("/check", json={"query": "MDMA", "as_of": "2016-01-01"}).json()
    assert verdict["as_of"] == "2016-01-01"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"queries": ["MDMA"] * 1001}, 422),
        ({"query": "MDMA", "queries": ["MDMA"]}, 422),
        ({}, 422),
        ({"query": ""}, 422),
        ({"queries": []}, 422),
        ({"query": "MDMA", "jurisdictions": ["XX"]}, 422),
        ({"query": "MDMA", "as_of": "yesterday"}, 422),
        ({"query": "MDMA", "extra": 1}, 422),
        ({"query": "x" * 5_000_000}, 413),
    ],
)
def test_check_rejects_bad_bodies(server: dict, body: dict, status: int) -> None:
    with client(server, "customs") as http:
        assert http.post("/check", json=body).status_code == status


# --- ingest --------------------------------------------------------------------------------------


def test_customs_uploads_field_results(uploads: dict) -> None:
    response = uploads["field"]
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["status"] == "new" and summary["profile"] == "trunarc-raman"
    assert summary["sha256"] == hashlib.sha256(FIELD_CSV.read_bytes()).hexdigest()
    assert summary["rows_read"] == summary["findings"] + summary["rejections"]
    assert len(summary["rejected"]) == min(summary["rejections"], 5)  # where and why, as ingest
    flagged = {f["name"]: f for f in summary["flagged"]}
    assert flagged["3-MMC"]["status"] == "controlled"
    assert flagged["3-MMC"]["case_id"] == "DOU-24-0311"


def test_lab_report_refused_for_customs_accepted_for_lab(uploads: dict) -> None:
    refused = uploads["lab_by_customs"]
    assert refused.status_code == 403
    assert "lab_confirmation" in refused.json()["detail"]
    accepted = uploads["lab_by_lab"]
    assert accepted.status_code == 200 and accepted.json()["status"] == "new"


def test_the_role_is_checked_before_any_lookup(uploads: dict) -> None:
    """A lab report a customs token may not upload is refused alike before and after the lab
    stored it: the answer never tells that the content is in the database."""
    before, after = uploads["lab_by_customs"], uploads["lab_by_customs_after"]
    assert (before.status_code, after.status_code) == (403, 403)
    assert after.json() == before.json()
    assert "already" not in after.text


def test_same_content_again_is_already_ingested_under_a_safe_name(uploads: dict) -> None:
    again = uploads["field_again"].json()
    assert again["status"] == "already_ingested" and again["version"] == 1
    assert again["source"] == "copy.csv"  # the client's path is never kept


def test_oversized_upload_is_413(server: dict, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(FIELD_CSV.read_bytes() * (2 * 2**20 // FIELD_CSV.stat().st_size + 1))
    assert upload(server, "customs", big).status_code == 413


def test_oversized_upload_without_length_is_413(server: dict) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        for _ in range(40):
            yield b"x" * 65536
        yield b"\r\n--b--\r\n"

    with client(server, "customs") as http:
        response = http.post(
            "/ingest", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"}
        )
    assert response.status_code == 413


def test_unreadable_file_is_422_with_the_reason(server: dict, tmp_path: Path) -> None:
    junk = tmp_path / "scan.pdf"
    junk.write_bytes(b"%PDF-1.7 not a report")
    response = upload(server, "customs", junk)
    assert response.status_code == 422
    assert "PDF reports are not supported" in response.json()["detail"]


@pytest.mark.parametrize("profile", ["/etc/passwd", "../profiles/x.toml", "nope"])
def test_profile_must_be_a_shipped_name(server: dict, profile: str) -> None:
    response = upload(server, "customs", FIELD_CSV, profile=profile)
    assert response.status_code == 422 and "unknown profile" in response.json()["detail"]


def test_upload_needs_a_multipart_file(server: dict) -> None:
    with client(server, "lab") as http:
        assert http.post("/ingest", json={"file": "x"}).status_code == 422
        assert http.post("/ingest", data={"format": "csv"}, files={}).status_code == 422


# --- reading ---------------------------------------------------------------------------------


def test_findings_for_an_analyst(server: dict, uploads: dict) -> None:
    with client(server, "analyst") as http:
        everything = http.get("/findings", params={"limit": 10000}).json()
        flagged = http.get("/findings", params={"flagged": "true"}).json()
        one = http.get("/findings", params={"limit": 1}).json()
        controlled = http.get("/findings", params={"status": "controlled"}).json()
        assert http.get("/findings", params={"limit": 10001}).status_code == 422
        assert http.get("/findings", params={"status": "bogus"}).status_code == 422
    assert len(everything) > len(flagged) > 0 and len(one) == 1
    assert {r["status"] for r in controlled} == {"controlled"}
    assert all(re.match(r"\d{4}-\d\d-\d\dT", r["ingested_at"]) for r in everything)
    assert {r["file"] for r in everything} == {FIELD_CSV.name, LAB_CSV.name}


def test_flagged_with_status_is_refused_as_on_the_command_line(server: dict) -> None:
    with client(server, "analyst") as http:
        response = http.get("/findings", params={"flagged": "true", "status": "not_listed"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("flagged cannot be combined with status: flagged means status=")
    assert "--" not in detail  # the API's words, not the command line's


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"encoding": "rot13"}, "encoding: 'rot13' is not a text encoding"),
        ({"timezone": "Europe/Brusels"}, "timezone: unknown time zone 'Europe/Brusels'"),
    ],
)
def test_upload_options_are_checked_before_reading(server: dict, fields: dict, says: str) -> None:
    response = upload(server, "lab", FIELD_CSV, **fields)
    assert response.status_code == 422 and says in response.json()["detail"]


def test_upload_options_read_what_detection_cannot(server: dict, tmp_path: Path) -> None:
    """A UTF-16 export without a byte-order mark: refused with a hint naming the API's field,
    read once that field is given."""
    path = tmp_path / "lims_utf16.csv"
    path.write_bytes(LAB_CSV.read_text(encoding="utf-8-sig").encode("utf-16-le"))
    refused = upload(server, "lab", path)
    assert refused.status_code == 422
    hint = re.search(r"pass encoding=(\S+)", refused.json()["detail"])
    assert hint, refused.json()["detail"]
    read = upload(server, "lab", path, encoding=hint.group(1))
    assert read.status_code == 200 and read.json()["findings"] == 14


def options_the_ingest_can_name() -> set[str]:
    """The options that messages of the ingest layer point to ({encoding=...}, {{force}})."""
    pattern = re.compile(r"\{\{?(" + "|".join(sorted(OPTIONS)) + r")[=}]")
    return {
        match[1]
        for path in INGEST.rglob("*.py")
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    }


def test_every_option_an_upload_hint_names_is_a_field_of_the_upload(server: dict) -> None:
    named = options_the_ingest_can_name()
    assert {"encoding", "format", "sheet", "timezone", "force"} <= named
    with client(server, "lab") as http:
        spec = http.get("/openapi.json", headers={"Authorization": http.headers["authorization"]})
        page = http.get("/")
    body = spec.json()["paths"]["/ingest"]["post"]["requestBody"]["content"]
    fields = set(body["multipart/form-data"]["schema"]["properties"])
    assert named <= fields
    assert all(f'name="{option}"' in page.text for option in named)


def test_case_for_an_analyst(server: dict, uploads: dict) -> None:
    with client(server, "analyst") as http:
        rows = http.get("/cases/24-01873").json()
        missing = http.get("/cases/no-such-case")
    assert rows and {r["case_id"] for r in rows} == {"24-01873"}
    assert any(r["resolved_name"] == "MDMA" for r in rows)
    assert missing.status_code == 404


def test_a_case_whose_every_row_was_rejected_is_found(server: dict, tmp_path: Path) -> None:
    """Its findings are an empty list (not 404, which says the case is not there), its
    rejections say why; a case with nothing stored is 404 on both."""
    rejected = {
        "case_id": "REJ-API-1",
        "technique": "colour test",
        "context": "field_screening",
        "verdict": "positive",
        "findings": [{"name": ""}],
    }
    path = tmp_path / "rejected.jsonl"
    path.write_text(json.dumps(rejected) + "\n", encoding="utf-8")
    stored = upload(server, "customs", path)
    assert stored.status_code == 200 and stored.json()["rejections"] == 1, stored.text
    with client(server, "analyst") as http:
        findings = http.get("/cases/REJ-API-1")
        rejections = http.get("/cases/REJ-API-1/rejections")
        missing = [http.get(f"/cases/NO-SUCH-1{part}") for part in ("", "/rejections")]
    assert findings.status_code == 200 and findings.json() == []
    assert rejections.status_code == 200
    (row,) = rejections.json()
    assert row["file"] == "rejected.jsonl" and row["locator"] and row["reason"]
    assert [r.status_code for r in missing] == [404, 404]
    assert "NO-SUCH-1" in missing[0].json()["detail"]


def test_trends_for_an_analyst(server: dict, uploads: dict) -> None:
    with client(server, "admin") as http:
        result = http.get("/trends", params={"by": "quarter", "since": "2020-01-01"}).json()
        field = http.get("/trends", params={"context": "field", "since": "2020-01-01"}).json()
        assert http.get("/trends", params={"by": "decade"}).status_code == 422
    names = {t["name"] for t in result["substances"]}
    assert "3-MMC" in names and result["classes"]
    assert sum(t["total"] for t in field["substances"]) < sum(
        t["total"] for t in result["substances"]
    )


# --- the audit trail -----------------------------------------------------------------------------


def test_audit_trail_records_who_did_what(server: dict, uploads: dict) -> None:
    with client(server, "customs") as http:
        http.post("/check", json={"query": "audited-query"})
        assert http.get("/findings").status_code == 403  # customs may not read stored findings
    with client(server, "analyst") as http:
        assert http.get("/findings").status_code == 200
    with client(server) as http:
        http.get("/findings")
    events = audit_until(
        server["engine"],
        lambda events: (
            any(e["target"] == "audited-query" for e in events)
            and any(e["status"] == 200 and e["role"] == "analyst" for e in events)
        ),
    )
    assert all(e["client"] == "127.0.0.1" and e["at"] for e in events)
    upload_ok = [e for e in events if e["action"] == "upload" and e["status"] == 200]
    digest = hashlib.sha256(FIELD_CSV.read_bytes()).hexdigest()
    assert any(e["sha256"] == digest and e["token"] == "customs-1" for e in upload_ok)
    refused = [e for e in events if e["action"] == "upload" and e["status"] == 403 and e["sha256"]]
    assert refused[0]["target"] == LAB_CSV.name and refused[0]["role"] == "customs"
    assert any(
        e["action"] == "check" and e["target"] == "audited-query" and e["token"] == "customs-1"
        for e in events
    )
    assert any(
        e["status"] == 401 and e["token"] is None and e["target"] == "GET /findings" for e in events
    )
    assert any(
        e["status"] == 403 and e["token"] == "customs-1" and e["action"] == "read" for e in events
    )
    assert any(
        e["action"] == "read" and e["status"] == 200 and e["role"] == "analyst" for e in events
    )


# --- the session cookie and CSRF -------------------------------------------------------------


def test_login_cookie_is_httponly_strict_and_needs_csrf(server: dict) -> None:
    with client(server) as http:
        bad = http.post("/login", data={"token": "smt_wrong"})
        assert bad.status_code == 401
        foreign_login = http.post(
            "/login",
            data={"token": server["tokens"]["customs"]},
            headers={"Origin": "https://evil.example"},
        )
        assert foreign_login.status_code == 403 and "set-cookie" not in foreign_login.headers
        login = http.post("/login", data={"token": server["tokens"]["customs"]})
        assert login.status_code == 303
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=" in cookie
        session = http.cookies["subsmatch_session"]
        assert session.startswith("sms_") and server["tokens"]["customs"] not in cookie
        page = http.get("/")
        assert page.status_code == 200
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
        body = {"query": "MDMA"}
        no_csrf = http.post("/check", json=body)
        wrong = http.post("/check", json=body, headers={"X-CSRF-Token": "0" * 64})
        good = http.post("/check", json=body, headers={"X-CSRF-Token": csrf})
        foreign = http.post(
            "/check",
            json=body,
            headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
        )
        form_no_csrf = http.post("/ui/check", data={"query": "MDMA"})
        form = http.post("/ui/check", data={"query": "MDMA", "csrf": csrf})
    assert (no_csrf.status_code, wrong.status_code, good.status_code) == (403, 403, 200)
    assert foreign.status_code == 403 and form_no_csrf.status_code == 403
    assert form.status_code == 200 and "controlled" in form.text


def test_the_page_names_options_by_its_form_labels(server: dict, tmp_path: Path) -> None:
    """An upload the page cannot read says which of its fields to set, by the field's label."""
    path = tmp_path / "lims_utf16.csv"
    path.write_bytes(LAB_CSV.read_text(encoding="utf-8-sig").encode("utf-16-le"))
    with logged_in(server, "lab") as http:
        page = http.get("/")
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
        unread = http.post(
            "/ui/upload", files={"file": (path.name, path.read_bytes())}, data={"csrf": csrf}
        )
        bad_zone = http.post(
            "/ui/upload",
            files={"file": (path.name, path.read_bytes())},
            data={"csrf": csrf, "timezone": "Mars/Olympus"},
        )
    assert "Text encoding" in page.text and "Time zone" in page.text
    assert unread.status_code == 422
    assert "“Text encoding: utf-16-le”" in html.unescape(unread.text)
    assert bad_zone.status_code == 422
    assert "Time zone: unknown time zone" in html.unescape(bad_zone.text)


def test_page_escapes_what_the_user_typed(server: dict) -> None:
    with logged_in(server, "lab") as http:
        page = http.get("/")
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
        form = http.post("/ui/check", data={"query": "<script>alert(1)</script>", "csrf": csrf})
    assert form.status_code == 200
    assert "<script>" not in form.text and "&lt;script&gt;" in form.text
    assert "default-src 'none'" in form.headers["content-security-policy"]


def test_openapi_declares_models_and_bearer_security(server: dict) -> None:
    with client(server, "analyst") as http:
        spec = http.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert {"CheckRequest", "Verdict", "IngestSummary", "Trends"} <= set(
        spec["components"]["schemas"]
    )
    assert "multipart/form-data" in spec["paths"]["/ingest"]["post"]["requestBody"]["content"]
    assert spec["paths"]["/check"]["post"]["security"]


# --- sessions and token expiry ---------------------------------------------------------------


def move_to_the_past(engine, column, value: str) -> None:
    """Set ``expires_at`` of the rows where ``column`` is ``value`` in the past (as if time had
    passed): a fixed day long gone, so that it is past for the server whatever the clock of
    this process says."""
    past = datetime(2000, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(update(column.table).where(column == value).values(expires_at=past))


def test_page_sessions_are_server_side_ids_that_end(server: dict) -> None:
    engine = server["engine"]
    with logged_in(server, "analyst") as http:
        session_id = http.cookies["subsmatch_session"]
        assert http.get("/").status_code == 200
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT session_hash FROM sessions")).scalars().all()
        digest = hashlib.sha256(session_id.encode()).hexdigest()
        assert digest in stored and session_id not in stored  # kept hashed, like tokens
        move_to_the_past(engine, PageSession.session_hash, digest)
        expired = http.get("/")
    assert expired.status_code == 401 and 'id="token"' in expired.text  # the login form again
    with logged_in(server, "analyst") as http:
        left = http.cookies["subsmatch_session"]
        assert http.post("/logout").status_code == 303
    for cookie in (left, server["tokens"]["analyst"]):  # a replayed id; the token itself
        with httpx.Client(base_url=server["base"], cookies={"subsmatch_session": cookie}) as http:
            assert http.get("/").status_code == 401


def test_a_session_ends_with_its_token(server: dict) -> None:
    engine = server["engine"]
    server["tokens"]["short"] = create_token(
        engine, "short-lived", "analyst", datetime.now(UTC) + timedelta(hours=1)
    )
    with logged_in(server, "short") as http:
        assert http.get("/").status_code == 200
        revoke_token(engine, "short-lived")
        assert http.get("/").status_code == 401


def server_now(http: httpx.Client) -> datetime:
    """The server's time, as its ``Date`` header says (to the second): what the server does
    with an expiry is judged by its clock, which a test cannot move."""
    return parsedate_to_datetime(http.get("/login").headers["date"])


def test_tokens_expire(server: dict) -> None:
    engine = server["engine"]
    expires = datetime.now(UTC) + timedelta(hours=1)
    token = create_token(engine, "expiring", "analyst", expires)
    with httpx.Client(base_url=server["base"], timeout=60) as http:
        now = server_now(http)
        login = http.post("/login", data={"token": token})
        max_age = int(re.search(r"max-age=(\d+)", login.headers["set-cookie"], re.I).group(1))
        # the session ends with the token (an hour), not later, by the server's clock
        assert 0 < max_age <= min(SESSION_LIFETIME, expires - now).total_seconds() + 1
        bearer = {"Authorization": f"Bearer {token}"}
        assert http.get("/findings", headers=bearer).status_code == 200
        move_to_the_past(engine, ApiToken.name, "expiring")  # from another process
        assert http.get("/").status_code == 401  # its session at once
        # the server remembers a valid token for TOKEN_CACHE_TTL seconds (no database read per
        # request), so a change made by another process is seen within that time
        refused = until(
            lambda: http.get("/findings", headers=bearer).status_code == 401, 10 * TOKEN_CACHE_TTL
        )
        assert refused, "the expired token was still accepted"


def test_a_token_revoked_by_another_process_is_refused_within_seconds(server: dict) -> None:
    engine = server["engine"]
    token = create_token(engine, "revoked-elsewhere", "customs")
    with httpx.Client(base_url=server["base"], timeout=60) as http:
        bearer = {"Authorization": f"Bearer {token}"}
        assert http.post("/check", json={"query": "MDMA"}, headers=bearer).status_code == 200
        revoke_token(engine, "revoked-elsewhere")  # as `subsmatch tokens revoke` would
        refused = until(
            lambda: http.post("/check", json={"query": "MDMA"}, headers=bearer).status_code == 401
        )
        assert refused, "the revoked token was still accepted"


# --- one error path: every request a user can send is answered, every upload audited ---------


def multipart(boundary: bytes, body: bytes = b"") -> dict:
    return {
        "content": body or b"--" + boundary + b"\r\n",
        "headers": {"Content-Type": "multipart/form-data; boundary=" + boundary.decode()},
    }


JSON_HEADERS = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("path", "request_args", "says"),
    [
        ("/check", {"content": b'{"query": "\\ud800"}'}, "query"),
        ("/check", {"content": b'{"queries": ["MDMA", "a\\udfff"]}'}, "query 2"),
        ("/check", {"content": b'{"query": "\xff\xfe"}'}, ""),
        ("/check", {"content": b'{"query": ' + b"[" * 40 + b"]" * 40 + b"}"}, "nests 41 levels"),
        ("/check", {"content": b"[" * 100_000 + b"]" * 100_000}, "nests 100000 levels"),
        ("/check", {"content": b'{"query": "MDMA", "as_of": "2024-02-30"}'}, "as_of"),
        ("/ingest", multipart(b"b" * 300), "boundary is 300 characters"),
        ("/ingest", multipart(b"b" * 71), "boundary is 71 characters"),
        ("/ingest", multipart(b"b", b"--b\r\nnot a header\r\n\r\nx\r\n--b--\r\n"), "multipart"),
    ],
)
def test_malformed_requests_are_answered_4xx(
    server: dict, path: str, request_args: dict, says: str
) -> None:
    headers = {**JSON_HEADERS, **request_args.pop("headers", {})}
    with client(server, "lab") as http:
        response = http.post(path, headers=headers, **request_args)
    assert 400 <= response.status_code < 500, response.text
    assert says in response.json()["detail"]


def test_every_upload_has_its_audit_record_whatever_happened(server: dict, tmp_path: Path) -> None:
    engine = server["engine"]
    server["tokens"]["audited"] = create_token(engine, "upload-audited", "lab")
    junk = tmp_path / "scan.pdf"
    junk.write_bytes(b"%PDF-1.7 not a report")

    def too_big() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        yield b"x" * (2 * 2**20)
        yield b"\r\n--b--\r\n"

    answers = [
        upload(server, "audited", FIELD_CSV).status_code,  # stored already by customs: 200
        upload(server, "audited", FIELD_CSV, encoding="rot13").status_code,
        upload(server, "audited", junk).status_code,
    ]
    with client(server, "audited") as http:
        answers.append(http.post("/ingest", **multipart(b"b" * 300)).status_code)
        answers.append(
            http.post(
                "/ingest",
                content=too_big(),
                headers={"Content-Type": "multipart/form-data; boundary=b"},
            ).status_code
        )
    with logged_in(server, "audited") as http:
        files = {"file": (FIELD_CSV.name, FIELD_CSV.read_bytes())}
        answers.append(http.post("/ui/upload", files=files, data={"csrf": "0" * 64}).status_code)
        answers.append(
            http.post("/ui/upload", files=files, data={"csrf": csrf_of(http)}).status_code
        )
    assert answers == [200, 422, 422, 422, 413, 403, 200]

    def uploads(events: list[dict]) -> list[dict]:
        return [e for e in events if e["token"] == "upload-audited" and e["action"] == "upload"]

    events = audit_until(engine, lambda events: len(uploads(events)) >= len(answers))
    assert sorted(e["status"] for e in uploads(events)) == sorted(answers)
    digest = hashlib.sha256(junk.read_bytes()).hexdigest()
    unreadable = next(e for e in uploads(events) if e["sha256"] == digest)
    assert unreadable["target"] == "scan.pdf" and "PDF" in unreadable["detail"]
