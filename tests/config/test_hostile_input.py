"""Hostile input never answers 5xx and changes nothing (issue #18), over real HTTP.

Each class (deep nesting, NUL bytes, lone surrogates, huge numbers, year 0001, wrong content
types, a key given twice, bodies over the size limit with and without a length) is sent to the
API, the portal's forms and the spreadsheet upload of a served app, and must be refused with a
4xx that says what is wrong: problem JSON naming the field in the API, GOV.UK wording on pages.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from invoicing.models import Invoice
from providers import service as providers
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, create_provider_user
from tests.http import User, page_csrf, sign_in_provider

MAX_REQUEST_BYTES = 256 * 1024


@pytest.fixture
def live_overrides() -> dict[str, object]:
    return {
        "max_request_bytes": MAX_REQUEST_BYTES,
        "max_upload_bytes": 400 * 1024,
        "rate_limit_sign_in": "1000 per minute",
    }


@pytest.fixture
def api(live_server: LiveServer, db) -> Iterator[tuple[World, dict[str, str]]]:
    """A world with a live consent, and the headers of its software's provider token."""
    world = World(db)
    client, secret = providers.register_api_client(db, world.provider_user, name="Soft", redirect_uris=[])
    token = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "invoices:read invoices:write consents:request"},
        auth=(client.client_id, secret),
        timeout=30,
    ).json()["access_token"]
    yield world, {"Authorization": f"Bearer {token}"}


def invoice_body(world: World, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "consent_id": str(world.consent.id),
        "invoice_number": "INV-1",
        "issued_on": "2026-11-01",
        "care_from": "2026-10-01",
        "care_to": "2026-10-31",
        "lines": [{"description": "Full days", "hours": "120.0", "amount_pence": 95000, "eligible": True}],
    }
    return {**body, **changes}


def post_invoice(live_server: LiveServer, headers: dict[str, str], data: bytes | str, **extra: str):
    return requests.post(
        f"{live_server.url}/api/v1/invoices",
        data=data.encode() if isinstance(data, str) else data,
        headers={"Content-Type": "application/json", "Idempotency-Key": "key-1", **headers, **extra},
        timeout=60,
    )


def refused(answer: requests.Response) -> tuple[int, str, list[str]]:
    """(status, content type, fields named) of a problem JSON answer."""
    fields = [e["field"] for e in answer.json()["errors"]] if answer.content else []
    return answer.status_code, answer.headers.get("Content-Type", ""), fields


def invoices(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Invoice))


def test_hostile_json_bodies_are_refused_with_problem_json_naming_the_field(live_server, db, api) -> None:
    world, headers = api
    good = json.dumps(invoice_body(world))
    cases = {
        "nesting": ("[" * 100_000 + "]" * 100_000, ["body"]),
        "nesting in a field": (
            json.dumps(invoice_body(world, invoice_number="x")).replace('"x"', "[" * 50 + "]" * 50),
            ["body"],
        ),
        "NUL": (json.dumps(invoice_body(world, invoice_number="INV\u00001")), ["invoice_number"]),
        "lone surrogate": (good.replace('"INV-1"', '"INV-\\ud800"'), ["invoice_number"]),
        "lone surrogate in a line": (good.replace('"Full days"', '"\\udfff"'), ["lines[0].description"]),
        "surrogate as a key": (good.replace('"consent_id"', '"\\ud800"', 1), ["body"]),
        "5,001 digits": (good.replace("95000", "9" * 5001), ["lines[0].amount_pence"]),
        "5,001 digits as a decimal": (good.replace("95000", "9" * 5001 + ".5"), ["lines[0].amount_pence"]),
        "NaN": (good.replace("95000", "NaN"), ["lines[0].amount_pence"]),
        "year 0001": (
            json.dumps(
                invoice_body(world, issued_on="0001-01-01", care_from="0001-01-01", care_to="0001-01-02")
            ),
            ["issued_on", "care_from", "care_to"],
        ),
        "a key twice": (
            good.replace('"invoice_number": "INV-1"', '"invoice_number": "A", "invoice_number": "B"'),
            ["invoice_number"],
        ),
        "not UTF-8": (good.replace("Full days", "Full d\u00e9ys").encode("latin-1"), ["body"]),
        "not JSON": ("{'consent_id': 1}", ["body"]),
    }
    answers = {}
    for name, (body, _fields) in cases.items():
        answer = post_invoice(live_server, headers, body, **{"Idempotency-Key": f"key-{len(answers)}"})
        answers[name] = (
            answer.status_code,
            answer.headers["Content-Type"],
            [e["field"] for e in answer.json()["errors"]],
        )
    assert answers == {
        name: (400, "application/problem+json", fields) for name, (_body, fields) in cases.items()
    }
    assert invoices(db) == 0
    # The same body, sane, is taken: the refusals were about the input, not the endpoint.
    assert post_invoice(live_server, headers, good).status_code == 201


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"],
)
def test_a_body_in_another_content_type_is_refused_not_read_as_no_body(
    live_server, db, api, content_type: str
) -> None:
    world, headers = api
    answer = post_invoice(
        live_server, headers, json.dumps(invoice_body(world)), **{"Content-Type": content_type}
    )
    assert refused(answer) == (400, "application/problem+json", ["body"])
    assert "Content-Type: application/json" in answer.json()["errors"][0]["message"]
    assert invoices(db) == 0


def test_a_nul_in_a_query_or_a_header_is_refused(live_server, db, api) -> None:
    _, headers = api
    answer = requests.get(f"{live_server.url}/api/v1/invoices?cursor=ab%00cd", headers=headers, timeout=30)
    assert refused(answer) == (400, "application/problem+json", ["cursor"])
    answer = requests.get(f"{live_server.url}/api/v1/invoices?status=%00", headers=headers, timeout=30)
    assert refused(answer) == (400, "application/problem+json", ["status"])
    answer = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "invoices:read"},
        auth=("client\x00id", "secret"),
        timeout=30,
    )
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "Authorization"
    assert raw_request(live_server, b"GET /api/v1/invoices HTTP/1.1\r\nIdempotency-Key: a\x00b\r\n")[0] == 400


def raw_request(
    live_server: LiveServer, head: bytes, body: bytes = b"", close: bool = True
) -> tuple[int, bytes]:
    """Send ``head`` (request line and headers, without the blank line) and ``body`` on a raw
    socket; returns the status and what came back."""
    parts = urlsplit(live_server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        connection.sendall(head + f"Host: {parts.netloc}\r\n\r\n".encode() + body)
        if close:
            connection.shutdown(socket.SHUT_WR)
        received = b""
        while b"\r\n\r\n" not in received or len(received) < 20:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
        while True:  # the rest of the answer, until the server closes
            try:
                chunk = connection.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            received += chunk
    return int(received.split(b" ", 2)[1]), received


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(live_server, db, api) -> None:
    _, headers = api
    # Headers promise 50 MB; none of it is sent. The answer comes anyway: nothing waited for it.
    head = (
        b"POST /api/v1/invoices HTTP/1.1\r\n"
        + f"Authorization: {headers['Authorization']}\r\n".encode()
        + b"Content-Type: application/json\r\nIdempotency-Key: big-1\r\n"
        + f"Content-Length: {50 * 1024 * 1024}\r\n".encode()
    )
    status, received = raw_request(live_server, head, close=False)
    assert status == 413 and b"application/problem+json" in received
    problem = json.loads(received.split(b"\r\n\r\n", 1)[1])
    assert problem["errors"] == [
        {"field": "body", "message": f"The body must be {MAX_REQUEST_BYTES:,} bytes or fewer"}
    ]
    assert invoices(db) == 0


def test_a_chunked_body_with_no_length_is_cut_off_at_the_limit(live_server, db, api) -> None:
    world, headers = api
    sent = []

    def chunks() -> Iterator[bytes]:
        body = json.dumps(invoice_body(world, invoice_number="x" * (MAX_REQUEST_BYTES * 4))).encode()
        for start in range(0, len(body), 8192):
            sent.append(start)
            yield body[start : start + 8192]

    try:
        answer = requests.post(
            f"{live_server.url}/api/v1/invoices",
            data=chunks(),
            headers={"Content-Type": "application/json", "Idempotency-Key": "chunked", **headers},
            timeout=60,
        )
    except requests.ConnectionError:
        pytest.fail("the server hung up without answering")
    assert (
        "Content-Length" not in answer.request.headers
        and answer.request.headers["Transfer-Encoding"] == "chunked"
    )
    assert refused(answer) == (413, "application/problem+json", ["body"])
    assert answer.json()["errors"][0]["message"] == f"The body must be {MAX_REQUEST_BYTES:,} bytes or fewer"
    assert invoices(db) == 0


# --- the portal's forms --------------------------------------------------------------------------


def test_hostile_form_fields_get_gov_uk_messages_not_500(live_server, db) -> None:
    user = User(live_server.url)
    page = user.get("/provider/sign-in")
    nul = user.submit(page, "Sign in", email="a\x00@nursery.example", password="x")
    assert nul.status_code == 400 and "must not contain hidden characters" in nul.text
    assert "There is a problem with what was sent" in nul.text and "govuk-heading-l" in nul.text
    # A lone surrogate cannot even be sent as UTF-8 form data: its bytes are read as "�".
    cesu = user.http.post(
        f"{live_server.url}/provider/sign-in",
        data=b"email=%ED%A0%80%40x.example&password=x&csrf_token=" + page_csrf(page).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert cesu.status_code == 400 and "Sorry, there is a problem" not in cesu.text
    twice = user.http.post(
        f"{live_server.url}/provider/sign-in",
        data=[
            ("email", "a@x.example"),
            ("email", "b@x.example"),
            ("password", "x"),
            ("csrf_token", page_csrf(page)),
        ],
        timeout=30,
    )
    assert twice.status_code == 400 and "Sorry, there is a problem" not in twice.text
    as_json = user.http.post(f"{live_server.url}/provider/sign-in", json={"email": "a@x.example"}, timeout=30)
    assert as_json.status_code == 400 and "Sorry, there is a problem" not in as_json.text
    too_big = user.http.post(
        f"{live_server.url}/provider/sign-in", data={"email": "a" * (MAX_REQUEST_BYTES * 2)}, timeout=30
    )
    assert too_big.status_code == 413 and "What you sent is too large" in too_big.text


def test_huge_numbers_and_year_0001_in_forms_get_gov_uk_messages(live_server, db) -> None:
    user = User(live_server.url)
    user.submit(user.get("/provider/register/regulator"), "Continue", regulator="ofsted")
    number = user.submit(
        user.get("/provider/register/registration-number"), "Continue", registration_number="9" * 5001
    )
    assert number.status_code == 400 and "There is a problem" in number.text
    world = World(db)
    # A parent adding a child born in year 1.
    from tests.http import sign_in_parent

    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    page = parent.get("/account/children/new")
    answer = parent.submit(
        page, "Add child", first_name="Sam", last_name="Test", date_of_birth=["1", "1", "0001"], disabled="no"
    )  # type: ignore[arg-type]
    assert answer.status_code == 400
    assert "Date of birth must be between 1 January 1900 and 31 December 2099" in answer.text
    days = parent.submit(
        page,
        "Add child",
        first_name="Sam",
        last_name="Test",
        date_of_birth=["9" * 5001, "1", "2020"],
        disabled="no",
    )  # type: ignore[arg-type]
    assert days.status_code == 400 and "Date of birth must be a real date" in days.text


# --- spreadsheet uploads ------------------------------------------------------------------------

HEADER = (
    "invoice_number,child_first_name,child_last_name,child_date_of_birth,issued_on,care_from,care_to,"
    "description,hours,amount,eligible\n"
)


def upload(live_server: LiveServer, db, content: bytes, filename: str = "invoices.csv") -> requests.Response:
    world = World(db)
    colleague = create_provider_user(db, world.provider, world.provider_user)
    email = db.get(type(world.provider.users[0]), colleague.id).email
    user, _ = sign_in_provider(live_server.url, email, PASSWORD)
    page = user.get("/provider/invoices/upload")
    return user.upload(page, filename, content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            (
                HEADER + "INV-1,Sam,Test,01/01/2023,01/11/2026,01/10/2026,31/10/2026,Full\x00days,1,10,yes\n"
            ).encode(),
            "line 2 has a null character",
        ),
        (
            HEADER.encode()
            # Not UTF-8 (a lone surrogate) and not Windows-1252 either (0x81 means nothing there).
            + b"INV-1,Sam,Test,01/01/2023,01/11/2026,01/10/2026,31/10/2026,\xed\xa0\x80\x81,1,10,yes\n",
            "The file must be a CSV file saved from a spreadsheet",
        ),
        (
            (
                HEADER
                + 'INV-1,Sam,Test,01/01/2023,01/11/2026,01/10/2026,31/10/2026,"'
                + "x" * 200_000
                + '",1,10,yes\n'
            ).encode(),
            "line 2 cannot be read",
        ),
        (
            (
                HEADER.rstrip("\n")
                + ",amount\nINV-1,Sam,Test,01/01/2023,01/11/2026,01/10/2026,31/10/2026,Full,1,10,yes,99\n"
            ).encode(),
            "More than once: <code>amount</code>",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file must be a CSV file"),
    ],
    ids=["nul", "lone surrogate bytes", "a huge cell", "a column twice", "a picture"],
)
def test_a_hostile_spreadsheet_is_refused_with_a_message(
    live_server, db, content: bytes, message: str
) -> None:
    answer = upload(live_server, db, content)
    assert answer.status_code == 400 and message in answer.text, answer.text[-2000:]
    assert invoices(db) == 0


def test_year_0001_and_huge_numbers_in_a_spreadsheet_are_row_problems(live_server, db) -> None:
    rows = (
        "INV-1,Sam,Test,01/01/0001,01/01/0001,01/01/0001,02/01/0001,Full days,1,10,yes\n"
        "INV-2,Sam,Test,01/01/2023,01/11/2026,01/10/2026,31/10/2026,Full days,"
        f"{'9' * 5001},{'9' * 5001},yes\n"
    )
    answer = upload(live_server, db, (HEADER + rows).encode())
    assert answer.status_code == 200, answer.text[-2000:]
    assert "must be between 01/01/1900 and 31/12/2099" in answer.text
    assert "Hours must be a number between 0 and 2,400" in answer.text
    assert invoices(db) == 0
