"""What DWP sends councils: children in Universal Credit households using registered childcare,
by the local authority of the childcare, with who may be eligible for early-years help and why.

- **Who is in it**: every child with a live consent (given, not ended) for a verified provider,
  whose parent has linked a Universal Credit claim that the claim system does not say has ended.
  A live consent, not an invoice, because it is the parent's own current word that the child goes
  to that setting; an invoice comes weeks after the care and may be for a nursery they have left.
- **Only England**: the councils listed and the schemes flagged (early years pupil premium,
  disability access fund, funded places for two-year-olds) are England's, so only settings
  registered with Ofsted are in it (``providers.models.IN_ENGLAND``). Settings in Wales
  and Scotland (their own schemes) and on an approved childcare scheme are left out, and the
  page says how many settings and children were (``Export.outside``).
- **Where**: the provider's recorded local authority (``Provider.local_authority_code``, one of
  ``config/local_authorities.csv``); a provider with none recorded counts under "Authority not
  recorded", so nobody is silently left out. A child at settings in two authorities is in both.
- **Names only with agreement**: each authority's list names only children whose parent has
  agreed in force (``claimants.council_sharing``); the counts cover every child, without names.
- **Earnings**: the household's net earnings in up to three assessment periods before the one the
  export's day is in (that one has not ended), each one the claim was live for, from the claim
  system (``claims.systems``). No facts: the earnings flags say so and are not raised.

Every download is audited (who, which authority, how many rows): ``download_names`` and
``download_counts`` are the use cases; ``build_export`` is the read model the page shows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants.council_sharing import parents_sharing
from claimants.early_years import MOST_PERIODS, Earnings, Flags, flags_for
from claimants.models import Child, Consent, ConsentStatus, Parent
from claims import ClaimSystem, ClaimSystemUnavailable
from claims import systems as claim_systems
from config import audit, local_authorities
from config.auth import Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import NotFound, rule
from providers.models import IN_ENGLAND, Provider, ProviderStatus, Regulator

NOT_RECORDED = "Authority not recorded"
# Producing and downloading the export is a finance officer's: DESIGN.md §1 gives them "export
# reports and CSV", and no other role's work needs councils' lists of children.
EXPORT_ROLE = StaffRole.FINANCE_OFFICER


@dataclass(frozen=True)
class ChildRow:
    child_id: uuid.UUID
    first_name: str
    last_name: str
    date_of_birth: date
    parent_name: str
    settings: tuple[str, ...]  # "Name (Ofsted EY123456)" for each setting in this authority
    flags: Flags
    shared: bool  # the parent has agreed to share


@dataclass
class AuthorityRows:
    code: str | None  # GSS code; None: the providers have no authority recorded
    name: str
    children: list[ChildRow] = field(default_factory=list)
    providers: dict[uuid.UUID, str] = field(default_factory=dict)  # the settings, by id: their names

    @property
    def named(self) -> list[ChildRow]:
        return [row for row in self.children if row.shared]

    @property
    def counts(self) -> tuple[int, int, int, int, int]:
        """Children, pupil premium, disability access fund, two-year-old places, named."""
        rows = self.children
        return (
            len(rows),
            sum(row.flags.pupil_premium.may_be_eligible for row in rows),
            sum(row.flags.disability_access_fund.may_be_eligible for row in rows),
            sum(row.flags.two_year_old_place.may_be_eligible for row in rows),
            len(self.named),
        )


@dataclass(frozen=True)
class Outside:
    """Settings registered with a regulator outside England's schemes, left out of the export."""

    regulator: Regulator
    settings: int
    children: int  # children on Universal Credit with a live consent for one of them


@dataclass(frozen=True)
class Export:
    on: date
    authorities: list[AuthorityRows]  # by name, "Authority not recorded" last
    outside: list[Outside] = field(default_factory=list)  # by regulator, only those with settings


def build_export(session: Session, on: date) -> Export:
    """The export as of ``on`` (a London day), for every authority with children in it."""
    now = utcnow()
    found = session.execute(
        select(Consent, Child, Parent, Provider)
        .join(Child, Consent.child_id == Child.id)
        .join(Parent, Child.parent_id == Parent.id)
        .join(Provider, Consent.provider_id == Provider.id)
        .where(
            Consent.status == ConsentStatus.AUTHORISED,
            Consent.expires_at > now,
            Provider.status == ProviderStatus.ACTIVE,
            Parent.uc_claim_reference.is_not(None),
        )
        .order_by(Child.last_name, Child.first_name, Child.id)
    ).all()
    system = claim_systems.current(session)
    households: dict[str, tuple[bool, Earnings | None]] = {}
    sharing = parents_sharing(session, {parent.id for _c, _child, parent, _p in found})
    places: dict[tuple[str | None, uuid.UUID], list[str]] = defaultdict(list)
    children: dict[tuple[str | None, uuid.UUID], tuple[Child, Parent]] = {}
    settings: dict[str | None, dict[uuid.UUID, str]] = defaultdict(dict)
    outside: dict[Regulator, tuple[set[uuid.UUID], set[uuid.UUID]]] = {}
    for _consent, child, parent, provider in found:
        reference = parent.uc_claim_reference or ""
        if reference not in households:
            try:
                households[reference] = _household(system, reference, on)
            except ClaimSystemUnavailable as exc:
                # A partial export would leave children out without saying so: none until it answers.
                unavailable = rule(
                    "claim_system_unavailable",
                    "The claim system is not answering",
                    "The export needs the claims' facts from Universal Credit, which is not answering "
                    "just now. Try again later.",
                )
                unavailable.status = 503
                raise unavailable from exc
        on_uc, _earnings = households[reference]
        if not on_uc:
            continue
        if provider.regulator not in IN_ENGLAND:
            left_settings, left_children = outside.setdefault(provider.regulator, (set(), set()))
            left_settings.add(provider.id)
            left_children.add(child.id)
            continue
        authority = local_authorities.find(provider.local_authority_code)
        key = (authority.gss_code if authority else None, child.id)
        places[key].append(f"{provider.name} ({provider.registration_number})")
        children[key] = (child, parent)
        settings[key[0]][provider.id] = provider.name
    by_code: dict[str | None, AuthorityRows] = {}
    for key, (child, parent) in children.items():
        code = key[0]
        if code not in by_code:
            authority = local_authorities.find(code)
            by_code[code] = AuthorityRows(
                code,
                authority.name if authority else NOT_RECORDED,
                providers=dict(sorted(settings[code].items(), key=lambda item: item[1])),
            )
        earnings = households[parent.uc_claim_reference or ""][1]
        by_code[code].children.append(
            ChildRow(
                child_id=child.id,
                first_name=child.first_name,
                last_name=child.last_name,
                date_of_birth=child.date_of_birth,
                parent_name=parent.name,
                settings=tuple(sorted(set(places[key]))),
                flags=flags_for(child.date_of_birth, child.disabled, earnings, on),
                shared=parent.id in sharing,
            )
        )
    ordered = sorted(by_code.values(), key=lambda rows: (rows.code is None, rows.name))
    left_out = [
        Outside(regulator, len(outside[regulator][0]), len(outside[regulator][1]))
        for regulator in Regulator
        if regulator in outside
    ]
    return Export(on, ordered, left_out)


def _household(system: ClaimSystem, reference: str, on: date) -> tuple[bool, Earnings | None]:
    """(still on Universal Credit as far as the claim system says, the earnings to assess)."""
    current = system.period(reference, on)
    if current is None:
        return True, None  # a claim the claim system does not know: kept, without earnings
    if current.ended_on is not None and current.ended_on <= on:
        return False, None
    earned: list[int] = []
    before = current.ap_start
    for _ in range(MOST_PERIODS):
        period = system.period(reference, before - timedelta(days=1))
        if period is None or period.ap_start >= before:
            break
        before = period.ap_start
        if period.live:
            earned.append(period.earnings_pence)
    return True, Earnings(tuple(earned)) if earned else None


NAMES_HEADER = [
    "child_first_name",
    "child_last_name",
    "child_date_of_birth",
    "parent_name",
    "childcare_settings",
    "early_years_pupil_premium",
    "early_years_pupil_premium_because",
    "disability_access_fund",
    "disability_access_fund_because",
    "funded_place_for_two_year_olds",
    "funded_place_for_two_year_olds_because",
]
COUNTS_HEADER = [
    "local_authority_code",
    "local_authority",
    "children",
    "may_be_eligible_early_years_pupil_premium",
    "may_be_eligible_disability_access_fund",
    "may_be_eligible_funded_place_for_two_year_olds",
    "children_named_with_agreement",
    "as_at",
]


def _yes(flag: bool) -> str:
    return "May be eligible" if flag else "No"


def name_rows(rows: AuthorityRows) -> list[list[object]]:
    return [
        [
            row.first_name,
            row.last_name,
            row.date_of_birth.isoformat(),
            row.parent_name,
            "; ".join(row.settings),
            _yes(row.flags.pupil_premium.may_be_eligible),
            row.flags.pupil_premium.reasons,
            _yes(row.flags.disability_access_fund.may_be_eligible),
            row.flags.disability_access_fund.reasons,
            _yes(row.flags.two_year_old_place.may_be_eligible),
            row.flags.two_year_old_place.reasons,
        ]
        for row in rows.named
    ]


def count_rows(export: Export) -> list[list[object]]:
    return [[rows.code or "", rows.name, *rows.counts, export.on.isoformat()] for rows in export.authorities]


def download_names(
    session: Session, actor: Actor, code: str, on: date
) -> tuple[AuthorityRows, list[list[object]]]:
    """One authority's list, named children of parents who agreed only; audited with who, the
    authority and how many rows. An authority not in the export is ``NotFound``."""
    actor.require_role(EXPORT_ROLE)
    with transaction(session):
        export = build_export(session, on)
        rows = next((rows for rows in export.authorities if rows.code and rows.code == code), None)
        if rows is None:
            raise NotFound("No children in the export for that local authority")
        lines = name_rows(rows)
        _audit(
            session,
            actor,
            {"authority": rows.code, "name": rows.name, "rows": len(lines), "what": "names"},
            on,
        )
    return rows, lines


def download_counts(session: Session, actor: Actor, on: date) -> list[list[object]]:
    """Every authority's counts, without names; audited."""
    actor.require_role(EXPORT_ROLE)
    with transaction(session):
        lines = count_rows(build_export(session, on))
        _audit(session, actor, {"authority": "all", "rows": len(lines), "what": "counts"}, on)
    return lines


def _audit(session: Session, actor: Actor, data: dict[str, object], on: date) -> None:
    data = {**data, "as_at": on.isoformat()}
    audit.record_many(
        session, "staff.council_export_downloaded", "council_exports", actor, [(uuid.uuid4(), data)]
    )
