"""The export to councils on a real database: who is named, who is counted, withdrawal, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants import council_export, council_sharing
from claimants.models import Child, CouncilSharing, Parent
from claims.models import DevClaim
from config.audit import AuditEvent
from config.auth import StaffRole
from config.errors import Forbidden, NotFound, ValidationFailed
from providers import local_authority
from providers.models import Provider, Regulator
from tests.factories import create_child, create_consent, create_parent, create_provider, create_staff, today

LEEDS = "E08000035"


def years_ago(years: int, days: int = 30) -> date:
    day = today()
    return date(day.year - years, day.month, min(day.day, 28)) - timedelta(days=days)


def on_claim(session: Session, parent, earnings_pence: int) -> None:
    """The development claim system knows the parent's claim, with these monthly earnings."""
    row = session.get_one(Parent, parent.parent_id)
    session.add(
        DevClaim(
            reference=row.uc_claim_reference,
            claim_start_date=row.claim_start_date,
            earnings_pence=earnings_pence,
        )
    )
    session.commit()


@pytest.fixture
def families(session: Session):
    """Two families at a Leeds nursery (one agreed to share), one at a nursery with no authority."""
    officer = create_staff(session, StaffRole.FINANCE_OFFICER)
    leeds, leeds_user = create_provider(session, name="Leeds Little Ones")
    local_authority.set_local_authority(session, create_staff(session, StaffRole.CASEWORKER), leeds.id, LEEDS)
    _elsewhere, elsewhere_user = create_provider(session, name="Nowhere Nursery")
    agreed, declined, unrecorded = create_parent(session), create_parent(session), create_parent(session)
    for parent, user, name, disabled in (
        (agreed, leeds_user, "Ada", True),
        (declined, leeds_user, "Bea", False),
        (unrecorded, elsewhere_user, "Cal", False),
    ):
        child = create_child(session, parent, born=years_ago(3), first_name=name, disabled=disabled)
        create_consent(session, user, parent, child)
    on_claim(session, agreed, 50_000)  # £6,000 a year
    on_claim(session, declined, 200_000)  # £24,000 a year
    assert council_sharing.agree_to_share(session, agreed)
    return officer, agreed, declined


def test_the_list_names_only_parents_who_agreed_but_the_counts_cover_everyone(session, families) -> None:
    officer, _agreed, _declined = families
    export = council_export.build_export(session, today())
    assert [rows.name for rows in export.authorities] == ["Leeds", council_export.NOT_RECORDED]
    leeds = export.authorities[0]
    assert leeds.counts == (2, 1, 1, 0, 1)  # children, premium, access fund, two-year-old, named
    assert export.authorities[1].counts[0] == 1
    _authority, lines = council_export.download_names(session, officer, LEEDS, today())
    assert [line[0] for line in lines] == ["Ada"]
    ada = dict(zip(council_export.NAMES_HEADER, lines[0], strict=True))
    assert ada["early_years_pupil_premium"] == "May be eligible"
    assert "£6,000 a year from 3 assessment periods, within the limit of £7,400" in str(
        ada["early_years_pupil_premium_because"]
    )
    assert "the council must check Disability Living Allowance" in str(ada["disability_access_fund_because"])
    assert "Leeds Little Ones" in str(ada["childcare_settings"])
    counts = council_export.download_counts(session, officer, today())
    assert [row[:3] for row in counts] == [[LEEDS, "Leeds", 2], ["", council_export.NOT_RECORDED, 1]]


def test_a_parent_who_withdraws_disappears_from_the_next_export(session, families) -> None:
    officer, agreed, _declined = families
    assert len(council_export.download_names(session, officer, LEEDS, today())[1]) == 1
    assert council_sharing.withdraw_sharing(session, agreed)
    assert not council_sharing.withdraw_sharing(session, agreed)  # twice changes nothing
    _rows, lines = council_export.download_names(session, officer, LEEDS, today())
    assert lines == []
    assert council_export.build_export(session, today()).authorities[0].counts[0] == 2  # still counted
    kept = session.scalars(select(CouncilSharing).where(CouncilSharing.parent_id == agreed.parent_id)).one()
    assert kept.withdrawn_at is not None  # the record stays, dated
    assert council_sharing.agree_to_share(session, agreed)  # agreeing again is a new agreement
    assert len(council_export.download_names(session, officer, LEEDS, today())[1]) == 1


def test_every_download_is_audited_with_who_which_authority_and_how_many_rows(session, families) -> None:
    officer, _agreed, _declined = families
    council_export.download_names(session, officer, LEEDS, today())
    council_export.download_counts(session, officer, today())
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "staff.council_export_downloaded")
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.actor_id, e.data["authority"], e.data["rows"], e.data["what"]) for e in events] == [
        (str(officer.id), LEEDS, 1, "names"),
        (str(officer.id), "all", 2, "counts"),
    ]
    agreed_events = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("parent.council_sharing%"))
    ).all()
    assert agreed_events == ["parent.council_sharing_agreed"]


def test_only_a_finance_officer_may_download(session, families) -> None:
    _officer, agreed, _declined = families
    for who in (
        create_staff(session, StaffRole.CASEWORKER),
        create_staff(session, StaffRole.AUDITOR),
        agreed,
    ):
        with pytest.raises(Forbidden):
            council_export.download_names(session, who, LEEDS, today())
        with pytest.raises(Forbidden):
            council_export.download_counts(session, who, today())
    assert (
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == "staff.council_export_downloaded")
        ).all()
        == []
    )


def test_an_authority_with_nobody_in_the_export_is_not_found(session, families) -> None:
    officer, _agreed, _declined = families
    with pytest.raises(NotFound):
        council_export.download_names(session, officer, "E09000001", today())


def test_a_claim_that_ended_leaves_the_export_and_an_unknown_claim_has_no_earnings(session, families) -> None:
    _officer, _agreed, declined = families
    row = session.get_one(Parent, declined.parent_id)
    claim = session.scalars(select(DevClaim).where(DevClaim.reference == row.uc_claim_reference)).one()
    claim.ended_on = today() - timedelta(days=1)
    session.commit()
    export = council_export.build_export(session, today())
    assert export.authorities[0].counts[0] == 1  # Bea's household is no longer on Universal Credit
    cal = export.authorities[1].children[0]
    assert cal.flags.pupil_premium.because[1] == "no earnings facts from the Universal Credit claim"


def test_the_local_authority_must_be_one_on_the_list_and_is_audited(session) -> None:
    provider, _user = create_provider(session)
    caseworker = create_staff(session, StaffRole.CASEWORKER)
    with pytest.raises(ValidationFailed):
        local_authority.set_local_authority(session, caseworker, provider.id, "E99999999")
    with pytest.raises(Forbidden):
        local_authority.set_local_authority(
            session, create_staff(session, StaffRole.APPROVER), provider.id, LEEDS
        )
    assert local_authority.set_local_authority(session, caseworker, provider.id, "e08000035")
    assert not local_authority.set_local_authority(session, caseworker, provider.id, LEEDS)
    session.expire_all()
    assert session.get_one(Provider, provider.id).local_authority_code == LEEDS
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "provider.local_authority_set")
    ).one()
    assert event.data == {"from": None, "to": LEEDS, "name": "Leeds"}


def test_only_settings_in_england_are_in_the_export_and_the_others_are_counted_as_left_out(
    session, families
) -> None:
    """England's councils and schemes: a setting registered in Wales or Scotland, or on an
    approved scheme, is left out, and the export says how many settings and children were."""
    officer, agreed, _declined = families
    wales, wales_user = create_provider(
        session, name="Cardiff Cubs", regulator=Regulator.CARE_INSPECTORATE_WALES
    )
    scotland, scotland_user = create_provider(
        session, name="Leith Bairns", regulator=Regulator.CARE_INSPECTORATE_SCOTLAND
    )
    welsh_family = create_parent(session)
    on_claim(session, welsh_family, 50_000)
    for parent, user, name in ((welsh_family, wales_user, "Dai"), (welsh_family, scotland_user, "Eilidh")):
        create_consent(
            session, user, parent, create_child(session, parent, born=years_ago(3), first_name=name)
        )
    ada = session.scalars(select(Child).where(Child.first_name == "Ada")).one()
    create_consent(session, wales_user, agreed, ada)  # also at a Leeds nursery: counted there
    assert council_sharing.agree_to_share(session, welsh_family)

    export = council_export.build_export(session, today())
    named = {row.first_name for rows in export.authorities for row in rows.children}
    assert named == {"Ada", "Bea", "Cal"}
    assert "Cardiff Cubs" not in str([row.settings for rows in export.authorities for row in rows.children])
    assert [(left.regulator, left.settings, left.children) for left in export.outside] == [
        (Regulator.CARE_INSPECTORATE_WALES, 1, 2),  # Dai, and Ada (in Leeds too)
        (Regulator.CARE_INSPECTORATE_SCOTLAND, 1, 1),
    ]
    counts = council_export.download_counts(session, officer, today())
    assert sum(int(row[2]) for row in counts) == 3
    assert (
        wales.id not in export.authorities[-1].providers
        and scotland.id not in export.authorities[-1].providers
    )


def test_no_english_authority_is_recorded_for_a_setting_outside_england(session) -> None:
    caseworker = create_staff(session, StaffRole.CASEWORKER)
    for regulator in (
        Regulator.CARE_INSPECTORATE_WALES,
        Regulator.CARE_INSPECTORATE_SCOTLAND,
        Regulator.APPROVED_SCHEME,
    ):
        provider, _user = create_provider(session, regulator=regulator)
        with pytest.raises(ValidationFailed) as refused:
            local_authority.set_local_authority(session, caseworker, provider.id, LEEDS)
        assert refused.value.errors[0].field == "local_authority"
        assert "registered with Ofsted" in refused.value.errors[0].message
        session.expire_all()
        assert session.get_one(Provider, provider.id).local_authority_code is None
    assert (
        session.scalars(select(AuditEvent).where(AuditEvent.action == "provider.local_authority_set")).all()
        == []
    )
