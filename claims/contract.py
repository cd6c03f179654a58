"""DWP's claim-system contract (``claims/openapi.yaml``) as validators: the one source of its shapes.

The HTTP client checks each answer with these before reading it, and the tests' stand-in claim
system checks each request with them, so neither side can drift from the document unnoticed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

DOCUMENT = Path(__file__).with_name("openapi.yaml")


@cache
def document() -> dict[str, Any]:
    with DOCUMENT.open(encoding="utf-8") as file:
        loaded: dict[str, Any] = yaml.safe_load(file)
    return loaded


@cache
def _validator(name: str) -> Any:
    # OpenAPI 3.1 schemas are JSON Schema 2020-12; a root that points at the named schema keeps
    # the document's own "#/components/schemas/..." references working. Formats (date, uuid) are
    # checked, not just annotated.
    schema = {"$ref": f"#/components/schemas/{name}", "components": document()["components"]}
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True)


def problems(name: str, value: object) -> list[str]:
    """What is wrong with ``value`` as the document's schema ``name`` (empty when it is valid)."""
    return [
        f"{'/'.join(map(str, error.instance_path)) or '(the body)'}: {error.message}"
        for error in _validator(name).iter_errors(value)
    ]
