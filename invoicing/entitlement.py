"""The Universal Credit childcare rules DWP pays by. Pure: no database, no clock.

- ``assessment_period``: the claimant's monthly period containing a date.
- ``monthly_cap_pence``: the most DWP pays for childcare in one assessment period.
- ``childcare_award``: DWP's share of eligible costs (85%, rounded down to the penny, capped).

The caps are dated data in ``config/uc_childcare_rates.csv`` (one row per period of effect, with
its source): a new tax year's figures are a new row, not a code change.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from claims.periods import assessment_period

__all__ = ["Award", "assessment_period", "childcare_award", "monthly_cap_pence"]

_RATES_FILE = Path(__file__).resolve().parent.parent / "config" / "uc_childcare_rates.csv"

# DWP pays 85% of eligible childcare costs (since April 2016).
_DWP_PERCENT = 85


@dataclass(frozen=True)
class Award:
    dwp_pence: int
    claimant_pence: int
    cap_pence: int


@dataclass(frozen=True)
class _Rate:
    in_force_from: date
    one_child_pence: int
    two_or_more_pence: int
    source: str


@cache
def _rates() -> tuple[_Rate, ...]:
    with _RATES_FILE.open(newline="", encoding="utf-8") as handle:
        rows = [
            _Rate(
                in_force_from=date.fromisoformat(row["in_force_from"]),
                one_child_pence=int(row["one_child_pence"]),
                two_or_more_pence=int(row["two_or_more_children_pence"]),
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        ]
    rows.sort(key=lambda rate: rate.in_force_from)
    return tuple(rows)


def monthly_cap_pence(children: int, on: date) -> int:
    """The most DWP pays in an assessment period starting on ``on``: for 1 child or 2 or more.

    Raises ``ValueError`` for fewer than one child or a date before the first known rate.
    """
    if isinstance(children, bool) or not isinstance(children, int):
        raise TypeError("children must be a whole number")
    if children < 1:
        raise ValueError("childcare costs need at least one child")
    in_force = [rate for rate in _rates() if rate.in_force_from <= on]
    if not in_force:
        raise ValueError(f"no UC childcare rate is known for periods starting on {on.isoformat()}")
    rate = in_force[-1]
    return rate.one_child_pence if children == 1 else rate.two_or_more_pence


def childcare_award(eligible_costs_pence: int, children: int, on: date) -> Award:
    """DWP's and the claimant's shares of ``eligible_costs_pence`` in a period starting ``on``.

    DWP pays 85% rounded down to the penny, never more than the cap; the claimant owes the rest.
    """
    if isinstance(eligible_costs_pence, bool) or not isinstance(eligible_costs_pence, int):
        raise TypeError("money is integer pence")
    if eligible_costs_pence < 0:
        raise ValueError("eligible costs cannot be negative")
    cap = monthly_cap_pence(children, on)
    dwp = min(eligible_costs_pence * _DWP_PERCENT // 100, cap)
    return Award(dwp_pence=dwp, claimant_pence=eligible_costs_pence - dwp, cap_pence=cap)


@dataclass(frozen=True)
class Share:
    """What DWP pays for one invoice once the AP's earlier invoices have used their part of the cap."""

    dwp_pence: int
    over_cap: bool


def full_share_pence(eligible_pence: int) -> int:
    """85% of ``eligible_pence``, rounded down to the penny: DWP's share before the monthly maximum."""
    return eligible_pence * _DWP_PERCENT // 100


def within_cap(dwp_pence: int, cap_left_pence: int, eligible_pence: int) -> Share:
    """DWP's share of an invoice limited by what is left of the AP's cap (never below £0); over the
    cap when that is less than 85% of its eligible costs."""
    share = max(0, min(dwp_pence, cap_left_pence))
    return Share(share, over_cap=share < full_share_pence(eligible_pence))
