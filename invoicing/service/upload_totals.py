"""What a checked spreadsheet's invoices come to, before anything is sent: each invoice's total
and what DWP expects to pay for it, as ``preview_invoice`` prices one invoice, with the earlier
invoices in the same file counted against the parent's monthly maximum as they would be.

A row whose parent has not linked their Universal Credit claim yet is a problem here already,
rather than a failure after sending.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from claimants.models import Child, Consent
from config.errors import N_
from invoicing import repository, spreadsheet
from invoicing.eligibility import attribute
from invoicing.entitlement import childcare_award, within_cap
from invoicing.service.common import today_in_london

CLAIM_NOT_LINKED = N_(
    "The parent has not linked their Universal Credit claim yet: ask them to sign in and link it"
)


def price(
    session: Session,
    groups: list[dict[str, Any]],
    children: dict[uuid.UUID, tuple[Consent, Child]],
    problems: list[spreadsheet.Problem],
) -> list[dict[str, Any]]:
    """The groups that can be priced, each with ``total_pence`` and ``dwp_pence`` added; a group
    whose parent has no linked claim becomes a problem on its first row instead."""
    paid_on = today_in_london()
    used: dict[tuple[uuid.UUID, date], tuple[int, set[uuid.UUID]]] = {}
    priced = []
    for group in groups:
        _consent, child = children[uuid.UUID(group["consent_id"])]
        parent = child.parent
        if parent.claim_start_date is None:
            problems.append(spreadsheet.Problem(group["rows"][0], "child_first_name", CLAIM_NOT_LINKED))
            continue
        total = sum(line["amount_pence"] for line in group["lines"])
        eligible = sum(line["amount_pence"] for line in group["lines"] if line["eligible"])
        where = attribute(
            parent.claim_start_date,
            date.fromisoformat(group["care_from"]),
            date.fromisoformat(group["care_to"]),
            paid_on=paid_on,
        )
        key = (parent.id, where.start)
        if key not in used:
            used[key] = repository.cap_usage(session, parent.id, where.start)
        so_far, with_children = used[key]
        with_children = with_children | {child.id}
        award = childcare_award(eligible, len(with_children), where.start)
        share = within_cap(award.dwp_pence, award.cap_pence - so_far, eligible)
        used[key] = (so_far + share.dwp_pence, with_children)
        priced.append({**group, "total_pence": total, "dwp_pence": share.dwp_pence})
    return priced
