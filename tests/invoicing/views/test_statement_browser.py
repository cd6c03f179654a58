"""The statements page and the parent's award difference in a real browser, at desktop and
375-pixel widths, JavaScript on and off (axe on each page, nothing wider than the window)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from claimants.models import Parent
from claims.models import DevClaim
from config.auth import SYSTEM, StaffRole
from config.extensions import database
from config.scheduler import run_job
from invoicing import service
from invoicing.service import awards
from tests.browser import WAYS, Visitor
from tests.conftest import LiveServer
from tests.factories import World, create_staff


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_staff_read_the_statements_and_the_parent_reads_their_difference(
    browser: Browser, live_server: LiveServer, db, viewport: dict[str, int], javascript: bool
) -> None:
    world = World(db)
    invoice = world.approved_invoice()
    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    for payment in batch.payments:
        service.record_payment_sent(db, SYSTEM, payment.id, f"tr_{payment.id}")
        service.record_payment_paid(db, SYSTEM, payment.id)
    run_job(database().session_factory, "send-statements")
    parent = db.get_one(Parent, world.parent.parent_id)
    db.add(
        DevClaim(
            reference=parent.uc_claim_reference,
            claim_start_date=parent.claim_start_date,
            childcare_element_pence=invoice.dwp_pence - 20_000,
        )
    )
    db.commit()
    awards.check_awards(db, SYSTEM)
    tag = f"{viewport['width']}{'js' if javascript else ''}"
    create_staff(db, StaffRole.FINANCE_OFFICER, name=f"Fin Officer {tag}")

    officer = Visitor(browser, live_server.url, viewport, javascript)
    officer.go("/finance/sign-in")
    officer.press(f"Fin Officer {tag}")
    page = officer.follow("Statements to the award calculation")
    expect(page.get_by_role("heading", name="Statements to the award calculation")).to_be_visible()
    expect(page.get_by_role("cell", name="£200.00")).to_be_visible()
    expect(page.get_by_text("Receipt dev-")).to_be_visible()
    officer.assert_no_problems()
    officer.close()

    visitor = Visitor(browser, live_server.url, viewport, javascript)
    visitor.go("/account/sign-in")
    visitor.press(world.parent.label)
    page = visitor.go(f"/account/periods/{invoice.ap_start.isoformat()}")
    expect(
        page.get_by_role("heading", name="Your Universal Credit award allows less childcare than DWP paid")
    ).to_be_visible()
    visitor.assert_no_problems()
    visitor.close()
