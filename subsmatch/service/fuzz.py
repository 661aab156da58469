"""Hostile HTTP requests, drawn reproducibly from a seed (for the fuzz test and benchmark).

Each request is a valid one of the service, then damaged the way attackers, broken clients and
broken files damage them: bytes flipped, cut or inserted; lone surrogates and NULs in JSON;
nesting thousands deep; wrong types; multipart bodies with over-long or missing boundaries,
headers without a colon, truncated parts; reports that are a zip of broken XML, random bytes or
an XLSX cut in half; query strings of junk; no token, a wrong one, another role's, a cookie
made up. No request may be answered 5xx.

>>> [r.label for r in hostile_requests(7, 4, {"lab": "smt_x"})] == [
...     r.label for r in hostile_requests(7, 4, {"lab": "smt_x"})]
True
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

VALID_QUERIES = ["MDMA", "4-CMC", "50-36-2", "CNC(C)Cc1ccc2OCOc2c1", "α-PVP", "coke", "xyz"]
REPORT_FORMATS = ["", "csv", "xlsx", "jsonl", "nist", "amdis", "nonsense"]
READ_PATHS = [
    "/findings",
    "/trends",
    "/cases/24-01873",
    "/cases/24-01873/rejections",
    "/",
    "/openapi.json",
    "/nope",
]
READ_KEYS = ["limit", "since", "until", "status", "by", "flagged", "case", "context", "country"]
CSV = (
    b"Lab Case Number,Item Number,Substance Identified,CAS Number,Analysis Date,Country\r\n"
    b"24-9,1,MDMA,42542-10-9,14/03/2024,NL\r\n24-9,2,3-MMC,,14/03/2024,NL\r\n"
)


@dataclass(frozen=True)
class HostileRequest:
    """One request: method, path, headers, body; ``label`` names how it was made."""

    label: str
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _damage(rng: random.Random, data: bytes) -> bytes:
    """``data`` with a few bytes flipped, cut, doubled or inserted."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(data) + 1)
        kind = rng.randrange(4)
        if kind == 0 and data:
            data[min(where, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:
            del data[where : where + rng.randint(1, 16)]
        elif kind == 2:
            data[where:where] = data[where : where + rng.randint(1, 64)] * rng.randint(2, 8)
        else:
            data[where:where] = rng.choice(
                [b"\\ud800", b"\\u0000", b"\x00", b"\xff\xfe", b'"', b"{", b"]", b"\\", b"\r"]
            )
    return bytes(data)


def _check_body(rng: random.Random) -> tuple[str, bytes]:
    choice = rng.randrange(9)
    queries = rng.sample(VALID_QUERIES, rng.randint(1, 4))
    if choice == 0:
        return "lone surrogate", b'{"query": "Caf\\udce9ine"}'
    if choice == 1:
        depth = rng.choice([40, 1000, 50_000])
        return f"nested {depth}", b'{"queries": ' + b"[" * depth + b"]" * depth + b"}"
    if choice == 2:
        value = rng.choice([None, 3, True, {"a": 1}, [1, 2], "", " " * 10, "x" * 5000])
        return "wrong type", json.dumps({"query": value}).encode()
    if choice == 3:
        return "batch too big", json.dumps({"queries": ["MDMA"] * rng.choice([201, 5000])}).encode()
    if choice == 4:
        return "bad date", json.dumps({"query": "MDMA", "as_of": "2024-02-30"}).encode()
    if choice == 5:
        junk = rng.choice(["ZZ", "nl;DROP", "\u202e", 1])
        return "bad jurisdiction", json.dumps({"query": "MDMA", "jurisdictions": [junk]}).encode()
    if choice == 6:
        return "NUL and controls", json.dumps({"query": "MD\x00MA\x1b[2J"}).encode()
    valid = json.dumps({"queries": queries}).encode()
    return ("valid", valid) if choice == 7 else ("damaged json", _damage(rng, valid))


def _xlsx(rng: random.Random) -> tuple[str, bytes]:
    """A workbook-shaped zip that is broken one way or another."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        sheet = rng.choice(
            [
                "<worksheet><sheetData><row><c r='A1'",  # XML cut short
                "<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]><x>&b;</x>",
                "<worksheet><dimension ref='A1:XFD1048576'/><sheetData/></worksheet>",
            ]
        )
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        book.writestr("xl/workbook.xml", "<workbook><sheets><sheet name='a' r:id='x'/></sheets>")
    data = buffer.getvalue()
    if rng.random() < 0.4:
        return "xlsx cut", data[: rng.randrange(10, len(data))]
    return "xlsx broken", data


def _report(rng: random.Random) -> tuple[str, str, bytes]:
    """(label, file name, content) of an uploaded report."""
    choice = rng.randrange(6)
    if choice == 0:
        label, data = _xlsx(rng)
        return label, "hits.xlsx", data
    if choice == 1:
        return "random bytes", "scan.csv", rng.randbytes(rng.randint(0, 4000))
    if choice == 2:
        return "damaged csv", "extract.csv", _damage(rng, CSV)
    if choice == 3:
        return "cp1252 csv", "extract.csv", CSV.replace(b"MDMA", b"Caf\xe9ine")
    if choice == 4:
        return "jsonl deep", "a.jsonl", b'{"findings": ' + b"[" * 5000 + b"]" * 5000 + b"}\n"
    name = rng.choice(["../../etc/passwd", "a\x00b.csv", "\udce9.csv", "x" * 600 + ".csv", ""])
    return "odd file name", name, CSV


def _multipart(rng: random.Random) -> tuple[str, str, bytes]:
    """(label, content type, body) of an /ingest upload, well or badly formed."""
    label, filename, content = _report(rng)
    boundary = rng.choice(["b0undary", "x" * 71, "y" * 300, "", "a b"])
    fields = b""
    if rng.random() < 0.5:
        fmt = rng.choice(REPORT_FORMATS).encode()
        fields = b'--%s\r\nContent-Disposition: form-data; name="format"\r\n\r\n%s\r\n' % (
            boundary.encode(),
            fmt,
        )
    name = filename.encode("utf-8", "surrogateescape")
    body = (
        fields + b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        % (boundary.encode(), name)
        + content
        + b"\r\n--%s--\r\n" % boundary.encode()
    )
    form = rng.randrange(5)
    if form == 0:
        body, label = _damage(rng, body), label + ", damaged multipart"
    elif form == 1:
        body, label = body[: rng.randrange(len(body) + 1)], label + ", cut multipart"
    elif form == 2:
        body = body.replace(b"Content-Disposition:", b"Content-Disposition", 1)
        label += ", header without colon"
    kind = "multipart/form-data" + (f"; boundary={boundary}" if boundary else "")
    if rng.random() < 0.1:
        kind = rng.choice(["text/plain", "application/json", "multipart/mixed; boundary=b"])
    return label, kind, body


def _read(rng: random.Random) -> tuple[str, str]:
    pairs = [
        (
            rng.choice([*READ_KEYS, "%ff", "\u202e"]),
            rng.choice(["1", "-1", "99999999999", "2024-13-01", "flagged", "x" * 300, "%00", ""]),
        )
        for _ in range(rng.randint(0, 4))
    ]
    query = "&".join(f"{k}={v}" for k, v in pairs)
    path = rng.choice(READ_PATHS)
    return "read", path + ("?" + query if query else "")


def _auth(rng: random.Random, tokens: dict[str, str]) -> tuple[str, dict[str, str]]:
    choice = rng.randrange(10)
    if choice == 0:
        return "no token", {}
    if choice == 1:
        return "bad token", {"Authorization": "Bearer smt_" + rng.randbytes(8).hex()}
    if choice == 2:
        return "other scheme", {"Authorization": "Basic YTpi"}
    if choice == 3:
        return "made-up cookie", {"Cookie": "subsmatch_session=sms_" + rng.randbytes(8).hex()}
    role = rng.choice(sorted(tokens))
    return role, {"Authorization": f"Bearer {tokens[role]}"}


def hostile_requests(seed: int, count: int, tokens: dict[str, str]) -> Iterator[HostileRequest]:
    """``count`` requests drawn from ``seed``; ``tokens`` maps roles to valid tokens."""
    rng = random.Random(seed)
    makers: list[Callable[[], HostileRequest]] = []

    def check() -> HostileRequest:
        label, body = _check_body(rng)
        who, headers = _auth(rng, tokens)
        kind = rng.choice(["application/json"] * 8 + ["text/plain", "application/x+json"])
        return HostileRequest(
            f"check {label} ({who})", "POST", "/check", {**headers, "Content-Type": kind}, body
        )

    def ingest() -> HostileRequest:
        label, kind, body = _multipart(rng)
        who, headers = _auth(rng, tokens)
        path = rng.choice(["/ingest"] * 4 + ["/ui/upload"])
        return HostileRequest(
            f"upload {label} ({who})", "POST", path, {**headers, "Content-Type": kind}, body
        )

    def read() -> HostileRequest:
        label, path = _read(rng)
        who, headers = _auth(rng, tokens)
        return HostileRequest(f"{label} ({who})", "GET", path, headers)

    def form() -> HostileRequest:
        path = rng.choice(["/login", "/logout", "/ui/check"])
        body = _damage(rng, b"token=smt_abc&query=MDMA&csrf=00")
        who, headers = _auth(rng, tokens)
        headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        return HostileRequest(f"form {path} ({who})", "POST", path, headers, body)

    makers = [check, check, check, ingest, ingest, read, read, form]
    for _ in range(count):
        yield rng.choice(makers)()
