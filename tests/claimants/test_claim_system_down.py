"""While DWP's claim system cannot be asked, the pages that need it say so in words (never a 500)
and change nothing: the partner invitation and the council export."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from claimants.models import PartnerInvitation
from claims import ClaimSystemUnavailable, systems
from config.auth import StaffRole
from tests.conftest import LiveServer
from tests.factories import World, create_joint_claim, create_staff
from tests.http import sign_in_parent, sign_in_staff


class Down:
    """DWP's claim system not answering (the edge: it does not run here)."""

    def period(self, claim_reference: str, on: object) -> None:
        raise ClaimSystemUnavailable("timed out")

    def send_statement(self, statement: object) -> str:
        raise ClaimSystemUnavailable("timed out")


@pytest.fixture
def claim_system_down() -> Iterator[None]:
    systems.use(Down())  # type: ignore[arg-type]
    yield
    systems.use(None)


def test_a_partner_invitation_says_the_claim_cannot_be_checked(
    live_server: LiveServer, db, claim_system_down
) -> None:
    world = World(db)
    create_joint_claim(db, world.parent)
    lead, _ = sign_in_parent(live_server.url, world.parent.label)
    sent = lead.submit(lead.get("/account/partner"), "Send invitation", email="sam@example.com")
    assert (
        sent.status_code == 400
        and "We could not check your claim with Universal Credit just now" in sent.text
    )
    assert db.scalar(select(func.count()).select_from(PartnerInvitation)) == 0


def test_the_council_export_waits_for_the_claim_system(
    live_server: LiveServer, db, claim_system_down
) -> None:
    World(db)
    create_staff(db, StaffRole.FINANCE_OFFICER, name="Femi Finance")
    officer, _ = sign_in_staff(live_server.url, "Femi Finance")
    page = officer.get("/finance/councils")
    assert page.status_code == 503 and "Universal Credit, which is not answering just now" in page.text
