"""Which costs count, and in which assessment period. Pure: no database, no clock.

The child's age limit is a claimant rule: ``claimants.rules.childcare_age_limit``.

From shared/UC-RULES.md: a cost counts in the assessment period (AP) in which it is paid (here:
the day DWP pays the provider) when it is for care in that AP or an earlier one; care paid for in
advance, in either of the two APs before it, counts in the AP the care is for. Care more than two
APs before the payment is not attributable, and advance care that spans APs must be shared
between them by days: both are flagged for a caseworker rather than paid automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from invoicing.entitlement import assessment_period


@dataclass(frozen=True)
class Attribution:
    start: date
    end: date
    flags: tuple[str, ...] = ()


def _ap_index(claim_start: date, day: date) -> int:
    """Months between the claim's first AP and the AP containing ``day`` (negative before it)."""
    start, _ = assessment_period(claim_start, day)
    first, _ = assessment_period(claim_start, claim_start)
    return (start.year - first.year) * 12 + (start.month - first.month)


def attribute(claim_start: date, care_from: date, care_to: date, paid_on: date) -> Attribution:
    """The AP an invoice for ``care_from``..``care_to`` counts in when DWP pays on ``paid_on``."""
    paid_index = _ap_index(claim_start, paid_on)
    from_index = _ap_index(claim_start, care_from)
    to_index = _ap_index(claim_start, care_to)
    flags: list[str] = []
    if care_from < claim_start:
        flags.append("care_before_claim")
    if from_index > paid_index:
        # Paid in advance: counts in the AP of the care, if that is at most two APs ahead.
        if from_index - paid_index > 2:
            flags.append("care_too_early")
        if to_index != from_index:
            flags.append("advance_spans_periods")
        start, end = assessment_period(claim_start, care_from)
        return Attribution(start, end, tuple(flags))
    if paid_index - from_index > 2:
        flags.append("care_too_old")
    if to_index > paid_index:
        flags.append("advance_spans_periods")
    start, end = assessment_period(claim_start, paid_on)
    return Attribution(start, end, tuple(flags))


def days_inclusive(start: date, end: date) -> int:
    return (end - start).days + 1
