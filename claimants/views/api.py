"""API v1: consents (API.md). Another provider's consent is simply not found."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, request

from claimants import repository, service
from claimants.models import Consent
from claimants.schemas import (
    ConsentPageSchema,
    ConsentQuerySchema,
    ConsentRequestAnswerSchema,
    ConsentRequestSchema,
    ConsentSchema,
)
from claimants.views.quotas import take_consent_request
from config.api import ApiBlueprint, OptionalIdempotencyHeaderSchema
from config.errors import NotFound
from config.extensions import request_session
from providers import idempotency as idempotent
from providers.api_auth import requires_scope
from providers.idempotency import Idempotency

claimants_api = ApiBlueprint("claimants_api", __name__, url_prefix="/api/v1", description="Consents")


@claimants_api.get("/consents")
@claimants_api.arguments(ConsentQuerySchema, location="query", as_kwargs=True)
@claimants_api.response(200, ConsentPageSchema)
@claimants_api.doc(security=[{"oauth2": ["consents:read"]}])
@claimants_api.problems
@requires_scope("consents:read")
def list_consents(limit: int, cursor: str | None, status: Any = None) -> dict[str, Any]:
    """Consents parents have given this provider, newest first."""
    rows, next_cursor = repository.consents_of_provider_page(
        request_session(), g.caller.actor.provider_id, status, limit, cursor
    )
    return {"data": rows, "next_cursor": next_cursor}


@claimants_api.get("/consents/<uuid:consent_id>")
@claimants_api.response(200, ConsentSchema)
@claimants_api.doc(security=[{"oauth2": ["consents:read"]}, {"oauth2": ["consent"]}])
@claimants_api.problems
@requires_scope("consents:read", "consent")
def get_consent(consent_id: uuid.UUID) -> Consent:
    """One consent: with a provider token, or the token the parent's consent itself gave."""
    caller = g.caller
    consent = repository.consent_of_provider(request_session(), caller.actor.provider_id, consent_id)
    if "consents:read" not in caller.scopes and caller.consent_id != consent.id:
        raise NotFound("No consent with that id")
    return consent


@claimants_api.post("/consent-requests")
@claimants_api.arguments(OptionalIdempotencyHeaderSchema, location="headers", as_kwargs=True)
@claimants_api.arguments(ConsentRequestSchema)
@claimants_api.response(202, ConsentRequestAnswerSchema)
@claimants_api.doc(security=[{"oauth2": ["consents:request"]}])
@claimants_api.problems
@requires_scope("consents:request")
def request_consent(body: dict[str, str], idempotency_key: str | None) -> Consent:
    """Ask a parent (by email) for consent; they get a link to the consent screen. Send an
    Idempotency-Key: the same key and body answer the first request again and email nobody.

    At most RATE_LIMIT_CONSENT_REQUESTS_PROVIDER per provider and
    RATE_LIMIT_CONSENT_REQUESTS_PARENT per parent address: over them, 429 with Retry-After (a
    replay does not count).
    """
    session, actor = request_session(), g.caller.actor
    email, child = body["parent_email"], body["child_first_name"]
    if idempotency_key is None:
        take_consent_request(actor.provider_id, email)
        return service.request_consent(session, actor, parent_email=email, child_first_name=child)
    key = Idempotency.of(
        actor.id, idempotency_key, request.get_json(silent=True), endpoint="consent_requests.create"
    )
    if idempotent.earlier(session, key) is None:
        take_consent_request(actor.provider_id, email)
    session.rollback()  # only read
    consent, _replayed = service.request_consent_once(
        session, actor, parent_email=email, child_first_name=child, idempotency=key
    )
    return consent
