"""Forms on DWP staff's own pages (Flask-WTF with the GOV.UK widgets)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from config.forms import DateMessages, GovDateField, GovForm, GovRadioInput, GovSelect, GovTextInput


class AuditExportForm(GovForm):
    """Sent by GET (a download): no CSRF token, as nothing but the export's own record changes."""

    class Meta:
        csrf = False

    start = GovDateField(
        _l("From"),
        validators=[InputRequired(message=_l("Enter the first day to export"))],
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
        validators=[InputRequired(message=_l("Enter the last day to export"))],
        messages=DateMessages(
            day=_l("The end date must include a day"),
            month=_l("The end date must include a month"),
            year=_l("The end date must include a year"),
            real=_l("The end date must be a real date"),
            between=_l("The end date must be between 1 January 1900 and 31 December 2099"),
        ),
    )
    entity_type = SelectField(
        _l("Kind of record (optional)"),
        widget=GovSelect(),
        choices=[SelectChoice("", _l("Every kind of record"))],  # the kinds in the log are added by the view
        validate_choice=False,  # checked in the view against the kinds the log holds, with GOV.UK words
    )
    entity_id = StringField(
        _l("Record id (optional)"),
        widget=GovTextInput(),
        validators=[
            Length(max=36, message=_l("Enter the record's id in the correct format, like 1b9d6bcd-…"))
        ],
    )
    format = RadioField(
        _l("File format"),
        widget=GovRadioInput(),
        choices=[SelectChoice("csv", _l("CSV (for spreadsheets)")), SelectChoice("json", _l("JSON"))],
        default="csv",
        validators=[InputRequired(message=_l("Select CSV or JSON"))],
    )
