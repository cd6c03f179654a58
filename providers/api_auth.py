"""Bearer tokens on the API: who is calling, for which provider, with which scopes.

A missing, unknown, expired or revoked token answers 401 with ``WWW-Authenticate: Bearer``; a
token without the scope answers 403. Both as problem JSON, like every other API error.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import g, request
from sqlalchemy import select

from config.auth import Actor
from config.database import utcnow
from config.errors import DomainError
from config.extensions import request_session
from providers.models import ApiClient, OAuthToken
from providers.service import api_client_actor


class Unauthenticated(DomainError):
    status = 401
    code = "invalid_token"
    title = "Not signed in"


class InsufficientScope(DomainError):
    status = 403
    code = "insufficient_scope"
    title = "The token does not allow this"


@dataclass(frozen=True)
class ApiCaller:
    actor: Actor
    scopes: frozenset[str]
    consent_id: uuid.UUID | None


def _caller() -> ApiCaller:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("Send an access token: Authorization: Bearer <token>")
    digest = hashlib.sha256(value.strip().encode()).hexdigest()
    db = request_session()
    found = db.execute(
        select(OAuthToken, ApiClient)
        .join(ApiClient, ApiClient.id == OAuthToken.api_client_id)
        .where(OAuthToken.access_token_hash == digest)
    ).one_or_none()
    token, client = found if found is not None else (None, None)
    if token is None or client is None or token.revoked_at is not None or token.access_expires_at <= utcnow():
        raise Unauthenticated("The access token is not valid: it is unknown, expired or revoked")
    if client.revoked_at is not None:
        raise Unauthenticated("The API client has been revoked")
    actor = api_client_actor(client.id, token.provider_id, client.name)
    return ApiCaller(actor, frozenset(token.scope.split()), token.consent_id)


def requires_scope(*scopes: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view needs a valid token holding any one of ``scopes``; ``g.caller`` says who it is."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            caller = _caller()
            if not caller.scopes & set(scopes):
                raise InsufficientScope(f"This needs a token with the scope {' or '.join(scopes)}")
            g.caller = caller
            return view(*args, **kwargs)

        wrapper.required_scopes = scopes  # type: ignore[attr-defined]  # read by the route structure test
        return wrapper

    return decorate
