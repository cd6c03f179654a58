"""Every form speaks GOV.UK: WTForms' own messages never reach a person (``config.forms.GovForm``)."""

from __future__ import annotations

from flask import Flask
from werkzeug.datastructures import MultiDict

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
