"""A joint claim's partner in a real browser, at desktop and 375 pixels: invited by the lead,
signing in as someone new from the emailed link, joining, confirming an invoice, and the lead
seeing the partner's name on the invoice's timeline. Each page is checked by axe and for width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from config.notify import Notification
from tests.browser import DESKTOP, PHONE, Visitor
from tests.conftest import LiveServer
from tests.factories import World, create_joint_claim


@pytest.mark.parametrize("viewport", [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")])
def test_the_partners_journey_in_a_browser(browser: Browser, live_server: LiveServer, db, viewport) -> None:
    world = World(db)
    reference = create_joint_claim(db, world.parent)
    invoice = world.submit()

    lead = Visitor(browser, live_server.url, viewport, True)
    lead.go("/account/sign-in")
    lead.press(world.parent.label)
    lead.follow("Your partner on this claim")
    lead.page.get_by_label("Your partner’s email address").fill("sam.jones@example.com")
    lead.press("Send invitation")
    expect(lead.page.get_by_text("We have emailed an invitation to sam.jones@example.com")).to_be_visible()

    note = db.scalars(select(Notification).where(Notification.template == "partner_invitation")).one()
    link = re.search(r"https?://\S+", note.rendered().body).group(0)  # type: ignore[union-attr]
    partner = Visitor(browser, live_server.url, viewport, True)
    partner.go(link)
    partner.page.get_by_label("Full name").fill("Sam Jones")
    partner.page.get_by_label("Email address").fill("sam.jones@example.com")
    partner.press("Sign in")
    expect(
        partner.page.get_by_role("heading", name=f"Join {world.parent.label}’s joint claim")
    ).to_be_visible()
    partner.press("Join the claim")  # nothing entered: the error summary
    expect(partner.page.get_by_text("There is a problem")).to_be_visible()
    partner.page.get_by_label("Universal Credit claim reference").fill(reference)
    partner.page.get_by_label("Your National Insurance number").fill("PN 12 34 56 B")
    partner.press("Join the claim")
    expect(partner.page.get_by_text(f"You now share {world.parent.label}’s claim")).to_be_visible()
    partner.go(f"/account/invoices/{invoice.id}")
    partner.press("Confirm invoice")
    expect(partner.page.get_by_text("You confirmed it")).to_be_visible()
    partner.go("/account/partner")
    partner.follow(f"Stop sharing {world.parent.label}’s claim")
    expect(partner.page.get_by_role("button", name="Stop sharing the claim")).to_be_visible()

    lead.go(f"/account/invoices/{invoice.id}")
    expect(lead.page.get_by_text("Confirmed by Sam Jones")).to_be_visible()
    lead.go("/account/partner")
    expect(lead.page.get_by_text("sam.jones@example.com")).to_be_visible()
    for visitor in (lead, partner):
        visitor.close()
        visitor.assert_no_problems()
