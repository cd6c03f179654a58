"""Demonstration data: every person, and invoices, consents and batches in every resting state.

Everything is made through the service layer, as real users would make it, so the audit chain
is whole and every rule holds. ``submitted`` is not a resting state: a submitted invoice is sent
to the parent for confirmation in the same transaction.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from claimants import service as claimants
from claimants.models import Child, Consent, Parent
from config import demo_claims
from config.auth import SYSTEM, Actor, ActorKind, StaffRole
from invoicing import service as invoicing
from invoicing.models import Invoice
from invoicing.service import InvoiceInput, LineInput
from providers import accounts, payees
from providers import service as providers
from providers.models import Provider, ProviderUser, Regulator
from staff.models import StaffUser

DEMO_REDIRECT_URI = "http://127.0.0.1:5000/demo/callback"
# Development only, like the rest of the demo: every demo nursery login uses it.
DEMO_PASSWORD = "demo-nursery-password"  # noqa: S105


class DatabaseNotEmpty(RuntimeError):
    pass


def _staff(session: Session, email: str, name: str, role: StaffRole) -> Actor:
    user = StaffUser(
        id=uuid.uuid4(),
        email=email,
        name=name,
        roles=[role.value],
        oidc_subject=f"staff-{email.split('@')[0]}",
    )
    session.add(user)
    session.commit()
    return user.as_actor()


def _provider_actor(session: Session, provider: Provider) -> Actor:
    user = session.scalars(select(ProviderUser).where(ProviderUser.provider_id == provider.id)).first()
    assert user is not None
    return Actor(
        kind=ActorKind.PROVIDER_USER,
        id=user.id,
        label=user.name,
        provider_id=provider.id,
        provider_admin=True,
    )


def _month_before(day: date) -> tuple[date, date]:
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def seed(factory: sessionmaker[Session], *, force: bool = False) -> dict[str, Any]:
    with factory() as session:
        if not force and session.scalar(select(func.count()).select_from(Provider)):
            raise DatabaseNotEmpty("The database already has data: use --force to add demo data anyway")
        # Logins stay short and memorable on a fresh database; a forced second seed tags them.
        first_seed = not session.scalar(select(func.count()).select_from(StaffUser))
        return _seed(session, first_seed)


def _seed(session: Session, first_seed: bool) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:4].upper()  # keeps a forced second seed's unique values apart
    at = "" if first_seed else f".{tag.lower()}"
    # A second set's people and settings are named apart too, so sign-in lists are unambiguous.
    apart = "" if first_seed else f" ({tag})"
    caseworker = _staff(
        session, f"caseworker{at}@dwp.example", f"Cara Caseworker{apart}", StaffRole.CASEWORKER
    )
    officer = _staff(session, f"finance{at}@dwp.example", f"Femi Finance{apart}", StaffRole.FINANCE_OFFICER)
    approver = _staff(session, f"approver{at}@dwp.example", f"Abi Approver{apart}", StaffRole.APPROVER)
    _staff(session, f"auditor{at}@dwp.example", f"Ade Auditor{apart}", StaffRole.AUDITOR)

    def register(
        name: str,
        regulator: Regulator,
        number: str,
        postcode: str,
        region: str,
        sort_code: str,
        account: str,
        admin: str,
    ) -> Provider:
        return providers.register_provider(
            session,
            providers.Registration(
                name=f"{name}{apart}",
                regulator=regulator,
                registration_number=number,
                postcode=postcode,
                address=f"1 High Street, {region}",
                region=region,
                bank=payees.BankDetails(sort_code, account, name[:18]),
                admin_name=admin,
                admin_email=f"{admin.split()[0].lower()}{at}@{name.split()[0].lower()}.example",
                admin_password_hash=accounts.hash_password(DEMO_PASSWORD),
            ),
        )

    acorns = register(
        "Little Acorns Nursery",
        Regulator.OFSTED,
        f"EY{uuid.uuid4().int % 10**6:06d}",
        "LS1 4AP",
        "Yorkshire and The Humber",
        "202959",
        "63748472",
        "Nadia Manager",
    )
    sunny = register(
        "Sunny Days Childcare",
        Regulator.CARE_INSPECTORATE_WALES,
        f"SIN{tag}0042",
        "CF10 1EP",
        "Wales",
        "107999",
        "88837491",
        "Owen Owner",
    )
    rainbow = register(
        "Rainbow Out of School Club",
        Regulator.CARE_INSPECTORATE_SCOTLAND,
        f"CS20{uuid.uuid4().int % 10**8:08d}",
        "EH1 1YZ",
        "Scotland",
        "871427",
        "46238510",
        "Isla Leader",
    )
    # Sunny Days is paid by Stripe Connect: DWP records its connected account while it is being
    # verified, then one person checks each registration and another verifies it.
    onboarded = payees.change_payee(
        session,
        officer,
        sunny.id,
        payees.StripeAccount(f"acct_demo{tag.lower()}sunny"),
        "Onboarded to Stripe",
    )
    payees.release_payee(session, approver, sunny.id, onboarded.id)  # someone else releases it
    for provider in (acorns, sunny):
        providers.check_provider(session, caseworker, provider.id)
        providers.verify_provider(session, officer, provider.id)
    acorns_user, sunny_user, rainbow_user = (_provider_actor(session, p) for p in (acorns, sunny, rainbow))
    # Admins must have a second factor; the demo's secrets are printed (and, in development, the
    # code page shows the current code, so no authenticator app is needed to try it).
    totp_secrets = {}
    for admin in (acorns_user, sunny_user, rainbow_user):
        secret_key = accounts.new_totp_secret()
        accounts.set_up_second_factor(session, admin, secret_key, pyotp.TOTP(secret_key).now())
        totp_secrets[admin.id] = secret_key
    client, secret = providers.register_api_client(
        session, acorns_user, name="Acorns Nursery Manager", redirect_uris=[DEMO_REDIRECT_URI]
    )

    today = invoicing.today_in_london()
    month_start, month_end = _month_before(today)

    def parent(
        name: str, claim_start: date, nino: str, children: list[tuple[str, date, bool]]
    ) -> tuple[Actor, list[Child]]:
        record = claimants.register_parent(
            session,
            name=f"{name}{apart}",
            email=f"{name.split()[0].lower()}{at}@example.com",
            oidc_subject=f"parent-{name.split()[0].lower()}{at}",
        )
        actor = claimants.parent_actor(record)
        claimants.link_claim(
            session,
            actor,
            claim_reference=f"UC{tag}{name[:3].upper()}",
            nino=nino,
            claim_start_date=claim_start,
        )
        kids = [
            claimants.add_child(
                session,
                actor,
                first_name=first,
                last_name=name.split()[-1],
                date_of_birth=born,
                disabled=disabled,
            )
            for first, born, disabled in children
        ]
        return actor, kids

    amira, (zara, yusuf) = parent(
        "Amira Khan",
        date(2026, 1, 31),
        f"JK{tag_digits(tag)}A",
        [("Zara", date(2022, 5, 4), False), ("Yusuf", date(2024, 2, 10), False)],
    )
    ben, (leo,) = parent(
        "Ben Jones", date(2025, 11, 15), f"JL{tag_digits(tag)}B", [("Leo", date(2023, 9, 1), False)]
    )
    chloe, (mia,) = parent(
        "Chloe Smith", date(2024, 6, 3), f"JM{tag_digits(tag)}C", [("Mia", date(2012, 3, 20), True)]
    )

    # The claims as DWP's claim system holds them (the development one, /dev/claims): one in each
    # situation the claim's facts change what DWP pays.
    dewi, (cai,) = parent(
        "Dewi Evans", date(2025, 9, 1), f"JN{tag_digits(tag)}A", [("Cai", date(2023, 1, 12), False)]
    )
    faye, (noah,) = parent(
        "Faye Green", date(2025, 9, 1), f"JP{tag_digits(tag)}B", [("Noah", date(2023, 6, 30), False)]
    )
    gita, (arjun,) = parent(
        "Gita Patel", date(2025, 9, 1), f"JR{tag_digits(tag)}C", [("Arjun", date(2022, 11, 2), False)]
    )
    huw, (elin,) = parent(
        "Huw Price", date(2025, 9, 1), f"JS{tag_digits(tag)}D", [("Elin", date(2024, 3, 8), False)]
    )
    for working in (amira, ben, chloe):
        demo_claims.record_claim(session, working, "Working", earnings_pence=145_000)
    demo_claims.record_claim(
        session, dewi, "Joint claim, both partners working", joint=True, earnings_pence=210_000
    )
    efa = demo_claims.join_partner(
        session, dewi, name=f"Efa Evans{apart}", at=at, nino=f"JT{tag_digits(tag)}A"
    )
    demo_claims.record_claim(session, faye, "Not meeting the work condition", work_condition_met=False)
    # The award, calculated, carries less childcare than 85% of the nursery's bill: DWP pays only it.
    demo_claims.record_claim(
        session,
        gita,
        "Award cut by earnings below the childcare element",
        earnings_pence=260_000,
        childcare_element_pence=15_000,
    )
    demo_claims.record_claim(
        session, huw, "Claim ended mid-period", ended_on=month_start + timedelta(days=14)
    )

    def consent(provider_actor: Actor, parent_actor: Actor, child: Child) -> Consent:
        request = claimants.request_consent(
            session,
            provider_actor,
            parent_email=_email(session, parent_actor),
            child_first_name=child.first_name,
        )
        return claimants.authorise_consent(session, parent_actor, request.id, child.id)

    if first_seed:
        # Expired first, while it is the only authorised consent the expiry job can see.
        expiring = consent(sunny_user, amira, yusuf)
        claimants.expire_consents(session, SYSTEM, now=expiring.expires_at)
    c_zara = consent(acorns_user, amira, zara)
    c_yusuf = consent(acorns_user, amira, yusuf)
    c_leo = consent(sunny_user, ben, leo)
    c_mia = consent(acorns_user, chloe, mia)
    c_mia_sunny = consent(sunny_user, chloe, mia)
    # Consents in the other states.
    claimants.request_consent(
        session, rainbow_user, parent_email=_email(session, ben), child_first_name="Leo"
    )
    declined = claimants.request_consent(
        session, sunny_user, parent_email=_email(session, amira), child_first_name="Zara"
    )
    claimants.reject_consent(session, amira, declined.id)
    claimants.revoke_consent(session, chloe, c_mia_sunny.id)
    c_cai = consent(acorns_user, dewi, cai)
    c_noah = consent(sunny_user, faye, noah)
    c_arjun = consent(acorns_user, gita, arjun)
    c_elin = consent(acorns_user, huw, elin)

    number = iter(range(1001, 2000))

    def invoice(
        provider_actor: Actor, consent_row: Consent, amount: int, hours: str = "120", **extra: Any
    ) -> Invoice:
        return invoicing.submit_invoice(
            session,
            provider_actor,
            InvoiceInput(
                consent_id=consent_row.id,
                invoice_number=f"INV-{tag}-{next(number)}",
                issued_on=today,
                care_from=extra.get("care_from", month_start),
                care_to=extra.get("care_to", month_end),
                lines=(LineInput("Full days", amount, True, Decimal(hours)), LineInput("Meals", 4000, False)),
            ),
        )

    def confirmed(provider_actor: Actor, consent_row: Consent, amount: int, **extra: Any) -> Invoice:
        row = invoice(provider_actor, consent_row, amount, **extra)
        return invoicing.confirm_invoice(session, _parent_of(session, consent_row), row.id)

    # Paid, and a payment the rail refused (its invoice goes back for the next batch).
    confirmed(acorns_user, c_zara, 95000)
    confirmed(sunny_user, c_leo, 60000)
    invoicing.run_automatic_checks(session, SYSTEM)
    first = invoicing.build_batch(session, officer)
    assert first is not None
    invoicing.request_batch_approval(session, officer, first.id)
    invoicing.approve_batch(session, approver, first.id)
    invoicing.submit_batch(session, officer, first.id)
    for payment in first.payments:
        invoicing.record_payment_sent(session, SYSTEM, payment.id, f"demo-{payment.reference}")
        if payment.provider_id == acorns.id:
            invoicing.record_payment_paid(session, SYSTEM, payment.id)
        else:
            invoicing.record_payment_failed(session, SYSTEM, payment.id, "Account closed")
    # Sunny Days gives new bank details: its payments (and the failed invoice) wait for release.
    payees.change_payee(
        session, sunny_user, sunny.id, payees.BankDetails("820000", "73688637", "Sunny Days Ltd")
    )

    # A built batch awaiting approval: Yusuf's care, and Arjun's, which the award limits.
    confirmed(acorns_user, c_yusuf, 70000)
    confirmed(acorns_user, c_arjun, 60000)
    invoicing.run_automatic_checks(session, SYSTEM)
    second = invoicing.build_batch(session, officer)
    assert second is not None
    invoicing.request_batch_approval(session, officer, second.id)

    # Review: a flagged invoice on hold, one a caseworker approved, one rejected, one disputed.
    confirmed(acorns_user, c_mia, 50000, hours="900")
    released = confirmed(
        sunny_user, c_leo, 20000, hours="700", care_from=month_start, care_to=month_start + timedelta(days=9)
    )
    turned_down = confirmed(
        acorns_user,
        c_zara,
        30000,
        hours="800",
        care_from=month_start,
        care_to=month_start + timedelta(days=4),
    )
    # Held by the claim's facts: the work condition not met; the claim ended in the period.
    confirmed(sunny_user, c_noah, 40000)
    confirmed(acorns_user, c_elin, 55000)
    invoicing.run_automatic_checks(session, SYSTEM)
    invoicing.approve_invoice(session, caseworker, released.id, "Provider confirmed extended hours by phone")
    invoicing.reject_invoice(session, caseworker, turned_down.id, "Care overlaps an invoice already paid")
    disputed = invoice(
        acorns_user, c_yusuf, 45000, care_from=month_start, care_to=month_start + timedelta(days=13)
    )
    invoicing.dispute_invoice(session, amira, disputed.id, "Yusuf was on holiday for the first week")

    # Waiting for the parent, confirmed but not yet checked, and cancelled by the provider.
    invoice(acorns_user, c_mia, 52000, care_from=today.replace(day=1), care_to=today)
    cancelled = invoice(sunny_user, c_leo, 10000, care_from=today.replace(day=1), care_to=today)
    invoicing.cancel_invoice(session, sunny_user, cancelled.id, "Sent in error")
    confirmed(acorns_user, c_zara, 40000, care_from=today.replace(day=1), care_to=today)
    invoice(acorns_user, c_cai, 48000)  # a joint claim's: either partner may confirm it

    return {
        "api_client": {
            "client_id": client.client_id,
            "client_secret": secret,
            "provider_id": str(acorns.id),
            "redirect_uri": DEMO_REDIRECT_URI,
        },
        "parents": [
            {"login": _email(session, p), "name": p.label}
            for p in (amira, ben, chloe, dewi, efa, faye, gita, huw)
        ],
        "staff": [
            {"login": user.email, "role": user.roles[0]}
            for user in session.scalars(
                select(StaffUser).where(StaffUser.email.endswith(f"{at}@dwp.example"))
            )
        ],
        "providers": [
            {
                "login": user.email,
                "name": provider.name,
                "password": DEMO_PASSWORD,
                "totp_secret": totp_secrets.get(user.id),
            }
            for provider in (acorns, sunny, rainbow)
            for user in session.scalars(select(ProviderUser).where(ProviderUser.provider_id == provider.id))
        ],
    }


def tag_digits(tag: str) -> str:
    return f"{int(tag, 16) % 10**6:06d}"


def _email(session: Session, actor: Actor) -> str:
    parent = session.get_one(Parent, actor.id)  # the person's own (a partner's parent_id is the lead's)
    return parent.email


def _parent_of(session: Session, consent: Consent) -> Actor:
    return claimants.parent_actor(session.get_one(Parent, consent.parent_id))
