"""A joint claim over HTTP: the lead invites from their pages, the partner follows the emailed link,
signs in as someone new, joins, answers invoices and stops a consent; both see the same figures and
who did what; an ended partner and another household's partner get 404 for the household's ids."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from claimants import service as claimants
from claimants.models import Parent
from config.audit import AuditEvent
from config.notify import Notification
from tests.conftest import LiveServer
from tests.factories import World, create_joint_claim, create_partner
from tests.http import User, forms, page_csrf, sign_in_parent


def _between(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def _invitation_link(db) -> str:
    note = db.scalars(select(Notification).where(Notification.template == "partner_invitation")).one()
    return re.search(r"https?://\S+", note.rendered().body).group(0)  # type: ignore[union-attr]


def test_the_partners_journey_from_invitation_to_leaving(live_server: LiveServer, db) -> None:
    world = World(db)
    reference = create_joint_claim(db, world.parent)
    first, second = world.submit(), world.submit()
    lead, _ = sign_in_parent(live_server.url, world.parent.label)
    page = lead.get("/account/partner")
    sent = lead.submit(page, "Send invitation", email="sam.jones@example.com")
    assert "We have emailed an invitation to sam.jones@example.com" in sent.text
    assert "It works until" in sent.text

    partner = User(live_server.url)
    sign_in = partner.get(_invitation_link(db))
    assert "Someone new" in sign_in.text  # signed out: sent to sign in first
    join = partner.submit(sign_in, "Sign in", name="Sam Jones", email="sam.jones@example.com")
    assert urlsplit(join.url).path.startswith("/account/partner/join/"), join.url
    assert f"Join {world.parent.label}’s joint claim" in join.text
    both = partner.submit(join, "Join the claim", claim_reference="", nino="12345")
    assert both.status_code == 400  # every problem at once, not one after the other
    assert "Enter your Universal Credit claim reference" in both.text
    assert "Enter a National Insurance number in the correct format" in both.text
    wrong = partner.submit(join, "Join the claim", claim_reference="UC00000000", nino="PN 12 34 56 B")
    assert wrong.status_code == 400
    assert "The claim reference does not match your partner" in wrong.text
    home = partner.submit(wrong, "Join the claim", claim_reference=reference, nino="PN 12 34 56 B")
    assert f"You now share {world.parent.label}’s claim" in home.text
    assert "Sam Jones" in home.text

    listed = partner.get("/account/invoices")
    assert first.invoice_number in listed.text and second.invoice_number in listed.text
    confirmed = partner.submit(partner.get(f"/account/invoices/{first.id}"), "Confirm invoice")
    assert "You confirmed the invoice" in confirmed.text
    assert "You confirmed it" in confirmed.text  # their own action, in their own words
    dispute = partner.get(f"/account/invoices/{second.id}/dispute")
    disputed = partner.submit(dispute, "Send to DWP", reason="We were away that week")
    assert "You disputed the invoice" in disputed.text

    seen_by_lead = lead.get(f"/account/invoices/{first.id}")
    assert "Confirmed by Sam Jones" in seen_by_lead.text
    assert "Disputed by Sam Jones" in lead.get(f"/account/invoices/{second.id}").text
    figures = ("<dl", "</dl>")
    assert _between(lead.get("/account/home").text, *figures) == _between(
        partner.get("/account/home").text, *figures
    )
    assert lead.get("/account/periods").text.count("£") == partner.get("/account/periods").text.count("£")

    stop = partner.get(f"/account/consents/{world.consent.id}/stop")
    stopped = partner.submit(stop, "Stop consent")
    assert "can no longer invoice DWP" in stopped.text
    consents = lead.get("/account/consents").text
    assert "Last changed by" in consents and "Sam Jones on" in consents
    told = db.scalars(select(Notification.email).where(Notification.template == "consent_stopped")).all()
    assert "sam.jones@example.com" in told and db.get_one(Parent, world.parent.parent_id).email in told

    # The lead sees who shares the claim, and the partner leaves it.
    assert "sam.jones@example.com" in lead.get("/account/partner").text
    leave = partner.get("/account/partner/end")
    assert f"Stop sharing {world.parent.label}’s claim" in leave.text
    left = partner.submit(leave, "Stop sharing the claim")
    assert f"You no longer share {world.parent.label}’s claim" in left.text
    for path in (f"/account/invoices/{first.id}", f"/account/consents/{world.consent.id}/stop"):
        assert partner.get(path).status_code == 404
    assert first.invoice_number not in partner.get("/account/invoices").text
    assert "sam.jones@example.com" not in lead.get("/account/partner").text


def test_a_claim_that_is_not_joint_cannot_invite_from_the_page(live_server: LiveServer, db) -> None:
    world = World(db)
    create_joint_claim(db, world.parent, joint=False)
    lead, _ = sign_in_parent(live_server.url, world.parent.label)
    page = lead.get("/account/partner")  # no form to send (below); a page opened earlier had one
    refused = lead.http.post(
        page.url,
        data={"csrf_token": page_csrf(lead.get("/account/council-sharing")), "email": "sam@example.com"},
        timeout=30,
    )
    assert refused.status_code == 400
    assert "your claim is not a joint claim" in refused.text
    assert (
        db.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.template == "partner_invitation")
        )
        == 0
    )


def test_a_used_or_unknown_invitation_link_says_so(live_server: LiveServer, db) -> None:
    world = World(db)
    create_partner(db, world.parent)
    link = db.scalars(select(Notification).where(Notification.template == "partner_invitation")).one()
    token = str(link.personalisation["link"]).rsplit("/", 1)[1]
    stranger = World(db)
    user, _ = sign_in_parent(live_server.url, stranger.parent.label)
    used = user.get(f"/account/partner/join/{token}")
    assert used.status_code == 410 and "This invitation link has stopped working" in used.text
    assert user.get("/account/partner/join/not-a-token").status_code == 404


def test_another_households_partner_gets_404_for_every_household_id(live_server: LiveServer, db) -> None:
    owner = World(db)
    invoice = owner.submit()
    ids = {"consent_id": owner.consent.id, "invoice_id": invoice.id, "child_id": owner.child.id}
    rules = [
        rule
        for rule in live_server.app.url_map.iter_rules()
        if rule.rule.startswith("/account") and rule.arguments & set(ids)
    ]
    other = World(db)
    outsider = create_partner(db, other.parent)  # shares another claim, not the owner's
    user, _ = sign_in_parent(live_server.url, outsider.label)
    token = forms(user.get("/account/children/new"))[-1].fields["csrf_token"]
    before = db.scalar(select(func.count()).select_from(AuditEvent))
    for rule in rules:
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(ids[name]), path)
        for method in sorted(rule.methods & {"GET", "POST"}):
            answer = user.http.request(
                method,
                live_server.url + path,
                data={
                    "csrf_token": token,
                    "reason": "x",
                    "decision": "approve",
                    "child": str(other.child.id),
                },
                timeout=30,
            )
            assert answer.status_code == 404, (method, path, answer.status_code)
    # Ending the owner's partner link is not theirs to do either (they have no partner there).
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before
    assert claimants.household_of(db, db.get_one(Parent, outsider.id)).id == other.parent.parent_id


def test_the_home_page_offers_a_partner_only_on_a_joint_claim_and_names_them(
    live_server: LiveServer, db
) -> None:
    single = World(db)
    create_joint_claim(db, single.parent, joint=False)
    _, home = sign_in_parent(live_server.url, single.parent.label)
    assert "partner" not in home.text.lower()  # a claim of one: nobody to invite

    world = World(db)
    create_joint_claim(db, world.parent)
    lead, home = sign_in_parent(live_server.url, world.parent.label)
    assert "Your partner on this claim" in home.text and "shares your joint claim" not in home.text
    partner = create_partner(db, world.parent)
    home = lead.get("/account/home")
    assert f"{partner.label} shares your joint claim." in home.text


def test_a_single_claim_has_no_partner_to_invite(live_server: LiveServer, db) -> None:
    """The claim system says the claim is not joint: the page says so, with no invitation form."""
    world = World(db)
    create_joint_claim(db, world.parent, joint=False)
    lead, _ = sign_in_parent(live_server.url, world.parent.label)
    page = lead.get("/account/partner")
    assert page.status_code == 200
    assert "records say your claim is not a joint claim, so there is no partner to invite" in page.text
    assert not any("Send invitation" in form.buttons for form in forms(page))
    welsh = lead.get("/account/partner?lang=cy")
    assert "Send invitation" not in welsh.text and "hawliad ar y cyd" in welsh.text


def test_a_joint_claim_offers_the_invitation(live_server: LiveServer, db) -> None:
    world = World(db)
    create_joint_claim(db, world.parent)
    lead, _ = sign_in_parent(live_server.url, world.parent.label)
    page = lead.get("/account/partner")
    assert any("Send invitation" in form.buttons for form in forms(page))
    assert "is not a joint claim" not in page.text


def test_both_partners_see_and_change_the_households_council_choice(live_server: LiveServer, db) -> None:
    world = World(db)
    partner = create_partner(db, world.parent)
    lead, _ = sign_in_parent(live_server.url, world.parent.label)
    lead.submit(lead.get("/account/council-sharing"), "Save", share="yes")
    other, _ = sign_in_parent(live_server.url, partner.label)
    page = other.get("/account/council-sharing")
    assert "either of you can change it" in page.text
    assert "What DWP shares" in page.text  # the lead's agreement, not "not agreed"
    other.submit(page, "Save", share="no")
    from claimants import council_sharing

    db.expire_all()
    assert council_sharing.sharing_in_force(db, world.parent.parent_id) is None
    actions = [
        e.actor_label for e in db.scalars(select(AuditEvent).where(AuditEvent.action.like("parent.council%")))
    ]
    assert world.parent.label in actions and partner.label in actions  # each names who chose
