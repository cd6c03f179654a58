"""What the claim's facts decide about DWP paying a nursery. Pure: no database, no clock.

- ``hold_reasons``: an invoice for an AP where the claim was not live, or the work condition was
  not met, is held for DWP to look at (the flags), and the parent is told why.
- ``children_for_maximum``: the one-child or two-or-more maximum follows the children with
  childcare costs on the claim in the AP (the invoices' own children when the claim is unknown).
- ``most_dwp_may_pay``: the AP's monthly maximum, or the award's childcare costs element after
  deductions when that is known and lower.
- ``after_payment``: once the award is calculated after DWP paid, a lower award leaves the
  difference against the claimant (never the nursery); a higher one changes nothing.

When each fact is known (README, "Universal Credit claim facts"):

| moment     | the claim system knows                           | what this service does with it           |
|------------|--------------------------------------------------|------------------------------------------|
| submitted  | live, work condition, children, AP dates         | flags (held), expected share             |
| approved   | the same, perhaps newer                          | flags again: a held invoice stays held   |
| batched    | the same, and the element if the AP is assessed  | flags; DWP's share within the element    |
| paid       | the element once the AP's award is calculated    | statement to the award calculation       |
| after paid | the element, calculated later                    | lower: the difference against the parent |
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from claims import PeriodFacts

CLAIM_NOT_LIVE = "claim_not_live"
WORK_CONDITION_NOT_MET = "work_condition_not_met"
AP_DATES_DIFFER = "ap_dates_differ"


def hold_reasons(facts: PeriodFacts | None, our_ap: tuple[date, date]) -> set[str]:
    """The flags the claim's facts put on an invoice for the AP ``our_ap`` (our own computation of
    it); none when the claim system does not know the claim."""
    if facts is None:
        return set()
    reasons = set()
    if not facts.live:
        reasons.add(CLAIM_NOT_LIVE)
    if not facts.work_condition_met:
        reasons.add(WORK_CONDITION_NOT_MET)
    if (facts.ap_start, facts.ap_end) != our_ap:
        reasons.add(AP_DATES_DIFFER)  # the claim's dates are used; a person looks at why they differ
    return reasons


def children_for_maximum(facts: PeriodFacts | None, invoiced_children: int) -> int:
    """How many children the AP's maximum is for: those with childcare costs on the claim, and
    never fewer than one (an invoice is for a child); the invoices' children when the claim is
    unknown."""
    if facts is None:
        return max(1, invoiced_children)
    return max(1, facts.children_with_costs)


def most_dwp_may_pay(cap_pence: int, facts: PeriodFacts | None) -> int:
    """The most DWP pays for childcare in the AP: the monthly maximum, or the award's childcare
    element after deductions once known, whichever is lower (never below £0)."""
    element = None if facts is None else facts.childcare_element_pence
    return max(0, cap_pence if element is None else min(cap_pence, element))


def share_out(most_pence: int, wanted_pence: Iterable[int]) -> list[int]:
    """Each invoice's share, in the order given (the AP's invoices first come, first served): what
    it would get (85% within the maximum) while ``most_pence`` lasts."""
    shares, left = [], max(0, most_pence)
    for wanted in wanted_pence:
        share = max(0, min(wanted, left))
        shares.append(share)
        left -= share
    return shares


@dataclass(frozen=True)
class Difference:
    """Paid to nurseries for the AP beyond what the award allows: the claimant's to settle."""

    paid_pence: int
    element_pence: int

    @property
    def pence(self) -> int:
        return self.paid_pence - self.element_pence


def after_payment(paid_pence: int, element_pence: int | None) -> Difference | None:
    """A lower award than DWP paid the AP's nurseries leaves a difference; equal, higher or not
    yet calculated leaves nothing."""
    if element_pence is None or element_pence >= paid_pence:
        return None
    return Difference(paid_pence, max(0, element_pence))
