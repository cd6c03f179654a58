"""Part C's pages in a real browser, at desktop and 375 pixels, JavaScript on and off, each page
checked by axe and for its width: the parent's home with confirmed, waiting and disputed invoices
and a consent ending soon, the period page with a capped share explained, renewing and stopping
a consent, a request emailed to another address claimed, and the add-child question's reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import update

from claimants import service as claimants
from claimants.models import Consent
from config.database import utcnow
from invoicing import service
from invoicing.entitlement import monthly_cap_pence
from tests.browser import WAYS, Visitor
from tests.conftest import LiveServer
from tests.factories import World, create_child, create_consent, invoice_input, today


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_the_parents_pages_in_a_browser(
    browser: Browser, live_server: LiveServer, db, viewport, javascript
) -> None:
    world = World(db)
    cap = monthly_cap_pence(2, today())
    confirmed = world.submit(eligible_pence=95_000, extras_pence=4_000)
    service.confirm_invoice(db, world.parent, confirmed.id)
    disputed = world.submit(eligible_pence=40_000, extras_pence=0)
    service.dispute_invoice(db, world.parent, disputed.id, "Zara was away that week")
    kit = create_child(db, world.parent, first_name="Kit")
    kit_consent = create_consent(db, world.provider_user, world.parent, kit)
    service.submit_invoice(
        db,
        world.provider_user,
        invoice_input(kit_consent, eligible_pence=cap * 2, extras_pence=0),
    )
    db.execute(
        update(Consent).where(Consent.id == world.consent.id).values(expires_at=utcnow() + timedelta(days=6))
    )
    db.commit()
    request = claimants.request_consent(
        db, world.provider_user, parent_email="another.address@example.com", child_first_name="Sam"
    )

    visitor = Visitor(browser, live_server.url, viewport, javascript)
    visitor.go("/account/sign-in")
    visitor.press(world.parent.label)
    page = visitor.page
    expect(page.get_by_text("lasts until").first).to_be_visible()
    expect(page.get_by_text("1 invoice is waiting for you to confirm.")).to_be_visible()
    expect(page.get_by_text("You disputed 1 invoice in this period")).to_be_visible()

    visitor.follow("What DWP pays each month")
    expect(page.get_by_text("because the most DWP pays towards childcare").first).to_be_visible()

    visitor.go("/account/consents")
    visitor.press(f"Renew for another year for {world.provider.name} and {world.child.first_name}")
    expect(page.get_by_text("Your consent now lasts until")).to_be_visible()

    visitor.go(f"/account/consents/{kit_consent.id}/stop")
    expect(page.get_by_text("Invoices waiting for you stay on your account")).to_be_visible()
    visitor.press("Stop consent")
    expect(page.get_by_text("can no longer invoice DWP for Kit")).to_be_visible()

    visitor.go(f"/account/consents/{request.id}/respond")
    expect(page.get_by_role("heading", name="Is this request for your child?")).to_be_visible()
    visitor.press("Yes, this request is for my child")
    expect(
        page.get_by_role("heading", name=f"{world.provider.name} would like to invoice DWP")
    ).to_be_visible()

    visitor.go("/account/children/new")
    expect(page.get_by_text("Disability Access Fund")).to_be_visible()
    visitor.close()
    visitor.assert_no_problems()
