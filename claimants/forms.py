"""Parents' forms (Flask-WTF with the GOV.UK widgets)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from claimants.nino import normalise_nino
from config.database import utcnow
from config.errors import translated
from config.forms import (
    DateMessages,
    EmailAddress,
    GovDateField,
    GovForm,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)


class LinkClaimForm(GovForm):
    claim_reference = StringField(
        _l("Universal Credit claim reference"),
        widget=GovTextInput(),
        description=_l("You can find it in your Universal Credit account"),
        validators=[InputRequired(message=_l("Enter your Universal Credit claim reference")), Length(max=40)],
    )
    nino = StringField(
        _l("National Insurance number"),
        widget=GovTextInput(),
        description=_l(
            "It’s on your National Insurance card, benefit letter, payslip or P60. For example, ‘QQ 12 34 56 C’."  # noqa: E501
        ),
        validators=[InputRequired(message=_l("Enter your National Insurance number"))],
    )
    claim_start_date = GovDateField(
        _l("When did your Universal Credit claim start?"),
        description=_l("For example, 27 3 2025. Your assessment periods start on this day each month."),
        validators=[InputRequired(message=_l("Enter the date your claim started"))],
        messages=DateMessages(
            day=_l("The date your claim started must include a day"),
            month=_l("The date your claim started must include a month"),
            year=_l("The date your claim started must include a year"),
            real=_l("The date your claim started must be a real date"),
            between=_l("The date your claim started must be between 1 January 1900 and 31 December 2099"),
        ),
    )

    def validate_nino(self, field: StringField) -> None:
        try:
            normalise_nino(field.data or "")
        except ValueError as exc:
            raise ValidationError(translated(str(exc))) from exc

    def validate_claim_start_date(self, field: GovDateField) -> None:
        if field.data and field.data > utcnow().date():
            raise ValidationError(_l("The date your claim started must be today or in the past"))


class ChildForm(GovForm):
    first_name = StringField(
        _l("First name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter the child’s first name")), Length(max=100)],
    )
    last_name = StringField(
        _l("Last name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter the child’s last name")), Length(max=100)],
    )
    date_of_birth = GovDateField(
        _l("Date of birth"),
        description=_l("For example, 4 5 2022"),
        validators=[InputRequired(message=_l("Enter the child’s date of birth"))],
        messages=DateMessages(
            day=_l("Date of birth must include a day"),
            month=_l("Date of birth must include a month"),
            year=_l("Date of birth must include a year"),
            real=_l("Date of birth must be a real date"),
            between=_l("Date of birth must be between 1 January 1900 and 31 December 2099"),
        ),
    )
    disabled = RadioField(
        _l(
            "Does the child get Disability Living Allowance, Personal Independence Payment or Child Disability Payment, or are they certified blind?"  # noqa: E501
        ),
        widget=GovRadioInput(),
        description=_l(
            "We ask because DWP may tell your local council that your child may get the Disability "
            "Access Fund for their early years place. Your answer does not change what DWP pays."
        ),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(message=_l("Select yes if the child is disabled"))],
    )


class DisputeForm(GovForm):
    reason = TextAreaField(
        _l("Why do you disagree with this invoice?"),
        widget=GovTextArea(),
        description=_l("For example, the dates or hours are wrong, or your child was not there"),
        validators=[InputRequired(message=_l("Enter why you disagree with the invoice")), Length(max=1000)],
    )


class ConsentResponseForm(GovForm):
    """The consent screen: which child, then approve or decline (two buttons, one form)."""

    child = RadioField(
        _l("Which child is this for?"),
        widget=GovRadioInput(),
        validate_choice=False,  # checked below: only agreeing needs a child
        choices=[],
    )
    decision = StringField()

    def validate_child(self, field: RadioField) -> None:
        offered = {choice.value for choice in field.choices or []}
        if self.decision.data == "approve" and field.data not in offered:
            raise ValidationError(_l("Select the child this provider looks after"))


class ConsentRequestForm(GovForm):
    parent_email = StringField(
        _l("Parent’s email address"),
        widget=GovTextInput(),
        description=_l("We will email them a link to give or refuse consent"),
        validators=[
            InputRequired(message=_l("Enter the parent’s email address")),
            Length(max=320),
            EmailAddress(),
        ],
    )
    child_first_name = StringField(
        _l("Child’s first name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter the child’s first name")), Length(max=100)],
    )


class PartnerInviteForm(GovForm):
    email = StringField(
        _l("Your partner’s email address"),
        widget=GovTextInput(),
        description=_l("We will email them a link to join. It works for 7 days."),
        validators=[InputRequired(message=_l("Enter your partner’s email address")), Length(max=320)],
    )


class JoinHouseholdForm(GovForm):
    claim_reference = StringField(
        _l("Universal Credit claim reference"),
        widget=GovTextInput(),
        description=_l(
            "The reference of the claim you make together. You can find it in your Universal Credit account"
        ),
        validators=[InputRequired(message=_l("Enter your Universal Credit claim reference")), Length(max=40)],
    )
    nino = StringField(
        _l("Your National Insurance number"),
        widget=GovTextInput(),
        description=_l("Your own, not your partner’s. For example, ‘QQ 12 34 56 C’."),
        validators=[InputRequired(message=_l("Enter your National Insurance number"))],
    )

    def validate_nino(self, field: StringField) -> None:
        # Checked with the other box, so every problem shows at once.
        try:
            normalise_nino(field.data or "")
        except ValueError as exc:
            raise ValidationError(translated(str(exc))) from exc


class CouncilSharingForm(GovForm):
    share = RadioField(
        _l("Do you agree to DWP sharing your children’s details with your council?"),
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", _l("Yes, share them")), SelectChoice("no", _l("No, do not share them"))],
        validators=[InputRequired(message=_l("Select yes if you agree to share your children’s details"))],
    )
