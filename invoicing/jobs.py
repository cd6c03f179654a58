"""Scheduled work for invoicing. Each job is safe to run twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from config import settings
from config.auth import SYSTEM
from config.database import make_session_factory
from invoicing import service
from invoicing.rails import bacs
from invoicing.service import awards, reconciliation, sending, statements, uploads


def check_confirmed_invoices(session: Session) -> dict[str, int]:
    return service.run_automatic_checks(session, SYSTEM)


def is_working_day(day: date) -> bool:
    """A Bacs day: Monday to Friday outside England and Wales bank holidays (one rule, in rails.bacs)."""
    return bacs.is_bacs_day(day)


def build_daily_batch(session: Session) -> dict[str, int]:
    """At the cut-off on a working day: build a batch of everything approved, ask for approval."""
    today = service.today_in_london()
    if not is_working_day(today):
        return {"batches": 0}
    batch = service.build_batch(session, SYSTEM, payment_date=today, for_approval=True)
    if batch is None:
        return {"batches": 0}
    return {"batches": 1, "payments": batch.payment_count, "invoices": batch.invoice_count}


def remind_unconfirmed(session: Session) -> dict[str, int]:
    return service.remind_unconfirmed(session, SYSTEM)


def resume_uploads(session: Session) -> dict[str, int]:
    """Finish spreadsheet submissions whose web process stopped part way (each invoice once)."""
    stalled = [upload.id for upload in uploads.stalled_uploads(session)]
    session.rollback()
    factory = make_session_factory(session.get_bind())  # type: ignore[arg-type]
    for upload_id in stalled:
        uploads.process_upload(factory, upload_id)
    return {"resumed": len(stalled)}


def _stripe_configured() -> bool:
    return bool(settings.current().stripe_api_key)


def submit_approved_batches(session: Session) -> dict[str, int]:
    """Without Stripe settings (a development machine), Stripe payments wait; Bacs ones need no call."""
    if not _stripe_configured():
        return {"stripe_not_configured": 1}
    return sending.submit_approved_batches(session, sending.stripe_rail())


def resolve_unknown_payments(session: Session) -> dict[str, int]:
    if not _stripe_configured():
        return {"stripe_not_configured": 1}
    return sending.resolve_unknown_payments(session, sending.stripe_rail())


def reconcile_payments(session: Session) -> dict[str, int]:
    counts = reconciliation.reconcile_payments(session, sending.stripe_rail()) if _stripe_configured() else {}
    return {**counts, "bacs_paid": reconciliation.reconcile_bacs(session)}


def send_statements(session: Session) -> dict[str, int]:
    """Tell the award calculation what DWP paid direct: each statement not sent yet, once."""
    return statements.send_statements(session, SYSTEM)


def check_awards(session: Session) -> dict[str, int]:
    """Record, against the parent, what DWP paid beyond an award calculated since."""
    return awards.check_awards(session, SYSTEM)
