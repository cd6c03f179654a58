"""The contract itself: its examples are valid against its schemas, and the stand-in claim system
answers only as the document says (schemathesis over real HTTP), so tests against the stand-in are
tests against the contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from claims import contract
from tests.claims.standin import TOKEN, StandIn, served
from tests.claims.test_http import FACTS

SCHEMA = schemathesis.openapi.from_path(contract.DOCUMENT)


def _examples() -> Iterator[tuple[str, str, Any]]:
    """Every example in the document with the schema it illustrates: (where, schema, value)."""
    for path, operations in contract.document()["paths"].items():
        for method, operation in operations.items():
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += [(status, answer) for status, answer in operation["responses"].items()]
            for status, body in bodies:
                if "$ref" in body:
                    name = body["$ref"].rsplit("/", 1)[1]
                    body = contract.document()["components"]["responses"][name]
                for media in body.get("content", {}).values():
                    values = [media["example"]] if "example" in media else []
                    values += [each["value"] for each in media.get("examples", {}).values()]
                    for value in values:
                        yield f"{method.upper()} {path} {status}", media["schema"], value
    for name, schema in contract.document()["components"]["schemas"].items():
        for value in schema.get("examples", []):
            yield name, {"$ref": f"#/components/schemas/{name}"}, value


EXAMPLES = list(_examples())


def test_the_document_has_an_example_for_each_body() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize(("where", "schema", "value"), EXAMPLES, ids=[each[0] for each in EXAMPLES])
def test_every_example_is_valid_against_its_schema(where: str, schema: dict[str, Any], value: Any) -> None:
    name = schema["$ref"].rsplit("/", 1)[1]
    assert contract.problems(name, value) == []


@pytest.fixture(scope="module")
def standin_url() -> Iterator[str]:
    standin = StandIn()
    standin.add(FACTS)  # the document's example claim and day fall in it
    with served(standin) as url:
        yield url


@SCHEMA.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_standin_answers_as_the_contract_says(case: Any, standin_url: str) -> None:
    case.call_and_validate(base_url=standin_url, headers={"Authorization": f"Bearer {TOKEN}"})
