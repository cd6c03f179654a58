"""Universal Credit claim facts, behind one small interface (as the payment rails are).

DWP's claim system owns the facts of a claim. This service reads them, per claim and assessment
period (AP), to decide what DWP may pay a nursery, and tells the award calculation what it paid
direct, so the childcare costs element is never paid twice (to the nursery and to the claimant).

- ``period(claim_reference, on)``: the facts of the AP containing ``on``, or ``None`` when the
  claim system does not know the claim (the service then decides as it did before: its own AP
  dates, the invoices' children, no award limit).
- ``send_statement(statement)``: the childcare costs paid direct for one claim and AP. Idempotent
  by the statement's id: sending the same one twice records it once; a correction is a new
  statement (a new version), never an edit.
- Either raises ``ClaimSystemUnavailable`` when the claim system gives no answer this service may
  act on (down, too slow, outside its contract): never pay on that.

Two implementations, chosen by ``CLAIM_SYSTEM``: ``development`` (``claims.development``, this
service's own tables, with a page to set a claimant's facts) and ``http`` (``claims.http``, DWP's
claim system, whose contract is ``claims/openapi.yaml``). Only those modules know where facts come
from; the rules that use them (``claims.rules``) are pure.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class ClaimChild:
    """A child on the claim in the AP; ``childcare_costs``: the claim counts childcare costs for
    them in this AP (the one-child or two-or-more maximum follows these)."""

    first_name: str
    last_name: str
    date_of_birth: date
    childcare_costs: bool = True


@dataclass(frozen=True)
class PeriodFacts:
    """What the claim says about one AP. Money is integer pence."""

    claim_reference: str
    ap_start: date
    ap_end: date
    live: bool  # the claim is live for the whole AP (an AP in which it ended is not)
    ended_on: date | None  # the day the claim ended, if it has
    joint: bool  # a couple's claim
    work_condition_met: bool  # the claimant, or both partners in a joint claim, in paid work
    children: tuple[ClaimChild, ...]
    earnings_pence: int  # the household's net earnings in the AP
    # Once the AP's award is calculated: the childcare costs element the award carries after
    # deductions (the taper), which is the most DWP may pay for childcare in the AP. ``None``
    # until then.
    childcare_element_pence: int | None = None

    @property
    def children_with_costs(self) -> int:
        return sum(1 for child in self.children if child.childcare_costs)


@dataclass(frozen=True)
class StatementLine:
    provider_id: uuid.UUID
    provider_name: str
    invoice_id: uuid.UUID
    invoice_number: str
    paid_pence: int


@dataclass(frozen=True)
class Statement:
    """The childcare costs paid directly to providers for one claim and AP: version 1, then a new
    version for each correction (the claim system keeps the newest as current)."""

    statement_id: uuid.UUID
    claim_reference: str
    ap_start: date
    ap_end: date
    version: int
    total_pence: int
    lines: tuple[StatementLine, ...] = field(default_factory=tuple)


def statement_body(statement: Statement) -> dict[str, Any]:
    """A statement as JSON: the body DWP's contract describes (``Statement`` in
    ``claims/openapi.yaml``), sent by the HTTP client and kept by the development claim system."""
    return {
        "statement_id": str(statement.statement_id),
        "claim_reference": statement.claim_reference,
        "assessment_period": {"start": statement.ap_start.isoformat(), "end": statement.ap_end.isoformat()},
        "version": statement.version,
        "total_pence": statement.total_pence,
        "lines": [
            {
                "provider_id": str(line.provider_id),
                "provider_name": line.provider_name,
                "invoice_id": str(line.invoice_id),
                "invoice_number": line.invoice_number,
                "paid_pence": line.paid_pence,
            }
            for line in statement.lines
        ],
    }


class ClaimSystemUnavailable(Exception):
    """The claim system gave no answer this service may act on: it did not answer in time, was
    down after a few attempts, refused our token, or answered outside its contract.

    Callers must not pay on it, and must not treat it as an unknown claim (``period`` returning
    ``None``, which decides as before the claim system existed): hold what depends on the facts and
    ask again later. A statement that raised it is not known to be recorded: send the same one
    again (it is idempotent by its id).
    """


class StatementConflict(ClaimSystemUnavailable):
    """The claim system already holds a different statement with this id: a correction must be a
    new statement (a new id, a higher version), never the same id sent with other content."""


class ClaimSystem(Protocol):
    def period(self, claim_reference: str, on: date) -> PeriodFacts | None: ...

    def send_statement(self, statement: Statement) -> str: ...  # the claim system's receipt
