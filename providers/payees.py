"""Who a provider is paid to: the one path that changes it.

A payee is the provider's bank account (paid by Bacs) or its Stripe connected account. It is set
at registration, and changed only here: asked for by one of the provider's admins in the portal,
or recorded by a DWP finance officer with a reason. Either way the details are checked (Pay.UK's
modulus check; the Stripe account id's form), the provider's admins are emailed at once, the old
and new details (masked) go into the audit event, and the provider's payments are held until a
DWP person other than whoever asked has released the change (and, once the provider is verified,
until the cooling-off period has passed too: before that, nothing is paid to it anyway). Nothing
else writes a payee, and no change is written without a hold (a structure test and database
triggers see to it).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext
from sqlalchemy.orm import Session

from config import audit, notify, settings
from config.auth import Actor, ActorKind, StaffRole
from config.database import transaction, utcnow
from config.errors import N_, FieldError, Forbidden, ValidationFailed, rule
from config.formatting import day
from providers import repository
from providers.models import Payee, PayeeRail, Provider, ProviderStatus
from providers.rules import normalise_account_number, normalise_sort_code, passes_modulus_check

STRIPE_ACCOUNT_ID = re.compile(r"acct_[A-Za-z0-9]{1,60}")
# The Bacs character set's letters and digits: a name with none of them cannot go in a file.
_BACS_NAME = re.compile(r"[A-Za-z0-9]")


@dataclass(frozen=True)
class BankDetails:
    sort_code: str
    account_number: str
    account_name: str


@dataclass(frozen=True)
class StripeAccount:
    account_id: str


Destination = BankDetails | StripeAccount


def check_bank_details(bank: BankDetails, prefix: str = "") -> BankDetails:
    """The details normalised, or ``ValidationFailed`` naming each bad field (modulus check too)."""
    errors: list[FieldError] = []
    checked = {}
    for field, normalise in (
        ("sort_code", normalise_sort_code),
        ("account_number", normalise_account_number),
    ):
        try:
            checked[field] = normalise(getattr(bank, field))
        except ValueError as exc:
            errors.append(FieldError(prefix + field, str(exc)))
    name = " ".join(bank.account_name.split())
    if not name:
        errors.append(FieldError(prefix + "account_name", "Enter the name on the account"))
    elif not _BACS_NAME.search(name):
        errors.append(FieldError(prefix + "account_name", "Enter the name on the account as the bank has it"))
    elif len(name) > 200:
        errors.append(
            FieldError(prefix + "account_name", "The name on the account must be 200 characters or fewer")
        )
    if not errors and not passes_modulus_check(checked["sort_code"], checked["account_number"]):
        errors.append(
            FieldError(
                prefix + "account_number",
                "Check the sort code and account number: they do not match a real bank account",
            )
        )
    if errors:
        raise ValidationFailed("The bank details are not valid", errors=errors)
    return BankDetails(checked["sort_code"], checked["account_number"], name)


def check_stripe_account(account: StripeAccount) -> StripeAccount:
    account_id = account.account_id.strip()
    if not STRIPE_ACCOUNT_ID.fullmatch(account_id):
        message = N_("Enter a connected account ID, like acct_1Nv0FGQ9RKHgCVdK")
        raise ValidationFailed(message, errors=[FieldError("stripe_account", message)])
    return StripeAccount(account_id)


def _checked(destination: Destination) -> Destination:
    if isinstance(destination, BankDetails):
        return check_bank_details(destination)
    return check_stripe_account(destination)


def _columns(destination: Destination) -> dict[str, object]:
    if isinstance(destination, BankDetails):
        return {"rail": PayeeRail.BACS, **destination.__dict__}
    return {"rail": PayeeRail.STRIPE, "stripe_account_id": destination.account_id}


def masked(payee: Payee | None) -> dict[str, str] | None:
    """A payee as the audit log and emails keep it: no full account number."""
    if payee is None:
        return None
    if payee.rail is PayeeRail.STRIPE:
        return {"rail": "stripe", "stripe_account": payee.stripe_account_id or ""}
    return {
        "rail": "bacs",
        "sort_code": payee.sort_code or "",
        "account_ending": (payee.account_number or "")[-4:],
        "account_name": payee.account_name or "",
    }


def first_payee(session: Session, provider: Provider, bank: BankDetails, actor: Actor) -> Payee:
    """The bank details given at registration (checked by DWP before the provider is verified).
    Part of the registration's transaction."""
    payee = Payee(
        provider=provider,
        requested_by_kind="registration",
        requested_by_label=actor.label,
        **_columns(check_bank_details(bank, "bank.")),
    )
    session.add(payee)
    return payee


def change_payee(
    session: Session, actor: Actor, provider_id: uuid.UUID, destination: Destination, reason: str = ""
) -> Payee:
    """Where the provider is paid from now on: asked for by one of its admins, or recorded by a DWP
    finance officer with a reason. Payments are held until a second DWP person releases the
    change, and for a verified provider through the cooling-off period too; its admins are
    emailed at once.

    Refused (nothing changed) for anyone else, for details that do not check out, and for a DWP
    officer who gives no reason."""
    reason = (reason or "").strip()
    if actor.kind is ActorKind.STAFF:
        actor.require_role(StaffRole.FINANCE_OFFICER)
        if not reason:
            raise ValidationFailed(
                "Give a reason", errors=[FieldError("reason", "Enter why the payment details change")]
            )
        if len(reason) > 500:
            message = N_("The reason must be 500 characters or fewer")
            raise ValidationFailed(message, errors=[FieldError("reason", message)])
    elif actor.require_provider() != provider_id or not actor.provider_admin:
        raise Forbidden("Only an admin of the setting can change where it is paid")
    destination = _checked(destination)
    now = utcnow()
    with transaction(session):
        provider = repository.get_provider(session, provider_id, for_update=True)
        old = repository.current_payee(session, provider_id)
        if old is not None:
            old.is_current = False
            session.flush()  # the one-current-payee index must see the old row retired first
        # Every change is held until a second DWP person releases it, before verification too (a
        # check of the registration saw the old details, not these); a verified provider's payments
        # also wait out the cooling-off period, so its admins can object first.
        verified = provider.status is not ProviderStatus.PENDING_VERIFICATION
        hold_until = now + timedelta(days=settings.current().bank_change_cooling_off_days if verified else 0)
        payee = Payee(
            provider=provider,
            requested_by_kind="staff" if actor.kind is ActorKind.STAFF else "provider_user",
            requested_by_id=actor.id,
            requested_by_label=actor.label,
            reason=reason or None,
            hold_until=hold_until,
            **_columns(destination),
        )
        session.add(payee)
        session.flush()
        audit.record(
            session,
            "provider.payee_changed",
            provider,
            actor,
            {
                "payee_id": str(payee.id),
                "from": masked(old),
                "to": masked(payee),
                "hold_until": hold_until.isoformat() if hold_until else None,
                "reason": reason or None,
            },
        )
        _tell_admins(session, provider, payee, actor, hold_until if verified else None)
    return payee


def _tell_admins(
    session: Session, provider: Provider, payee: Payee, actor: Actor, hold_until: datetime | None
) -> None:
    """Every admin hears at once, so that a change nobody at the nursery asked for is noticed."""
    who = "DWP" if actor.kind is ActorKind.STAFF else actor.label
    for email in repository.admin_emails(session, provider.id):
        notify.queue_email(
            session,
            to=email,
            template="payee_changed",
            reference=f"payee-changed-{payee.id}-{email}",
            provider=provider.name,
            who=who,
            destination=payee.destination,
            held_until=day(hold_until) if hold_until else lazy_gettext("DWP has verified your registration"),
        )


def release_payee(session: Session, actor: Actor, provider_id: uuid.UUID, payee_id: uuid.UUID) -> Payee:
    """A DWP person, not the one who asked for it, releases the payee change they were shown
    (``payee_id``): payments resume once the cooling-off period has passed too. Refused if
    another change has been made since, so nobody releases details they never saw."""
    actor.require_role(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER)

    def self_release() -> Forbidden:
        return Forbidden("Someone other than the person who recorded the change must release it")

    with transaction(session, {"released_by_someone_else": self_release}):
        provider = repository.get_provider(session, provider_id, for_update=True)
        payee = repository.current_payee(session, provider_id)
        if payee is None or payee.hold_until is None or payee.released_at is not None:
            raise rule("nothing_to_release", "Nothing to release", "These payment details are not on hold")
        if payee.id != payee_id:
            raise rule(
                "payee_changed_since",
                "The payment details changed",
                "The payment details changed after you opened the page: check the new ones before you "
                "release them",
            )
        if payee.requested_by_kind == "staff" and payee.requested_by_id == actor.id:
            raise self_release()
        payee.released_at, payee.released_by_id = utcnow(), actor.staff_id
        audit.record(
            session,
            "provider.payee_released",
            provider,
            actor,
            {"payee_id": str(payee.id), "to": masked(payee), "hold_until": payee.hold_until.isoformat()},
        )
    return payee
