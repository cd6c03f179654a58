"""The bulk write paths (many rows in one statement) keep the guarantees of one-at-a-time writes."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from config.database import write_moves
from config.errors import ConcurrentChange
from invoicing.models import Invoice, InvoiceStatus
from tests.factories import World


def test_write_moves_writes_every_row_once_and_leaves_the_objects_clean(session) -> None:
    world = World(session)
    invoices = [world.submit(number=f"BULK-{n}") for n in range(3)]
    loaded = list(session.scalars(select(Invoice).where(Invoice.id.in_([i.id for i in invoices]))))
    versions = {invoice.id: invoice.version for invoice in loaded}
    for invoice in loaded:
        invoice.move_to(InvoiceStatus.CANCELLED)
    statements: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *args: statements.append(args[2]))
    write_moves(session, Invoice, loaded, loaded[0].created_at)
    session.flush()  # nothing left for the ORM to write
    session.commit()
    assert len([s for s in statements if s.lstrip().upper().startswith("UPDATE")]) == 1
    session.expire_all()
    for invoice in session.scalars(select(Invoice).where(Invoice.id.in_(list(versions)))):
        assert invoice.status is InvoiceStatus.CANCELLED
        assert invoice.version == versions[invoice.id] + 1


def test_write_moves_refuses_when_a_row_changed_after_it_was_read(session) -> None:
    world = World(session)
    first, second = world.submit(number="BULK-A"), world.submit(number="BULK-B")
    loaded = list(session.scalars(select(Invoice).where(Invoice.id.in_([first.id, second.id]))))
    # Someone else's change: the row moves on, the objects read here do not know.
    session.execute(
        update(Invoice)
        .where(Invoice.id == second.id)
        .values(version=Invoice.version + 1)
        .execution_options(synchronize_session=False)
    )
    for invoice in loaded:
        invoice.move_to(InvoiceStatus.CANCELLED)
    with pytest.raises(ConcurrentChange):
        write_moves(session, Invoice, loaded, loaded[0].created_at)
    session.rollback()
    statuses = set(session.scalars(select(Invoice.status).where(Invoice.id.in_([first.id, second.id]))))
    assert statuses and InvoiceStatus.CANCELLED not in statuses  # nothing was written
