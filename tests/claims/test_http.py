"""The HTTP claim client over real HTTP, against the stand-in claim system (tests/claims/standin.py).

Facts come through only when they are exactly the contract's; everything else is
``ClaimSystemUnavailable``, never facts and never "unknown claim".
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from claims import (
    ClaimChild,
    ClaimSystemUnavailable,
    PeriodFacts,
    Statement,
    StatementConflict,
    StatementLine,
    contract,
    statement_body,
    systems,
)
from claims.http import HttpClaims
from config import settings as settings_module
from tests.claims.standin import MISSING, TOKEN, StandIn, facts_json, served

FACTS = PeriodFacts(
    claim_reference="UC-1234-5678",
    ap_start=date(2026, 10, 15),
    ap_end=date(2026, 11, 14),
    live=True,
    ended_on=None,
    joint=True,
    work_condition_met=True,
    children=(
        ClaimChild("Ada", "Lovelace", date(2023, 5, 4)),
        ClaimChild("Byron", "Lovelace", date(2012, 9, 1), childcare_costs=False),
    ),
    earnings_pence=150_000,
    childcare_element_pence=None,
)
STATEMENT = Statement(
    statement_id=uuid.UUID("1d6f0c8e-3b7a-4a55-9a43-1f0a4e6b2c11"),
    claim_reference="UC-1234-5678",
    ap_start=date(2026, 10, 15),
    ap_end=date(2026, 11, 14),
    version=1,
    total_pence=72_250,
    lines=(StatementLine(uuid.uuid4(), "Little Acorns", uuid.uuid4(), "LA-0101", 72_250),),
)


@pytest.fixture
def standin() -> StandIn:
    standin = StandIn()
    standin.add(FACTS)
    return standin


@pytest.fixture
def url(standin: StandIn) -> Iterator[str]:
    with served(standin) as address:
        yield address


def client(url: str, token: str = TOKEN, **options: object) -> HttpClaims:
    """A client quick enough for tests: short timeouts, three attempts, a 10 ms first pause."""
    return HttpClaims(url, token, **{"timeout": (1.0, 1.0), "attempts": 3, "backoff": 0.01, **options})  # type: ignore[arg-type]


def test_the_facts_round_trip_equal_to_the_dataclass(url: str, standin: StandIn) -> None:
    calculated = dataclasses.replace(
        FACTS, ap_start=date(2026, 11, 15), ap_end=date(2026, 12, 14), childcare_element_pence=85_000
    )
    standin.add(calculated)
    claims = client(url)
    assert claims.period("UC-1234-5678", date(2026, 10, 15)) == FACTS
    assert claims.period(" uc-1234-5678 ", date(2026, 11, 14)) == FACTS
    assert claims.period("UC-1234-5678", date(2026, 12, 1)) == calculated


def test_the_dataclass_and_the_contract_name_the_same_fields() -> None:
    schemas = contract.document()["components"]["schemas"]
    assert {f.name for f in dataclasses.fields(PeriodFacts)} == set(schemas["PeriodFacts"]["properties"])
    assert {f.name for f in dataclasses.fields(ClaimChild)} == set(schemas["ClaimChild"]["properties"])
    assert contract.problems("PeriodFacts", facts_json(FACTS)) == []


def test_an_unknown_claim_is_none(url: str) -> None:
    assert client(url).period("UC-0000-0000", date(2026, 10, 20)) is None


def test_a_404_that_is_not_the_contracts_unknown_claim_is_unavailable(url: str) -> None:
    # a wrong base address (or a proxy's page) answers 404 too: that must not read as "unknown"
    with pytest.raises(ClaimSystemUnavailable):
        client(f"{url}/wrong-prefix").period("UC-1234-5678", date(2026, 10, 20))


def test_the_bearer_token_is_sent_and_a_refused_one_is_unavailable(url: str, standin: StandIn) -> None:
    client(url).period("UC-1234-5678", date(2026, 10, 20))
    assert standin.seen[-1]["authorization"] == f"Bearer {TOKEN}"
    with pytest.raises(ClaimSystemUnavailable, match="refused our token"):
        client(url, token="wrong").period("UC-1234-5678", date(2026, 10, 20))
    with pytest.raises(ClaimSystemUnavailable, match="refused our token"):
        client(url, token="wrong").send_statement(STATEMENT)
    assert standin.statements == {}


def test_503_twice_then_an_answer_gives_the_facts(url: str, standin: StandIn) -> None:
    standin.unavailable_times = 2
    assert client(url).period("UC-1234-5678", date(2026, 10, 20)) == FACTS
    assert len(standin.seen) == 3


def test_503_every_time_is_unavailable_after_the_attempts(
    url: str, standin: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    standin.unavailable_times = 100
    with (
        caplog.at_level(logging.WARNING, logger="ccd.claims"),
        pytest.raises(ClaimSystemUnavailable, match="HTTP 503 after 3 attempts"),
    ):
        client(url).period("UC-1234-5678", date(2026, 10, 20))
    assert len(standin.seen) == 3
    assert len(caplog.records) == 2  # a warning before each retry
    assert TOKEN not in caplog.text and TOKEN not in repr(client(url))


def test_a_statement_is_retried_through_503_and_recorded_once(url: str, standin: StandIn) -> None:
    standin.unavailable_times = 2
    receipt = client(url).send_statement(STATEMENT)
    assert list(standin.statements) == [str(STATEMENT.statement_id)]
    assert standin.statements[str(STATEMENT.statement_id)] == (statement_body(STATEMENT), receipt)


def test_a_slow_answer_is_unavailable(url: str, standin: StandIn) -> None:
    standin.slow_seconds = 0.5
    with pytest.raises(ClaimSystemUnavailable, match="ReadTimeout after 2 attempts"):
        client(url, timeout=(1.0, 0.1), attempts=2).period("UC-1234-5678", date(2026, 10, 20))


def test_no_claim_system_at_the_address_is_unavailable() -> None:
    with served(StandIn()) as address:
        pass  # stopped: nothing listens there any more
    with pytest.raises(ClaimSystemUnavailable, match="ConnectionError after 2 attempts"):
        client(address, attempts=2).period("UC-1234-5678", date(2026, 10, 20))


def test_an_answer_that_is_not_json_is_unavailable(url: str, standin: StandIn) -> None:
    standin.malformed = True
    with pytest.raises(ClaimSystemUnavailable, match="not valid JSON"):
        client(url).period("UC-1234-5678", date(2026, 10, 20))


@pytest.mark.parametrize(
    "changes",
    [
        {"childcare_element_pence": MISSING},  # null until calculated, but never left out
        {"work_condition_met": MISSING},
        {"live": "true"},
        {"earnings_pence": -1},
        {"earnings_pence": 1500.5},
        {"earnings_pence": 1500.0},  # pence are integers, even a whole float is not
        {"childcare_element_pence": "85000"},
        {"ap_end": "2026-11-31"},
        {"ended_on": "20 October 2026"},
        {"children": [{"first_name": "Ada", "last_name": "L", "date_of_birth": "2023-05-04"}]},
        {"children": "Ada"},
        {"sanctioned": True},  # a field the contract does not have
        {"claim_reference": "UC-9999-9999"},  # another claim's facts
        {"ap_start": "2026-11-15", "ap_end": "2026-12-14"},  # an AP that does not contain the day
    ],
    ids=repr,
)
def test_an_answer_outside_the_contract_is_never_taken_as_facts(
    url: str, standin: StandIn, changes: dict[str, object]
) -> None:
    standin.changes = changes
    with pytest.raises(ClaimSystemUnavailable):
        client(url).period("UC-1234-5678", date(2026, 10, 20))


def test_a_statement_sent_twice_is_received_once_with_the_same_receipt(url: str, standin: StandIn) -> None:
    claims = client(url)
    first = claims.send_statement(STATEMENT)
    assert claims.send_statement(STATEMENT) == first
    assert len(standin.statements) == 1
    correction = dataclasses.replace(STATEMENT, statement_id=uuid.uuid4(), version=2, total_pence=0, lines=())
    assert claims.send_statement(correction) != first
    assert len(standin.statements) == 2


def test_the_same_statement_id_with_another_body_is_a_conflict(url: str, standin: StandIn) -> None:
    claims = client(url)
    claims.send_statement(STATEMENT)
    with pytest.raises(StatementConflict):
        claims.send_statement(dataclasses.replace(STATEMENT, total_pence=1))
    assert standin.statements[str(STATEMENT.statement_id)][0] == statement_body(STATEMENT)


def test_the_standin_refuses_a_statement_outside_the_contract(url: str, standin: StandIn) -> None:
    # so a client drifting from the document fails its tests
    with pytest.raises(ClaimSystemUnavailable, match="HTTP 400"):
        client(url).send_statement(dataclasses.replace(STATEMENT, version=0))
    assert standin.statements == {}


def test_http_is_the_claim_system_when_the_settings_say_so(session) -> None:
    before = settings_module.current()
    settings_module.use(
        dataclasses.replace(
            before, claim_system="http", claim_system_url="https://uc.example/v1", claim_system_token=TOKEN
        )
    )
    try:
        chosen = systems.current(session)
    finally:
        settings_module.use(before)
    assert isinstance(chosen, HttpClaims) and chosen.base_url == "https://uc.example/v1"
    assert type(systems.current(session)).__name__ == "DevelopmentClaims"
