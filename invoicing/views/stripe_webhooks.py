"""Stripe's webhooks: signature checked, each event recorded once. Acted on by reconciliation only."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from config import settings
from config.errors import Forbidden
from config.extensions import request_session
from invoicing.rails.stripe import BadSignature, verified_event
from invoicing.service import reconciliation

invoicing_stripe = Blueprint("invoicing_stripe", __name__, url_prefix="/stripe")


@invoicing_stripe.post("/webhooks")
def webhooks() -> ResponseReturnValue:
    secret = settings.current().stripe_webhook_secret
    if not secret:
        raise Forbidden("Stripe webhooks are not configured")
    try:
        event = verified_event(request.get_data(), request.headers.get("Stripe-Signature", ""), secret)
    except BadSignature:
        raise Forbidden("The Stripe signature is not valid") from None
    new = reconciliation.record_stripe_event(request_session(), event)
    return {"received": True, "duplicate": not new}, 200
