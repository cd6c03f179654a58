"""Nursery staff's invoice forms (Flask-WTF with the GOV.UK widgets)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import FieldList, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from config.forms import (
    DateMessages,
    GovDateField,
    GovFileInput,
    GovForm,
    GovRadioInput,
    GovSubForm,
    GovTextArea,
    GovTextInput,
)
from invoicing import limits
from invoicing.labels import REASON_CODES

LINE_ROWS = 4


class LineForm(GovSubForm):
    """One line of an invoice; a line left blank is ignored."""

    # The line's limits are checked with the whole invoice's (``invoicing.limits``), as "Line 1: …".
    description = StringField(_l("Description"), validators=[Optional()])
    hours = StringField(_l("Hours"), validators=[Optional(), Length(max=10)])
    amount = StringField(_l("Amount"), validators=[Optional(), Length(max=15)])
    eligible = SelectField(
        _l("Eligible childcare"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        default="yes",
    )


class InvoiceForm(GovForm):
    consent = RadioField(
        _l("Which child is this invoice for?"),
        widget=GovRadioInput(),
        choices=[],
        validators=[InputRequired(message=_l("Select the child"))],
    )
    invoice_number = StringField(
        _l("Invoice number"),
        widget=GovTextInput(),
        validators=[
            InputRequired(message=_l(limits.ENTER_INVOICE_NUMBER)),
            Length(max=limits.MAX_INVOICE_NUMBER, message=_l(limits.INVOICE_NUMBER_TOO_LONG)),
        ],
    )
    issued_on = GovDateField(
        _l("Invoice date"),
        description=_l("For example, 1 11 2026"),
        validators=[InputRequired(message=_l("Enter the invoice date"))],
        messages=DateMessages(
            day=_l("Invoice date must include a day"),
            month=_l("Invoice date must include a month"),
            year=_l("Invoice date must include a year"),
            real=_l("Invoice date must be a real date"),
            between=_l("Invoice date must be between 1 January 1900 and 31 December 2099"),
        ),
    )
    care_from = GovDateField(
        _l("Care from"),
        description=_l("The first day of care this invoice is for"),
        validators=[InputRequired(message=_l("Enter the first day of care"))],
        messages=DateMessages(
            day=_l("Care from must include a day"),
            month=_l("Care from must include a month"),
            year=_l("Care from must include a year"),
            real=_l("Care from must be a real date"),
            between=_l("Care from must be between 1 January 1900 and 31 December 2099"),
        ),
    )
    care_to = GovDateField(
        _l("Care to"),
        description=_l("The last day of care this invoice is for"),
        validators=[InputRequired(message=_l("Enter the last day of care"))],
        messages=DateMessages(
            day=_l("Care to must include a day"),
            month=_l("Care to must include a month"),
            year=_l("Care to must include a year"),
            real=_l("Care to must be a real date"),
            between=_l("Care to must be between 1 January 1900 and 31 December 2099"),
        ),
    )
    # No max_entries: WTForms would drop the lines past it without a word; the service refuses them.
    lines = FieldList(FormField(LineForm), min_entries=LINE_ROWS)


class CancelForm(GovForm):
    reason = TextAreaField(
        _l("Why are you cancelling this invoice?"),
        widget=GovTextArea(),
        validators=[
            InputRequired(message=_l("Enter why you are cancelling the invoice")),
            Length(
                max=limits.MAX_CANCEL_REASON,
                message=_l("Reason must be %(max)s characters or fewer", max=limits.MAX_CANCEL_REASON),
            ),
        ],
    )


class CreditNoteForm(GovForm):
    amount = StringField(
        _l("How much did DWP pay too much?"),
        widget=GovTextInput(),
        description=_l("In pounds, for example 45.50"),
        validators=[InputRequired(message=_l("Enter the amount"))],
    )
    reason = TextAreaField(
        _l("Reason"),
        widget=GovTextArea(),
        description=_l("For example, the child was absent and the sessions were refunded"),
        validators=[
            InputRequired(message=_l("Enter the reason for the credit note")),
            Length(
                max=limits.MAX_CREDIT_REASON,
                message=_l("Reason must be %(max)s characters or fewer", max=limits.MAX_CREDIT_REASON),
            ),
        ],
    )


class UploadForm(GovForm):
    file = FileField(
        _l("Upload a file"),
        widget=GovFileInput(),
        description=_l("A CSV file made from the template, up to 10,000 rows"),
        validators=[FileRequired(message=_l("Select a CSV file"))],
    )


class FilterForm(GovSubForm):
    """The invoice list's filters (a GET form: no CSRF token needed)."""

    status = SelectField(_l("Status"), validators=[Optional()])
    name = StringField(_l("Child’s name"), validators=[Optional()])
    period = StringField(_l("Care in month"), validators=[Optional()])


# --- DWP staff ----------------------------------------------------------------------------------


class DecisionForm(GovForm):
    decision = RadioField(
        _l("Decision"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("approve", _l("Approve for payment")),
            SelectChoice("hold", _l("Hold for more checks")),
            SelectChoice("reject", _l("Reject: DWP will not pay it")),
        ],
        validators=[InputRequired(message=_l("Select a decision"))],
    )
    reason_code = RadioField(
        _l("Reason"),
        widget=GovRadioInput(),
        choices=[SelectChoice(code, label) for code, label in REASON_CODES.items()],
        validators=[InputRequired(message=_l("Select a reason"))],
    )
    note = TextAreaField(
        _l("Note"),
        widget=GovTextArea(),
        description=_l("What you checked and found. The provider sees the reason, not the note."),
        validators=[InputRequired(message=_l("Enter a note")), Length(max=900)],
    )


class ReasonForm(GovForm):
    reason = TextAreaField(
        _l("Reason"),
        widget=GovTextArea(),
        validators=[InputRequired(message=_l("Enter the reason")), Length(max=1000)],
    )


class VoidForm(GovForm):
    void_reason = TextAreaField(
        _l("Why void the file?"),
        widget=GovTextArea(),
        description=_l("For example, its processing day passed before it reached the bank"),
        validators=[InputRequired(message=_l("Enter why the file is voided")), Length(max=500)],
    )


class BreakForm(GovForm):
    outcome = RadioField(
        _l("What happened?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice(
                "matched", _l("Matched by hand: the money arrived as it should (a second officer confirms)")
            ),
            SelectChoice(
                "written_off", _l("Write it off: DWP accepts the difference (a second officer confirms)")
            ),
            SelectChoice(
                "sent_again", _l("Send it again: the money never arrived (a second officer confirms)")
            ),
        ],
        validators=[InputRequired(message=_l("Select what happened"))],
    )
    note = TextAreaField(
        _l("What did you find and do?"),
        widget=GovTextArea(),
        validators=[InputRequired(message=_l("Enter what you found and did")), Length(max=1000)],
    )


class ReturnsForm(GovForm):
    file = FileField(
        _l("Returns file"),
        widget=GovFileInput(),
        description=_l("CSV: reference, amount in pence, sort code, account number, reason"),
        validators=[FileRequired(message=_l("Select the returns file"))],
    )


class SearchForm(GovForm):
    """DWP's search, sent by GET: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Payment reference, invoice number, provider or parent"),
        widget=GovTextInput(),
        description=_l(
            "A provider’s name, registration number or postcode; a parent’s name, email address or "
            "Universal Credit claim reference"
        ),
        validators=[Length(max=200, message=_l("Search must be 200 characters or fewer"))],
    )


class ReportRangeForm(GovForm):
    """The days a report or export covers, sent by GET (nothing changes)."""

    class Meta:
        csrf = False

    start = GovDateField(
        _l("From"),
        validators=[InputRequired(message=_l("Enter the first day"))],
        messages=DateMessages(
            day=_l("The start date must include a day"),
            month=_l("The start date must include a month"),
            year=_l("The start date must include a year"),
            real=_l("The start date must be a real date"),
            between=_l("The start date must be between 1 January 1900 and 31 December 2099"),
        ),
    )
    end = GovDateField(
        _l("To"),
        validators=[InputRequired(message=_l("Enter the last day"))],
        messages=DateMessages(
            day=_l("The end date must include a day"),
            month=_l("The end date must include a month"),
            year=_l("The end date must include a year"),
            real=_l("The end date must be a real date"),
            between=_l("The end date must be between 1 January 1900 and 31 December 2099"),
        ),
    )

    def validate_end(self, field: GovDateField) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The last day must be the same as or after the first day"))
