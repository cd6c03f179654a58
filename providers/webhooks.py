"""Webhooks to nursery software (API.md "Webhooks out"): an outbox, signed posts, retries, resend.

An event is queued in the transaction of the change it tells about, one delivery per client of
the provider with a webhook address, so it exists if and only if the change happened. The
``deliver-webhooks`` job posts what is due with ``Childcare-Signature: t=<unix>,v1=<hex
HMAC-SHA256 of "<t>.<body>">`` and retries with backoff (1 minute doubling, up to 12 tries over
about 2 days); receivers dedupe by the event ``id``, which a resend keeps.

Each post goes only to an address that passes ``providers.addresses`` at that moment: the name
is resolved, every address checked, and the connection made to the checked address (so a name
pointed at an internal address after it was saved is never posted to), without following
redirects. The log says "could not connect" for any network failure, never which kind.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import certifi
import requests
import urllib3
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from config import audit, settings
from config.auth import Actor
from config.database import insert_many, transaction, utcnow
from config.errors import N_, NotFound
from providers import addresses
from providers.models import ApiClient, WebhookDelivery, WebhookStatus

EVENT_TYPES = frozenset(
    {
        "consent.authorised",
        "consent.revoked",
        "invoice.confirmed",
        "invoice.disputed",
        "invoice.approved",
        "invoice.rejected",
        "payment.sent",
        "payment.paid",
        "payment.failed",
    }
)
MAX_ATTEMPTS = 12
_CLIENTS = "webhook_clients"  # session.info key: clients listening, per provider, this transaction
TIMEOUT_SECONDS = 10
CONNECT_SECONDS = 5
# What the nursery's webhook log says of a delivery that failed (translated where it is shown).
COULD_NOT_CONNECT = N_("could not connect")
ADDRESS_NOT_ALLOWED = N_("address not allowed")

Poster = Callable[[str, bytes, dict[str, str]], int]


class DeliveryFailed(Exception):
    """A post that got no HTTP answer; ``str()`` is what the delivery log may say."""


def queue_event(session: Session, provider_id: uuid.UUID, event_type: str, data: dict[str, Any]) -> int:
    """Queue ``event_type`` for every live client of the provider with a webhook address.

    Call inside the caller's transaction. Returns how many deliveries were queued.
    """
    rows = _deliveries(session, [(provider_id, event_type, data)])
    session.add_all(WebhookDelivery(**row) for row in rows)
    return len(rows)


def queue_events(session: Session, events: Iterable[tuple[uuid.UUID, str, dict[str, Any]]]) -> int:
    """``queue_event`` for many ``(provider_id, event_type, data)`` at once (reconciling 100,000
    payments), written as rows in one go. Returns how many deliveries were queued."""
    rows = _deliveries(session, events)
    insert_many(session, WebhookDelivery, rows)
    return len(rows)


def _deliveries(
    session: Session, events: Iterable[tuple[uuid.UUID, str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    now = utcnow()
    events = list(events)
    listening = _listening_clients(session, {provider_id for provider_id, _type, _data in events})
    rows: list[dict[str, Any]] = []
    for provider_id, event_type, data in events:
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown webhook event type {event_type!r}")
        for client_id in listening[provider_id]:
            event_id = uuid.uuid4()
            rows.append(
                {
                    "id": event_id,
                    "api_client_id": client_id,
                    "provider_id": provider_id,
                    "event_type": event_type,
                    "payload": {
                        "id": str(event_id),
                        "type": event_type,
                        "created": int(now.timestamp()),
                        "data": json.loads(json.dumps(data, default=str)),
                    },
                    "created_at": now,
                    "status": WebhookStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_attempt_at": None,
                    "last_response": None,
                    "delivered_at": None,
                }
            )
    return rows


def _listening_clients(session: Session, provider_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Each provider's live clients with a webhook address: the providers not yet asked about in
    this transaction are read in one query, and each is read once per transaction (a batch
    settling 1,000 payments would otherwise ask 2,000 times)."""
    known: dict[uuid.UUID, list[uuid.UUID]] = session.info.setdefault(_CLIENTS, {})
    unknown = provider_ids - known.keys()
    if unknown:
        known.update((provider_id, []) for provider_id in unknown)
        with session.no_autoflush:  # pending changes cannot alter who listens; flush them once, later
            rows = session.execute(
                select(ApiClient.provider_id, ApiClient.id)
                .where(
                    ApiClient.provider_id.in_(unknown),
                    ApiClient.revoked_at.is_(None),
                    ApiClient.webhook_url.is_not(None),
                )
                .order_by(ApiClient.created_at, ApiClient.id)
            )
            for provider_id, client_id in rows:
                known[provider_id].append(client_id)
    return known


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_clients(session: Session) -> None:
    session.info.pop(_CLIENTS, None)


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, now: datetime, tolerance: int = 300) -> bool:
    """What a receiver does: check the HMAC and that the timestamp is recent (replays refused)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = signature_header(secret, timestamp, body).split("v1=", 1)[1]
    fresh = abs(now.timestamp() - timestamp) <= tolerance
    return fresh and hmac.compare_digest(expected, parts.get("v1", ""))


def post_checked(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_loopback: bool,
    resolve: addresses.Resolver = addresses.system_resolver,
) -> int:
    """Post ``body`` to ``url`` if its address is allowed now; the HTTP status of the answer.

    Resolve, check, then connect to the checked address (the name still goes in ``Host`` and,
    for https, in SNI and the certificate check). Redirects are answers, not instructions.
    Raises ``DeliveryFailed`` with a message that says no more than the log may.
    """
    try:
        target = addresses.check_webhook_url(
            url, allow_loopback=allow_loopback, resolve=resolve, must_resolve=True
        )
    except addresses.AddressRefused as exc:
        raise DeliveryFailed(ADDRESS_NOT_ALLOWED) from exc
    pool = _pool(target)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
        response.drain_conn()
        return int(response.status)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise DeliveryFailed(COULD_NOT_CONNECT) from exc
    finally:
        pool.close()


def _pool(target: addresses.Target) -> urllib3.HTTPConnectionPool:
    """A one-connection pool to the first checked address of ``target``."""
    timeout = urllib3.Timeout(connect=CONNECT_SECONDS, read=TIMEOUT_SECONDS)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.ips[0],
            target.port,
            timeout=timeout,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    return urllib3.HTTPConnectionPool(target.ips[0], target.port, timeout=timeout, maxsize=1)


def default_poster() -> Poster:
    """``post_checked`` with the system's resolver; loopback allowed only outside production."""
    allow_loopback = not settings.current().is_production

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        return post_checked(url, body, headers, allow_loopback=allow_loopback)

    return post


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 12 * 60))


def deliver_due(session: Session, post: Poster | None = None, limit: int = 200) -> dict[str, int]:
    """Post each due delivery once; a 2xx is delivered, anything else is tried again later.

    ``post`` defaults to ``default_poster()``: checked addresses only (see the module's docstring).

    Each delivery is claimed (row lock, skipping rows another scheduler holds) and settled in its
    own short transaction, so a slow receiver never holds up the others' bookkeeping.
    """
    post = post or default_poster()
    counts = {"delivered": 0, "retrying": 0, "failed": 0}
    now = utcnow()
    due_ids = session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == WebhookStatus.PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    session.rollback()
    for delivery_id in due_ids:
        with transaction(session):
            delivery = session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == WebhookStatus.PENDING)
                .with_for_update(skip_locked=True)
            ).one_or_none()
            if delivery is None:
                continue
            client = session.get_one(ApiClient, delivery.api_client_id)
            outcome = _attempt(delivery, client, post)
            counts[outcome] += 1
    return counts


def _attempt(delivery: WebhookDelivery, client: ApiClient, post: Poster) -> str:
    now = utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    if client.revoked_at is not None or not client.webhook_url or not client.webhook_secret:
        delivery.status, delivery.last_response = WebhookStatus.FAILED, N_("client revoked or has no webhook")
        return "failed"
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ChildcareDirect-Webhooks/1",
        "Childcare-Signature": signature_header(client.webhook_secret, int(now.timestamp()), body),
    }
    try:
        status = post(client.webhook_url, body, headers)
        redirected = " (redirects are not followed)" if 300 <= status < 400 else ""
        delivery.last_response = f"HTTP {status}{redirected}"
        ok = 200 <= status < 300
    except DeliveryFailed as exc:
        delivery.last_response = str(exc)
        ok = False
    except requests.RequestException:
        delivery.last_response = COULD_NOT_CONNECT  # which failure it was would map ports
        ok = False
    if ok:
        delivery.status, delivery.delivered_at = WebhookStatus.DELIVERED, now
        return "delivered"
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookStatus.FAILED
        return "failed"
    delivery.next_attempt_at = now + _backoff(delivery.attempts)
    return "retrying"


def resend(session: Session, actor: Actor, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Send an event again (same event id, so a receiver that had it ignores it)."""
    provider_id = actor.require_provider()
    with transaction(session):
        delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
        if delivery is None or delivery.provider_id != provider_id:
            raise NotFound("No such webhook delivery")
        delivery.status, delivery.attempts, delivery.next_attempt_at = WebhookStatus.PENDING, 0, utcnow()
        audit.record(session, "webhook.resend_requested", delivery, actor, {"type": delivery.event_type})
    return delivery


def deliveries(session: Session, actor: Actor, limit: int = 100) -> list[WebhookDelivery]:
    provider_id = actor.require_provider()
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.provider_id == provider_id)
            .order_by(WebhookDelivery.created_at.desc())
            .limit(limit)
        )
    )
