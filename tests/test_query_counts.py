"""The busiest pages make the same number of queries however much data there is (no N+1).

Each page is fetched with a few invoices and then with many more, counting the SQL statements
the request runs; the counts must be equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, g
from sqlalchemy import event

from config.auth import StaffRole
from config.extensions import database
from invoicing import service
from providers.models import ProviderUser
from tests.factories import World, create_child, create_consent, create_staff, invoice_input


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = database().engine

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_invoices(session, world: World, count: int) -> None:
    for _ in range(count):
        child = create_child(session, world.parent, first_name="Extra")
        consent = create_consent(session, world.provider_user, world.parent, child)
        invoice = service.submit_invoice(session, world.provider_user, invoice_input(consent))
        service.confirm_invoice(session, world.parent, invoice.id)
        service.hold_invoice(session, world.caseworker, invoice.id, "checking")


def close_request_session() -> None:
    """The test's app context outlives requests, so the request's session would too (holding its
    transaction, and PostgreSQL's locks, open): close it around each counted request."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()


def queries_for(app: Flask, sign_in: Callable[[object], None], path: str) -> int:
    client = app.test_client()
    sign_in(client)
    close_request_session()
    with counting(app) as statements:
        answer = client.get(path)
    close_request_session()
    assert answer.status_code == 200, (path, answer.status_code)
    return len(statements)


def test_the_busiest_pages_do_not_query_more_with_more_data(app: Flask, session) -> None:
    world = World(session)
    add_invoices(session, world, 2)
    staff = create_staff(session, StaffRole.CASEWORKER)
    provider_user_id = str(world.provider_user.id)

    def as_provider(client) -> None:  # type: ignore[no-untyped-def]
        with client.session_transaction() as cookie:
            cookie["provider_user_id"] = provider_user_id
            cookie["provider_signed_in_at"] = 9e12

    def as_parent(client) -> None:  # type: ignore[no-untyped-def]
        with client.session_transaction() as cookie:
            cookie["parent_id"] = str(world.parent.parent_id)

    def as_staff(client) -> None:  # type: ignore[no-untyped-def]
        with client.session_transaction() as cookie:
            cookie["staff_id"] = str(staff.id)

    pages = [
        (as_provider, "/provider/invoices"),
        (as_provider, "/provider/consents"),
        (as_parent, "/account/invoices"),
        (as_parent, "/account/home"),
        (as_parent, "/account/periods"),
        (as_staff, "/finance/queue"),
    ]
    admin = session.get_one(ProviderUser, world.provider_user.id)
    admin.totp_secret = "JBSWY3DPEHPK3PXP"  # signed in by cookie here; no set-up page in the way
    session.commit()
    few = {path: queries_for(app, sign_in, path) for sign_in, path in pages}
    add_invoices(session, world, 12)
    many = {path: queries_for(app, sign_in, path) for sign_in, path in pages}
    assert many == few
