"""The development claim system's page, ``/dev/claims``: set a claimant's facts as DWP's claim
system would hold them (live or ended, the work condition, earnings, the award's childcare
element, the children, one period's differences). Registered only with the development claim
system and the development identity provider, never in production; in English, like DWP's pages.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from claims import development
from claims.forms import ClaimChildForm, ClaimFactsForm, NewClaimForm, PeriodFactsForm
from claims.models import DevClaim
from claims.periods import assessment_period
from config.errors import DomainError
from config.extensions import request_session
from config.formatting import london_date
from config.forms import ConfirmForm, show_errors
from config.money import format_pence

LONDON = ZoneInfo("Europe/London")

dev_claims = Blueprint("dev_claims", __name__, url_prefix="/dev/claims", template_folder="templates")


@dev_claims.route("", methods=["GET", "POST"])
def claims() -> ResponseReturnValue:
    form = NewClaimForm()
    if form.validate_on_submit():
        try:
            claim = development.add_claim(
                request_session(),
                reference=form.reference.data or "",
                claim_start_date=form.claim_start_date.data,  # type: ignore[arg-type]  # required
                joint=form.joint.data == "yes",
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(f"Claim {claim.reference} added")
            return redirect(url_for("dev_claims.claim", reference=claim.reference))
    rows = request_session().scalars(select(DevClaim).order_by(DevClaim.reference)).all()
    return render_template(
        "claims/dev_claims.html", claims=rows, form=form, today=_today()
    ), 400 if form.errors else 200


@dev_claims.route("/<reference>", methods=["GET", "POST"])
def claim(reference: str) -> ResponseReturnValue:
    row = _found(reference)
    form = ClaimFactsForm(data=None if request.method == "POST" else _facts_data(row))
    if form.validate_on_submit():
        try:
            development.change_claim(
                request_session(),
                row.reference,
                development.ClaimChanges(
                    situation=form.situation.data or "",
                    joint=form.joint.data == "yes",
                    work_condition_met=form.work_condition_met.data == "yes",
                    earnings_pence=form.earnings.pence,
                    childcare_element_pence=form.childcare_element.pence,
                    ended_on=form.ended_on.data,
                ),
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(f"The facts of claim {row.reference} are saved")
            return redirect(url_for("dev_claims.claim", reference=row.reference))
    return _claim_page(row, form=form)


@dev_claims.post("/<reference>/periods")
def period(reference: str) -> ResponseReturnValue:
    row = _found(reference)
    form = PeriodFactsForm(prefix="period")
    form.ap_start.choices = _period_choices(row)
    if form.validate_on_submit():
        choice = form.work_condition_met.data
        try:
            development.set_period(
                request_session(),
                row.reference,
                date.fromisoformat(form.ap_start.data or ""),
                work_condition_met=None if not choice else choice == "yes",
                earnings_pence=form.earnings.pence,
                childcare_element_pence=form.childcare_element.pence,
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash("The period’s facts are saved")
            return redirect(url_for("dev_claims.claim", reference=row.reference))
    return _claim_page(row, period_form=form)


@dev_claims.post("/<reference>/children")
def child(reference: str) -> ResponseReturnValue:
    row = _found(reference)
    form = ClaimChildForm()
    if form.validate_on_submit():
        try:
            development.add_child(
                request_session(),
                row.reference,
                first_name=form.first_name.data or "",
                last_name=form.last_name.data or "",
                date_of_birth=form.date_of_birth.data,  # type: ignore[arg-type]  # required
                childcare_costs=form.childcare_costs.data == "yes",
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash("Child added to the claim")
            return redirect(url_for("dev_claims.claim", reference=row.reference))
    return _claim_page(row, child_form=form)


@dev_claims.post("/<reference>/children/<uuid:child_id>")
def child_costs(reference: str, child_id: uuid.UUID) -> ResponseReturnValue:
    row = _found(reference)
    form = ConfirmForm()
    if not form.validate_on_submit() or request.form.get("childcare_costs") not in ("yes", "no"):
        abort(400)
    try:
        development.set_child_costs(
            request_session(), row.reference, child_id, request.form["childcare_costs"] == "yes"
        )
    except DomainError:
        abort(404)
    flash("The child’s childcare costs are saved")
    return redirect(url_for("dev_claims.claim", reference=row.reference))


@dev_claims.post("/<reference>/children/<uuid:child_id>/remove")
def remove_child(reference: str, child_id: uuid.UUID) -> ResponseReturnValue:
    row = _found(reference)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        development.remove_child(request_session(), row.reference, child_id)
    except DomainError:
        abort(404)
    flash("Child removed from the claim")
    return redirect(url_for("dev_claims.claim", reference=row.reference))


def _found(reference: str) -> DevClaim:
    row = development.find_claim(request_session(), reference)
    if row is None:
        abort(404)
    return row


def _facts_data(row: DevClaim) -> dict[str, object]:
    return {
        "situation": row.situation,
        "joint": "yes" if row.joint else "no",
        "work_condition_met": "yes" if row.work_condition_met else "no",
        "earnings": _pounds(row.earnings_pence),
        "childcare_element": ""
        if row.childcare_element_pence is None
        else _pounds(row.childcare_element_pence),
        "ended_on": row.ended_on,
    }


def _pounds(pence: int) -> str:
    return format_pence(pence).removeprefix("£").replace(",", "")


def _period_choices(row: DevClaim) -> list[tuple[str, str]]:
    """The claim's assessment periods: up to three before today's, today's and the next."""
    start, end = assessment_period(row.claim_start_date, max(_today(), row.claim_start_date))
    periods = [(start, end)]
    while len(periods) < 4 and periods[0][0] > row.claim_start_date:
        periods.insert(0, assessment_period(row.claim_start_date, periods[0][0] - timedelta(days=1)))
    periods.append(assessment_period(row.claim_start_date, end + timedelta(days=1)))
    return [(first.isoformat(), f"{london_date(first)} to {london_date(last)}") for first, last in periods]


def _today() -> date:
    return datetime.now(LONDON).date()


def _claim_page(
    row: DevClaim,
    *,
    form: ClaimFactsForm | None = None,
    period_form: PeriodFactsForm | None = None,
    child_form: ClaimChildForm | None = None,
) -> ResponseReturnValue:
    if period_form is None:
        period_form = PeriodFactsForm(formdata=None, prefix="period")
        period_form.ap_start.choices = _period_choices(row)
        # Today's period first chosen: the one a developer most often changes.
        current, _end = assessment_period(row.claim_start_date, max(_today(), row.claim_start_date))
        period_form.ap_start.data = current.isoformat()
    shown = {
        "form": form or ClaimFactsForm(formdata=None, data=_facts_data(row)),
        "period_form": period_form,
        "child_form": child_form or ClaimChildForm(formdata=None),
    }
    failed = any(f.errors for f in shown.values())
    return render_template(
        "claims/dev_claim.html",
        claim=row,
        today=development.facts_on(row, _today()),
        on=_today(),
        period_lines=_period_lines(row),
        confirm=ConfirmForm(),
        has_errors=failed,
        **shown,
    ), 400 if failed else 200


def _period_lines(row: DevClaim) -> list[str]:
    """Each period's own facts, with its dates: "30 November 2026 to 29 December 2026: childcare
    element £900.00" (that period only, not from then on)."""
    lines = []
    for period in row.periods:
        start, end = assessment_period(row.claim_start_date, period.ap_start)
        said = []
        if period.work_condition_met is not None:
            said.append("work condition " + ("met" if period.work_condition_met else "not met"))
        if period.earnings_pence is not None:
            said.append(f"earnings {format_pence(period.earnings_pence)}")
        if period.childcare_element_pence is not None:
            said.append(f"childcare element {format_pence(period.childcare_element_pence)}")
        lines.append(f"{london_date(start)} to {london_date(end)}: {'; '.join(said)}")
    return lines
