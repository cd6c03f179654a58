"""The claim's facts and the money: pure rules, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from claims import ClaimChild, PeriodFacts, rules

AP = (date(2026, 10, 15), date(2026, 11, 14))
FACTS = PeriodFacts(
    claim_reference="UC-1",
    ap_start=AP[0],
    ap_end=AP[1],
    live=True,
    ended_on=None,
    joint=False,
    work_condition_met=True,
    children=(ClaimChild("Ada", "Lovelace", date(2023, 5, 4)),),
    earnings_pence=120_000,
)


def test_a_working_claimant_on_a_live_claim_is_not_held() -> None:
    assert rules.hold_reasons(FACTS, AP) == set()
    assert rules.hold_reasons(None, AP) == set()  # an unknown claim: decided as before


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        ({"work_condition_met": False}, {rules.WORK_CONDITION_NOT_MET}),
        ({"live": False, "ended_on": date(2026, 11, 1)}, {rules.CLAIM_NOT_LIVE}),
        ({"live": False, "work_condition_met": False}, {rules.CLAIM_NOT_LIVE, rules.WORK_CONDITION_NOT_MET}),
        ({"ap_start": date(2026, 10, 16), "ap_end": date(2026, 11, 15)}, {rules.AP_DATES_DIFFER}),
    ],
)
def test_the_facts_hold_an_invoice(change: dict[str, object], reasons: set[str]) -> None:
    assert rules.hold_reasons(replace(FACTS, **change), AP) == reasons  # type: ignore[arg-type]


def test_the_maximum_follows_the_children_with_costs_on_the_claim() -> None:
    two = replace(
        FACTS,
        children=(
            *FACTS.children,
            ClaimChild("Rosa", "Lovelace", date(2021, 1, 1)),
            ClaimChild("Baby", "L", date(2026, 1, 1), childcare_costs=False),
        ),
    )
    assert rules.children_for_maximum(two, invoiced_children=1) == 2  # the baby has no costs
    assert rules.children_for_maximum(FACTS, invoiced_children=2) == 1  # the claim's word
    assert rules.children_for_maximum(None, invoiced_children=2) == 2  # unknown claim: the invoices'
    assert rules.children_for_maximum(replace(FACTS, children=()), invoiced_children=1) == 1


@pytest.mark.parametrize(
    ("element", "most"),
    [(None, 103_175), (50_000, 50_000), (103_175, 103_175), (200_000, 103_175), (0, 0), (-5, 0)],
    ids=["not-yet-calculated", "below", "equal", "above", "nothing", "never-negative"],
)
def test_dwp_pays_at_most_the_lower_of_the_maximum_and_the_award(element: int | None, most: int) -> None:
    assert rules.most_dwp_may_pay(103_175, replace(FACTS, childcare_element_pence=element)) == most


def test_a_reduced_award_is_shared_in_order_first_come_first_served() -> None:
    assert rules.share_out(50_000, [40_000, 30_000, 10_000]) == [40_000, 10_000, 0]
    assert rules.share_out(100_000, [40_000, 30_000]) == [40_000, 30_000]
    assert rules.share_out(0, [1]) == [0]


# The decision table of what happens when the award is calculated after DWP paid the nursery.
@pytest.mark.parametrize(
    ("paid", "element", "owed"),
    [
        (80_000, None, None),  # not calculated yet: nothing
        (80_000, 90_000, None),  # higher: nothing
        (80_000, 80_000, None),  # equal: nothing
        (80_000, 50_000, 30_000),  # lower: the difference is the claimant's
        (80_000, 0, 80_000),  # no childcare element at all
    ],
)
def test_after_payment_a_lower_award_leaves_the_difference_against_the_claimant(
    paid: int, element: int | None, owed: int | None
) -> None:
    difference = rules.after_payment(paid, element)
    assert (difference.pence if difference else None) == owed
