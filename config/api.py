"""The JSON API's platform: flask-smorest, an OpenAPI 3 document from the schemas, problem JSON.

Every error the API answers is RFC 9457 problem JSON (``config/web.py`` renders it), including
request validation errors, which name each bad field: ``{"field": "lines[0].amount_pence", ...}``.
A request that does not fit the schema is malformed (400); one that fits but breaks a rule is 422.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import marshmallow as ma
from flask import Flask, Request, render_template
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from config.errors import FieldError
from config.request_guard import HostileInput, strict_loads

API_PREFIX = "/api/v1"
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete"})


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, with one entry per bad field."""

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String()
    errors = ma.fields.List(ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String()))


class PageQuerySchema(ma.Schema):
    """``limit`` 1–100 (default 20) and the opaque ``cursor`` of the previous page."""

    limit = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))
    cursor = ma.fields.String(
        load_default=None, validate=ma.validate.Length(min=1), metadata={"pattern": "^[A-Za-z0-9_-]+$"}
    )


KEY_DESCRIPTION = (
    "A unique value (a UUID, say) per thing you create. Sent again with the same body, it gets "
    "the first answer again (200) and creates nothing; with another body, 409."
)


class IdempotencyHeaderSchema(ma.Schema):
    """A required ``Idempotency-Key`` header (creating an invoice)."""

    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key",
        required=True,
        validate=ma.validate.Length(min=1, max=255),
        metadata={"description": KEY_DESCRIPTION},
    )


class OptionalIdempotencyHeaderSchema(ma.Schema):
    """An ``Idempotency-Key`` header that software written before it was offered may leave out."""

    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key",
        load_default=None,
        validate=ma.validate.Length(min=1, max=255),
        metadata={
            "description": KEY_DESCRIPTION + " Optional, but send one: without it a retry creates twice."
        },
    )


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def _raw_load_json(self, req: Request) -> Any:
        """The body, strictly (``config.request_guard.strict_loads``); a body that is not JSON
        is refused (400) rather than read as no body at all."""
        if not is_json_request(req):
            if req.content_length or req.form or req.files or req.get_data(cache=True):
                raise HostileInput(NOT_JSON, errors=[FieldError("body", NOT_JSON)])
            return core.missing
        return strict_loads(req.get_data(cache=True))


NOT_JSON = "Send the body as JSON, with Content-Type: application/json"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Date(ma.fields.Date):
    """An ISO date (``YYYY-MM-DD``) between 1900 and 2099: ``0001-01-01`` is no invoice's date."""

    EARLIEST = date(1900, 1, 1)
    LATEST = date(2099, 12, 31)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        # fromisoformat also takes "20261130", "2026-W48-1" and other digits: only YYYY-MM-DD here.
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ma.ValidationError("Enter a date as YYYY-MM-DD, like 2026-11-30")
        parsed: date = super()._deserialize(value, attr, data, **kwargs)
        if not self.EARLIEST <= parsed <= self.LATEST:
            raise ma.ValidationError("Enter a date between 1900-01-01 and 2099-12-31")
        return parsed


class ApiBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = _Parser()
    ERROR_STATUSES: tuple[int, ...] = (400, 401, 403, 404, 409, 413, 422, 429, 503)

    def problems(self, view: Any) -> Any:
        """Document the problem JSON answers every API operation can give."""
        for status in self.ERROR_STATUSES:
            view = self.alt_response(status, schema=ProblemSchema, content_type="application/problem+json")(
                view
            )
        return view


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """The app's own handler (config/web.py) answers problem JSON for every API error."""


def init_api(app: Flask) -> ProblemApi:
    app.config.update(
        API_TITLE="Childcare Direct API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = ProblemApi(
        app,
        spec_kwargs={
            "info": {"description": "Invoice DWP for the Universal Credit childcare element. See API.md."},
            "servers": [{"url": "/"}],
        },
    )
    api.spec.components.security_scheme(
        "oauth2",
        {
            "type": "oauth2",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/oauth/token",
                    "scopes": {
                        "invoices:read": "Read this provider's invoices",
                        "invoices:write": "Submit and cancel invoices",
                        "payments:read": "Read payments and remittance advice",
                        "consents:read": "Read consents parents have given",
                        "consents:request": "Ask parents for consent",
                    },
                },
                "authorizationCode": {
                    "authorizationUrl": "/oauth/authorize",
                    "tokenUrl": "/oauth/token",
                    "scopes": {"consent": "A parent's consent for one child"},
                },
            },
        },
    )
    app.add_url_rule("/api/docs", "api_docs", lambda: _docs_page(api))
    return api


def _docs_page(api: Api) -> str:
    """The OpenAPI document as a GOV.UK page: readable with or without JavaScript, and offline."""
    spec = api.spec.to_dict()
    operations = [
        {
            "method": method.upper(),
            "path": path,
            **operation,
            "parameters": [*methods.get("parameters", []), *operation.get("parameters", [])],
        }
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if method in HTTP_METHODS
    ]
    return render_template(
        "api_docs.html",
        spec=spec,
        operations=operations,
        schemas=spec.get("components", {}).get("schemas", {}),
        schema_name=lambda ref: ref.rsplit("/", 1)[-1] if isinstance(ref, str) else "",
    )


def flatten_messages(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """webargs' nested error messages as (field path, message) pairs: ``lines[0].amount_pence``."""
    pairs: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            pairs += flatten_messages(value, path)
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        pairs += [(prefix, message) for message in messages]
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            pairs += flatten_messages(value, f"{prefix}[{index}]")
    else:
        pairs.append((prefix, str(messages)))
    return pairs
