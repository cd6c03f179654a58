"""Emails to people, through an outbox: queued in the transaction of the event they tell about.

A notification is a row written beside the change it announces, so it is sent if and only if
the change happened. The ``send-notifications`` job sends what is due through GOV.UK Notify
(``notifications-python-client``) when ``NOTIFY_API_KEY`` is set, retrying with backoff; without
a key (development) it marks them as not sent and the development outbox page lists them, links
and all, so the demo journeys can be followed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask import has_app_context
from sqlalchemy import Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from config import settings
from config.database import Base, Timestamps, UUIDPrimaryKey, utcnow

MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


# Each message's wording; in production the same keys name GOV.UK Notify templates
# (NOTIFY_TEMPLATE_<KEY> holds the template id) with the same personalisation fields.
TEMPLATES: dict[str, Template] = {
    "consent_request": Template(
        "{provider} asks to invoice DWP for {child}'s childcare",
        "{provider} would like to send invoices for {child}'s childcare straight to DWP, so you do not "
        "pay first and claim back later.\n\nGive or refuse consent: {link}",
    ),
    "invoice_to_confirm": Template(
        "Confirm your childcare invoice from {provider}",
        "{provider} has sent invoice {invoice_number} for {child}'s care from {care_from} to {care_to}. "
        "DWP expects to pay {dwp} and you would pay {parent}.\n\nDWP only pays once you confirm it: {link}",
    ),
    "invoice_reminder": Template(
        "Reminder: confirm your childcare invoice from {provider}",
        "Invoice {invoice_number} from {provider} is still waiting for you. DWP cannot pay your provider "
        "until you confirm it or tell us what is wrong: {link}",
    ),
    "invoice_escalated_parent": Template(
        "Invoice {invoice_number} from {provider} is still waiting for you",
        "You have not confirmed or disputed invoice {invoice_number} from {provider} for {days} days. "
        "DWP does not pay your provider until you answer, and has been told it is waiting.\n\n"
        "Confirm it or tell us what is wrong: {link}",
    ),
    "invoice_escalated_provider": Template(
        "Invoice {invoice_number} is still waiting for the parent",
        "The parent has not confirmed or disputed invoice {invoice_number} for {days} days. DWP has "
        "been told and has reminded the parent; it does not pay until the parent answers.\n\n"
        "See the invoice: {link}",
    ),
    "invoice_nothing_to_pay": Template(
        "DWP will not pay towards invoice {invoice_number}",
        "Your Universal Credit childcare limit for the assessment period was already used when invoice "
        "{invoice_number} came to be paid, so DWP pays nothing towards it. You owe your provider the "
        "whole amount, {parent}.\n\nSee the invoice: {link}",
    ),
    "payee_changed": Template(
        "Where DWP pays {provider} has changed",
        "{who} changed where DWP pays {provider}: from now on it pays {destination}. DWP holds payments "
        "to you until {held_until} and until it has checked the change with you.\n\nIf you did not ask "
        "for this, call DWP's Childcare Direct team straight away on the number you already have for "
        "us: do not use any number in an email.",
    ),
    "provider_invitation": Template(
        "{inviter} invited you to {provider}'s Childcare Direct account",
        "{inviter} invited you to send invoices to DWP for {provider}.\n\nCreate your password within "
        "7 days: {link}\n\nIf you did not expect this, you can ignore this email.",
    ),
    "provider_locked": Template(
        "Someone is trying to sign in to your Childcare Direct account",
        "Someone entered the wrong password or security code for your account too many times from one "
        "place, so we stopped accepting tries from there until {until}, longer if they go on. You can "
        "still sign in as usual. If this was not you, reset your password and sign out everywhere. "
        "We email you once each time this happens, not for every try.",
    ),
    "provider_password_reset": Template(
        "Reset your Childcare Direct password",
        "Someone asked to reset the password for your Childcare Direct account. Choose a new password "
        "within 1 hour: {link}\n\nThe link works once. Resetting signs you out on every device; you "
        "will still need your security code. If you did not ask for this, you can ignore this email.",
    ),
    "provider_password_changed": Template(
        "Your Childcare Direct password has been changed",
        "The password for your Childcare Direct account has just been reset, and you have been signed "
        "out on every device. If this was not you, call DWP's Childcare Direct team straight away.",
    ),
    "provider_registered": Template(
        "{provider} is registered with Childcare Direct",
        "We have your registration for {provider}. DWP will check it with {regulator} and confirm your "
        "bank details. You can sign in and get ready now; you can send invoices once we verify you.",
    ),
    "payment_failed": Template(
        "A DWP payment to you did not arrive: {reference_code}",
        "DWP's payment {reference_code} of {amount} did not reach you ({reason}). Its invoices will be "
        "paid again in the next payment run; check your bank details are right: {link}",
    ),
    "invoice_disputed": Template(
        "A parent disputed invoice {invoice_number}",
        "The parent disputed invoice {invoice_number} for {child}. DWP will look into it.\n\n"
        "Their reason: {reason}",
    ),
    # To parents, at each change of their consents and invoices (README "Emails parents and
    # nurseries get"). Reasons are the public words of DWP's reason codes, never a note.
    "consent_given": Template(
        "{provider} can now invoice DWP for {child}'s childcare",
        "You gave {provider} your consent to send invoices for {child}'s childcare straight to DWP, "
        "until {until}. You confirm each invoice before DWP pays its share.\n\n"
        "See or stop your consents: {link}",
    ),
    "consent_stopped": Template(
        "{provider} can no longer invoice DWP for {child}",
        "You stopped your consent on {on}. {provider} cannot send DWP new invoices for {child}'s "
        "childcare: from now on you pay {provider} in full, and report the costs in your Universal "
        "Credit account as before. Invoices you have already confirmed will still be paid, and you "
        "can still confirm or dispute invoices waiting for you.\n\nSee your consents: {link}",
    ),
    "consent_ending": Template(
        "Your consent for {provider} lasts until {ends}",
        "Your consent for {provider} to invoice DWP for {child}'s childcare lasts until {ends}. After "
        "that DWP will not accept their invoices for {child}, and you would pay {provider} in full.\n\n"
        "Renew it for another year: {link}",
    ),
    "consent_ended": Template(
        "Your consent for {provider} has ended",
        "Your consent for {provider} to invoice DWP for {child}'s childcare ended on {ended}. DWP no "
        "longer accepts their invoices for {child}: until you renew it, you pay {provider} in full.\n\n"
        "Renew it: {link}",
    ),
    "invoice_approved": Template(
        "DWP will pay its share of invoice {invoice_number}",
        "DWP has approved invoice {invoice_number} from {provider} for {child}'s care. It pays "
        "{provider} {dwp} in its next payment run. You owe {provider} the rest, {parent}.\n\n"
        "See the invoice: {link}",
    ),
    "invoice_held": Template(
        "DWP is checking invoice {invoice_number} before paying",
        "DWP is checking invoice {invoice_number} from {provider} for {child}'s care before it pays "
        "its share ({reason}). You do not need to do anything unless DWP contacts you.\n\n"
        "See the invoice: {link}",
    ),
    "invoice_rejected": Template(
        "DWP will not pay invoice {invoice_number}",
        "DWP decided not to pay invoice {invoice_number} from {provider} for {child}'s care. "
        "The reason: {reason}. DWP pays nothing towards it; talk to {provider} about it.\n\n"
        "See the invoice: {link}",
    ),
    "invoice_paid": Template(
        "DWP has paid {provider} its share of invoice {invoice_number}",
        "DWP has paid {provider} {dwp} for invoice {invoice_number}, for {child}'s care. You owe "
        "{provider} the rest, {parent}, if you have not paid it already.\n\nSee the invoice: {link}",
    ),
    "partner_invitation": Template(
        "{inviter} invited you to share your joint claim's childcare account",
        "{inviter} invited you to Childcare Direct, to see and answer the childcare invoices and "
        "consents of your joint Universal Credit claim.\n\nWithin 7 days, sign in with this email "
        "address and enter your claim reference and your own National Insurance number: {link}\n\n"
        "If you do not share a Universal Credit claim with {inviter}, you can ignore this email.",
    ),
    "dispute_decided": Template(
        "DWP has decided about your dispute of invoice {invoice_number}",
        "You disputed invoice {invoice_number} from {provider} for {child}'s care. DWP's decision: "
        "{reason}. {outcome}\n\nSee the invoice: {link}",
    ),
    "award_difference": Template(
        "Your Universal Credit award allows less childcare than DWP paid for {start} to {end}",
        "DWP paid your childcare providers {paid} for your assessment period from {start} to {end}. "
        "Your Universal Credit award for that period, worked out since, allows {element} for "
        "childcare costs.\n\nThe difference, {difference}, is recorded against your Universal "
        "Credit claim. It is not taken back from your providers, and you do not need to pay them "
        "anything more because of it. DWP will tell you what happens next.\n\n"
        "See the assessment period: {link}",
    ),
}


class Notification(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    template: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    email: Mapped[str] = mapped_column(String(320))
    personalisation: Mapped[dict[str, Any]]
    reference: Mapped[str] = mapped_column(String(100))
    # pending, sent, failed (gave up), or not_sent (development: no Notify key)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    notify_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)

    def rendered(self) -> Template:
        template = templates_for(self.language)[self.template]
        values = {k: str(v) for k, v in self.personalisation.items()}
        return Template(template.subject.format(**values), template.body.format(**values))


# Who knows which language a person chose (parents, nursery users): each package registers how to
# find it from an email address, so an email goes out in the language of its reader.
LanguageLookup = Callable[[Session, str], str | None]
_LANGUAGE_LOOKUPS: list[LanguageLookup] = []


def register_language_lookup(lookup: LanguageLookup) -> None:
    if lookup not in _LANGUAGE_LOOKUPS:
        _LANGUAGE_LOOKUPS.append(lookup)


# Who else reads the emails about a household sent to one parent: on a joint claim, the emails to
# the lead about the household's consents and invoices go to their partner too (claimants knows who).
CopiesLookup = Callable[[Session, str], list[str]]
_COPIES_LOOKUPS: list[CopiesLookup] = []
HOUSEHOLD_TEMPLATES = frozenset(
    {
        "consent_request",
        "invoice_to_confirm",
        "invoice_reminder",
        "invoice_escalated_parent",
        "invoice_nothing_to_pay",
        "consent_given",
        "consent_stopped",
        "consent_ending",
        "consent_ended",
        "invoice_approved",
        "invoice_held",
        "invoice_rejected",
        "invoice_paid",
        "dispute_decided",
    }
)


def register_household_copies(lookup: CopiesLookup) -> None:
    if lookup not in _COPIES_LOOKUPS:
        _COPIES_LOOKUPS.append(lookup)


def templates_for(language: str) -> dict[str, Template]:
    from config.notify_cy import TEMPLATES_CY

    return TEMPLATES_CY if language == "cy" else TEMPLATES


def reader_language(session: Session, email: str) -> str:
    """The language the reader of ``email`` chose; for an address nobody has signed in with yet
    (a consent request to a new parent), the language of the page that sent it."""
    for lookup in _LANGUAGE_LOOKUPS:
        found = lookup(session, email)
        if found in ("en", "cy"):
            return str(found)
    from config.formatting import page_locale

    return page_locale()


def _in_language(language: str, values: dict[str, object]) -> dict[str, str]:
    """The email's values as text in its reader's language: words given lazily (a reason's
    words, an outcome) are made in it, not in the language of whoever caused the email."""
    if not has_app_context():
        return {key: str(value) for key, value in values.items()}
    from flask_babel import force_locale

    with force_locale(language):
        return {key: str(value) for key, value in values.items()}


def looks_like_email(address: str) -> bool:
    """Whether ``address`` can be an email address, as far as the service checks: something, an
    "@", then a domain with a dot inside it ("bad@", "name@example" and "name@.com" are not)."""
    local, at, domain = address.strip().rpartition("@")
    return bool(local and at) and "." in domain.strip(".") and not any(c.isspace() for c in address.strip())


def _opens_in(language: str, values: dict[str, str]) -> dict[str, str]:
    """A Welsh email's link to the service opens its page in Welsh (``lang=cy``, kept through
    signing in by ``config.language``), even in a browser that has never been to the service."""
    link = values.get("link", "")
    base = settings.current().base_url.rstrip("/")
    if language != "cy" or not link.startswith(base + "/"):
        return values
    return {**values, "link": f"{link}{'&' if '?' in link else '?'}lang=cy"}


def queue_email(
    session: Session, *, to: str, template: str, reference: str, **personalisation: object
) -> Notification:
    """Queue an email in the caller's transaction (never sent if that transaction rolls back), in
    the language its reader chose; an email about a household (``HOUSEHOLD_TEMPLATES``) goes to
    each partner on the claim too, each in their own language. Returns the first reader's."""
    if template not in TEMPLATES:
        raise KeyError(f"no notification template {template!r}")
    first = _queue_one(session, to, template, reference, personalisation)
    if template in HOUSEHOLD_TEMPLATES:
        for lookup in _COPIES_LOOKUPS:
            for copy_to in lookup(session, to):
                if copy_to != to:
                    _queue_one(session, copy_to, template, reference, personalisation)
    return first


def _queue_one(
    session: Session, to: str, template: str, reference: str, personalisation: dict[str, object]
) -> Notification:
    language = reader_language(session, to)
    notification = Notification(
        id=uuid.uuid4(),
        template=template,
        language=language,
        email=to,
        reference=reference,
        personalisation=_opens_in(language, _in_language(language, personalisation)),
    )
    session.add(notification)
    return notification


class NotifyClient(Protocol):
    def send_email_notification(
        self, *, email_address: str, template_id: str, personalisation: dict[str, str], reference: str
    ) -> dict[str, Any]: ...


def notify_client() -> NotifyClient | None:
    key = os.environ.get("NOTIFY_API_KEY")
    if not key:
        return None
    from notifications_python_client.notifications import NotificationsAPIClient

    client: NotifyClient = NotificationsAPIClient(key)
    return client


def template_id(template: str, language: str) -> str:
    """The GOV.UK Notify template for ``template`` in ``language``: NOTIFY_TEMPLATE_<KEY> for
    English, NOTIFY_TEMPLATE_<KEY>_CY for Welsh (README, "Emails parents and nurseries get")."""
    suffix = "_CY" if language == "cy" else ""
    return os.environ.get(f"NOTIFY_TEMPLATE_{template.upper()}{suffix}", "")


def send_due(session: Session, client: NotifyClient | None, limit: int = 200) -> dict[str, int]:
    """Send what is due; a failure is retried later with exponential backoff, then given up on."""
    counts = {"sent": 0, "retrying": 0, "failed": 0, "not_sent": 0}
    now = utcnow()
    due = session.scalars(
        select(Notification)
        .where(Notification.status == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for notification in due:
        if client is None:
            notification.status = "not_sent"
            counts["not_sent"] += 1
            continue
        notification.attempts += 1
        try:
            answer = client.send_email_notification(
                email_address=notification.email,
                template_id=template_id(notification.template, notification.language),
                personalisation=dict(notification.personalisation),
                reference=notification.reference,
            )
        except Exception as error:
            notification.last_error = str(error)[:2000]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = "failed"
                counts["failed"] += 1
            else:
                notification.next_attempt_at = now + timedelta(minutes=2**notification.attempts)
                counts["retrying"] += 1
            continue
        notification.status, notification.sent_at = "sent", now
        notification.notify_id = str(answer.get("id", ""))
        counts["sent"] += 1
    session.commit()
    return counts


def recent(session: Session, limit: int = 100) -> list[Notification]:
    return list(session.scalars(select(Notification).order_by(Notification.created_at.desc()).limit(limit)))
