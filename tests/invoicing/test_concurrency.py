"""Races that must never pay twice: run for real, with threads and separate connections."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from config.auth import StaffRole
from config.errors import DomainError
from invoicing import service
from invoicing.models import Invoice, PaymentAllocation, PaymentBatch
from tests.factories import World, create_staff, invoice_input, today


class Done:
    """A call that succeeded, with the id of what it returned (read before its session closed)."""

    def __init__(self, result: Any) -> None:
        self.id = getattr(result, "id", None)
        self.kind = type(result)

    def __repr__(self) -> str:
        return f"Done({self.kind.__name__}, {self.id})"


def race(session_factory: sessionmaker[Session], *calls: Callable[[Session], Any]) -> list[Any]:
    """Start every call at the same moment, each on its own session; return Done or the error."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[Session], Any]) -> None:
        with session_factory() as session:
            barrier.wait()
            try:
                results[index] = Done(call(session))
            except DomainError as error:
                results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_simultaneous_approvals_of_one_batch_exactly_one_succeeds(
    session: Session, session_factory
) -> None:
    for _ in range(5):
        world = World(session)
        world.approved_invoice()
        batch = service.build_batch(session, world.officer)
        assert batch is not None
        service.request_batch_approval(session, world.officer, batch.id)
        first, second = world.approver, create_staff(session, StaffRole.APPROVER)
        results = race(
            session_factory,
            lambda s, a=first, b=batch.id: service.approve_batch(s, a, b),
            lambda s, a=second, b=batch.id: service.approve_batch(s, a, b),
        )
        succeeded = [r for r in results if isinstance(r, Done)]
        refused = [r for r in results if isinstance(r, DomainError)]
        assert (len(succeeded), len(refused)) == (1, 1), results
        session.expire_all()
        stored = session.get_one(PaymentBatch, batch.id)
        assert stored.status == "approved" and stored.approved_by_id in (first.id, second.id)


def test_two_simultaneous_batch_builds_never_put_an_invoice_in_two_batches(
    session: Session, session_factory
) -> None:
    worlds = [World(session) for _ in range(3)]
    for world in worlds:
        for n in range(3):
            world.approved_invoice(
                eligible_pence=5_000,
                hours="8",
                care_from=today() - timedelta(days=n),
                care_to=today() - timedelta(days=n),
            )
    officers = [create_staff(session, StaffRole.FINANCE_OFFICER) for _ in range(2)]
    results = race(
        session_factory,
        lambda s: service.build_batch(s, officers[0]),
        lambda s: service.build_batch(s, officers[1]),
    )
    built = [r for r in results if isinstance(r, Done) and r.kind is PaymentBatch]
    assert len(built) >= 1, results
    live = session.scalars(select(PaymentAllocation.invoice_id).where(PaymentAllocation.live)).all()
    assert len(live) == len(set(live))
    batched = session.scalar(select(func.count()).select_from(Invoice).where(Invoice.status == "batched"))
    assert batched == len(live) == 9


def test_two_simultaneous_submissions_with_one_invoice_number_make_one_invoice(
    session: Session, session_factory
) -> None:
    world = World(session)
    data = invoice_input(world.consent, number="INV-RACE")
    results = race(
        session_factory,
        lambda s: service.submit_invoice(s, world.provider_user, data),
        lambda s: service.submit_invoice(s, world.provider_user, data),
    )
    created = [r for r in results if isinstance(r, Done)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(created) == 1 and len(refused) == 1, results
    assert refused[0].code == "duplicate_invoice_number"
    count = session.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.invoice_number == "INV-RACE")
    )
    assert count == 1
