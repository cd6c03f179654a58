"""Every form speaks GOV.UK: WTForms' own messages never reach a person (``config.forms.GovForm``)."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

import claimants.forms
import invoicing.forms
import providers.forms
import staff.forms
from claimants.forms import ChildForm
from config.forms import DateMessages, GovDateField, GovForm
from invoicing.forms import BreakForm, InvoiceForm
from staff.forms import AuditExportForm


def _errors(app: Flask, form_class: type, data: dict[str, object]) -> dict[str, list[str]]:
    with app.test_request_context("/", method="POST"):
        form = form_class(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
        return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


def test_a_tampered_choice_and_an_overlong_answer_get_govuk_words(app: Flask) -> None:
    broken = _errors(app, BreakForm, {"outcome": "pay_me_twice", "note": "x" * 1001})
    assert broken == {
        "outcome": ["Select one of the options"],
        "note": ["This must be 1000 characters or fewer"],
    }
    exported = _errors(app, AuditExportForm, {"format": "xml"})
    assert exported["format"] == ["Select one of the options"]


def test_forms_inside_forms_get_the_same_words(app: Flask) -> None:
    invoice = _errors(app, InvoiceForm, {"lines-0-hours": "1" * 11, "lines-0-amount": "1"})
    assert "This must be 10 characters or fewer" in str(invoice)
    assert "Field cannot be longer" not in str(invoice)


def _date_fields() -> list[tuple[str, GovDateField]]:
    """Every date field of every form in the service, as its form declares it."""
    found = []
    for module in (claimants.forms, invoicing.forms, providers.forms, staff.forms):
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, GovForm):
                for name, field in vars(form).items():
                    if isinstance(field, UnboundField) and issubclass(field.field_class, GovDateField):
                        found.append((f"{form.__name__}.{name}", field))
    return found


def test_every_date_field_has_its_own_whole_sentences() -> None:
    """A label in a generic sentence ("%(label)s must be a real date") cannot mutate in Welsh:
    each date field says its own, in GOV.UK's date input words."""
    fields = _date_fields()
    assert len(fields) >= 9
    without = [name for name, field in fields if not isinstance(field.kwargs.get("messages"), DateMessages)]
    assert without == []


def test_a_date_field_gives_its_own_message_for_each_problem(app: Flask) -> None:
    def said(born: list[str]) -> list[str]:
        return _errors(app, ChildForm, {"date_of_birth": born}).get("date_of_birth", [])

    assert said(["4", "", "2022"]) == ["Date of birth must include a month"]
    assert said(["", "5", "2022"]) == ["Date of birth must include a day"]
    assert said(["4", "5", ""]) == ["Date of birth must include a year"]
    assert said(["31", "2", "2022"]) == ["Date of birth must be a real date"]
    assert said(["1", "1", "1066"]) == ["Date of birth must be between 1 January 1900 and 31 December 2099"]
    with app.test_request_context("/", method="POST"), force_locale("cy"):
        form = ChildForm(formdata=MultiDict({"date_of_birth": ["4", "", "2022"]}), meta={"csrf": False})
        form.validate()
        assert form.date_of_birth.errors == ["Rhaid i'r dyddiad geni gynnwys mis"]
