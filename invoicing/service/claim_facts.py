"""The Universal Credit claim's facts for invoices, read through ``claims.systems`` once per
claim and AP while a use case runs (a batch of a thousand invoices asks each AP once).

What they decide (``claims.rules``): flags that hold an invoice for DWP to look at (the claim not
live in the AP, the work condition not met, the claim's AP dates not ours), how many children the
AP's maximum is for, and the most DWP may pay in the AP (the award's childcare element once it is
calculated). A claim the claim system does not know is decided as before in development; DWP's
claim system (``CLAIM_SYSTEM=http``) must know every linked claim, so there an unknown one is held.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from claims import PeriodFacts, rules, systems
from config import settings
from invoicing.entitlement import monthly_cap_pence

CLAIM_NOT_FOUND = "claim_not_found"
# The claim's facts that bar payment outright: no one at DWP may approve past them, only a change
# in the claim system's own records (the claim live, the work condition met) lets the invoice pay.
BARRING = frozenset({rules.CLAIM_NOT_LIVE, rules.WORK_CONDITION_NOT_MET, CLAIM_NOT_FOUND})


class ClaimFacts:
    def __init__(self, session: Session) -> None:
        self._system = systems.current(session)
        self._known: dict[tuple[str, date], PeriodFacts | None] = {}

    def of(self, claim_reference: str | None, ap_start: date) -> PeriodFacts | None:
        """The facts of the AP starting ``ap_start``; raises ``ClaimSystemUnavailable``."""
        if not claim_reference:
            return None
        key = (claim_reference, ap_start)
        if key not in self._known:
            self._known[key] = self._system.period(claim_reference, ap_start)
        return self._known[key]

    def flags(self, claim_reference: str | None, ap: tuple[date, date]) -> set[str]:
        facts = self.of(claim_reference, ap[0])
        if facts is None and claim_reference and settings.current().claim_system == "http":
            return {CLAIM_NOT_FOUND}
        return rules.hold_reasons(facts, ap)

    def most_for(
        self, claim_reference: str | None, ap_start: date, invoiced_children: int
    ) -> tuple[int, bool]:
        """The most DWP may pay in the AP, and whether the award (not the monthly maximum) sets it."""
        facts = self.of(claim_reference, ap_start)
        cap = monthly_cap_pence(rules.children_for_maximum(facts, invoiced_children), ap_start)
        most = rules.most_dwp_may_pay(cap, facts)
        return most, most < cap
