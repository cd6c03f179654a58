"""The development claim page's forms (``claims.views``): development only, in English like the
rest of DWP's own pages."""

from __future__ import annotations

from typing import Any

from wtforms import Field, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from config.forms import GovDateField, GovForm, GovRadioInput, GovSelect, GovTextInput
from config.money import MoneyFormatError, parse_pounds

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def pounds(required: bool, name: str) -> Any:
    """A validator that reads pounds and keeps pence in ``field.pence`` (``None`` when blank). Its
    messages name the field (``name``: "Earnings must be a number, like 12.50"), not "Amount"."""

    def check(form: Any, field: Field) -> None:
        text = (field.data or "").strip()
        field.pence = None
        if not text:
            if required:
                raise ValidationError(f"Enter {field.label.text.lower()}")
            return
        try:
            field.pence = parse_pounds(text)
        except MoneyFormatError as exc:
            message = str(exc)
            if message.startswith("Amount "):
                message = name + message.removeprefix("Amount")
            raise ValidationError(message) from exc

    return check


class NewClaimForm(GovForm):
    reference = StringField(
        "Claim reference",
        widget=GovTextInput(),
        description="Letters and numbers, as the parent will type it when linking their claim",
        validators=[InputRequired(message="Enter the claim reference"), Length(max=40)],
    )
    claim_start_date = GovDateField(
        "Claim start date",
        description="For example, 27 3 2025. Assessment periods start on this day each month.",
        validators=[InputRequired(message="Enter the date the claim started")],
    )
    joint = RadioField(
        "Is it a joint claim?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(message="Select yes if it is a joint claim")],
    )


class ClaimFactsForm(GovForm):
    situation = StringField(
        "What this claim shows",
        widget=GovTextInput(),
        description="Optional. A note for developers, for example ‘award cut by earnings’",
        validators=[Optional(), Length(max=200)],
    )
    joint = RadioField(
        "Is it a joint claim?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(message="Select yes if it is a joint claim")],
    )
    work_condition_met = RadioField(
        "Is the work condition met?",
        widget=GovRadioInput(),
        description="On a joint claim, both partners must be in paid work",
        choices=YES_NO,
        validators=[InputRequired(message="Select yes if the work condition is met")],
    )
    earnings = StringField(
        "Earnings in each assessment period",
        widget=GovTextInput(),
        description="The household’s earnings, in pounds",
        validators=[pounds(required=True, name="Earnings")],
    )
    childcare_element = StringField(
        "Childcare costs element after deductions",
        widget=GovTextInput(),
        description="In pounds. Leave it empty while the award is not calculated yet",
        validators=[pounds(required=False, name="Childcare costs element")],
    )
    ended_on = GovDateField(
        "Date the claim ended",
        description="Optional. For example, 15 11 2026",
        validators=[Optional()],
    )


class PeriodFactsForm(GovForm):
    ap_start = SelectField(
        "Assessment period",
        widget=GovSelect(),
        validators=[InputRequired(message="Select an assessment period")],
    )
    work_condition_met = RadioField(
        "Is the work condition met in this period?",
        widget=GovRadioInput(),
        choices=[SelectChoice("", "As the claim says"), *YES_NO],
        validators=[Optional()],
    )
    earnings = StringField(
        "Earnings in this period",
        widget=GovTextInput(),
        description="In pounds. Leave it empty to use the claim’s",
        validators=[pounds(required=False, name="Earnings in this period")],
    )
    childcare_element = StringField(
        "Childcare costs element in this period",
        widget=GovTextInput(),
        description="In pounds. Leave it empty to use the claim’s",
        validators=[pounds(required=False, name="Childcare costs element in this period")],
    )


class ClaimChildForm(GovForm):
    first_name = StringField(
        "First name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the child’s first name"), Length(max=100)],
    )
    last_name = StringField(
        "Last name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the child’s last name"), Length(max=100)],
    )
    date_of_birth = GovDateField(
        "Date of birth",
        description="For example, 4 5 2022",
        validators=[InputRequired(message="Enter the child’s date of birth")],
    )
    childcare_costs = RadioField(
        "Does the claim include childcare costs for this child?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(message="Select yes if the claim includes childcare costs for this child")],
    )
