"""Form pieces shared by the portals (Flask-WTF with the GOV.UK widgets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from flask_babel import get_translations
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from govuk_frontend_wtf import wtforms_widgets as widgets
from markupsafe import Markup
from wtforms import DateField, FieldList, FormField
from wtforms import Form as WtfForm
from wtforms.validators import StopValidation, ValidationError

from config import redirects
from config.errors import N_, translated
from config.notify import looks_like_email

_PARTS = ("day", "month", "year")
EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)


class TranslatedErrorPrefix:
    """A field's error message begins "Error:" for screen readers (GOV.UK's error message
    component), in the page's language: the component's own default is English."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        if params.get("errorMessage"):
            params["errorMessage"]["visuallyHiddenText"] = _("Error")
        return params


# The GOV.UK widgets every form uses (govuk-frontend-wtf's, with the prefix in the page's language).
class GovTextInput(TranslatedErrorPrefix, widgets.GovTextInput):
    pass


class GovPasswordInput(TranslatedErrorPrefix, widgets.GovPasswordInput):
    pass


class GovTextArea(TranslatedErrorPrefix, widgets.GovTextArea):
    pass


class GovRadioInput(TranslatedErrorPrefix, widgets.GovRadioInput):
    pass


class GovSelect(TranslatedErrorPrefix, widgets.GovSelect):
    pass


class GovFileInput(TranslatedErrorPrefix, widgets.GovFileInput):
    pass


class LabelledDateInput(TranslatedErrorPrefix, widgets.GovDateInput):
    """GOV.UK's three date boxes, each with its own id and its own translated label, keeping what
    was typed when the form comes back with an error (the upstream widget labels them in English,
    and a caller's own items lose the ids and the values)."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        widths = {"day": "govuk-input--width-2", "month": "govuk-input--width-2"}
        words = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
        for item, part in zip(params["items"], _PARTS, strict=True):
            error = " govuk-input--error" if field.errors else ""
            width = widths.get(part, "govuk-input--width-4")
            item.update(label=words[part], id=f"{field.id}-{part}", classes=width + error)
        return params


@dataclass(frozen=True)
class DateMessages:
    """A date field's own messages, each a whole sentence in GOV.UK's words ("Date of birth must
    include a month", "Date of birth must be a real date"): a label dropped into a sentence reads
    wrongly in Welsh, which mutates it after "i" ("Rhaid i ddyddiad geni…"). Mark each with
    ``lazy_gettext`` where the field is declared."""

    day: str
    month: str
    year: str
    real: str
    between: str  # outside 1 January 1900 to 31 December 2099


class GovDateField(DateField):
    """A date as three boxes (day, month, year) in GOV.UK style.

    govuk-frontend-wtf's date widget crashes when the date is missing from the POST altogether
    (its three inputs share one name and it unpacks three values): this field always keeps three,
    and gives the GOV.UK messages for a partial or impossible date: the field's own
    (``messages``), or, for a field declared without them, sentences made from its label.
    """

    widget = LabelledDateInput()

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        messages: DateMessages | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.date_messages = messages

    def _says(self, kind: str) -> str:
        """The message for ``kind`` (a missing part, "real" or "between")."""
        if self.date_messages is not None:
            return str(getattr(self.date_messages, kind))
        label = self.label.text
        if kind in _PARTS:
            return _("%(label)s must include a %(part)s", label=label, part=_(kind))
        if kind == "real":
            return _("%(label)s must be a real date", label=label)
        return _("%(label)s must be between 1 January 1900 and 31 December 2099", label=label)

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [str(value).strip() for value in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return  # an InputRequired or Optional validator says what to do with nothing
        for part, value in zip(_PARTS, parts, strict=True):
            if not value:
                raise ValueError(self._says(part))
        day, month, year = parts
        try:
            if len(year) != 4 or len(day) > 2 or len(month) > 2:
                raise ValueError
            if not all(part.isascii() and part.isdigit() for part in parts):
                raise ValueError  # int() takes "٢٠٢٦" and "１２" too
            given = date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValueError(self._says("real")) from exc
        if not EARLIEST <= given <= LATEST:
            # Year 0001 is a real date to Python, and no date this service has any use for.
            raise ValueError(self._says("between"))
        self.data = given

    def pre_validate(self, form: Any) -> None:
        if self.process_errors and any(self.raw_data or ()):
            # Part of a date typed: what it lacks is the problem, not that nothing was entered
            # (InputRequired looks only at the first box, the day).
            raise StopValidation()


class EmailAddress:
    """The service's check of an email address (``config.notify.looks_like_email``) on a form,
    so its message is shown beside the form's others, not only once they are put right."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data and not looks_like_email(field.data):
            raise ValidationError(_("Enter an email address in the correct format, like name@example.com"))


class GovUkWording:
    """WTForms' own messages, for a field that gives none of its own, in GOV.UK's words (and then
    through the service's catalogue): "Not a valid choice." is no way to speak to anyone."""

    WORDS: ClassVar[dict[str, str]] = {
        "Not a valid choice.": N_("Select one of the options"),
        "Invalid Choice: could not coerce.": N_("Select one of the options"),
        "This field is required.": N_("Enter an answer"),
        "Invalid input.": N_("Enter an answer in the correct format"),
        "Not a valid integer value.": N_("Enter a whole number"),
        "Not a valid decimal value.": N_("Enter a number"),
        "Field cannot be longer than %(max)d character.": N_("This must be %(max)d character or fewer"),
        "Field cannot be longer than %(max)d characters.": N_("This must be %(max)d characters or fewer"),
        "Field must be at least %(min)d character long.": N_("This must be %(min)d character or more"),
        "Field must be at least %(min)d characters long.": N_("This must be %(min)d characters or more"),
    }

    def gettext(self, string: str) -> str:
        return str(get_translations().ugettext(self.WORDS.get(string, string)))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # WTForms fills in %(max)d itself, so the text is translated here but not formatted.
        # Each of GOV.UK's forms is its own message ("…character or fewer", "…characters or fewer").
        chosen = singular if n == 1 else plural
        return str(get_translations().ugettext(self.WORDS.get(chosen, chosen)))


GOVUK_WORDING = GovUkWording()


class GovForm(FlaskForm):
    """The base of every form in the service: CSRF from Flask-WTF, messages in GOV.UK's words."""

    class Meta:
        def get_translations(self, form: Any) -> GovUkWording:
            return GOVUK_WORDING

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None:
            # A hidden field needs no id, and a page with several forms (a button per row) would
            # repeat it: WTForms leaves out an attribute whose value is False.
            csrf.id = False


class GovSubForm(WtfForm):
    """A form inside another (a row of lines, a filter): no CSRF token of its own, the same words."""

    class Meta:
        def get_translations(self, form: Any) -> GovUkWording:
            return GOVUK_WORDING


class ConfirmForm(GovForm):
    """Only the CSRF token: for buttons that do one deliberate thing (confirm, register, send)."""


def safe_next(target: str | None, *, within: tuple[str, ...] = ("/",)) -> str | None:
    """Only a page of this service under ``within``: never another site (``config.redirects``)."""
    return redirects.safe_next(target, within=within)


def error_list(form: Any) -> list[dict[str, str]]:
    """The GOV.UK error summary's list for ``form``: every message of every field, each linked to
    its field (a date links to its first box), then the form's own messages, which have no field
    to link to. (govuk-frontend-wtf's ``wtforms_errors`` keeps only a field's first message and
    gives form-level messages a dead ``#None`` link.)"""
    items: list[dict[str, str]] = []
    for field in _leaf_fields(form):
        for message in field.errors or []:
            if isinstance(message, dict):
                continue  # a sub-form's errors: its own fields are listed themselves
            # A message may be lazy (a validator's words through Babel): text, not only str.
            first_box = "-day" if isinstance(field, GovDateField) else ""
            # Markup (column names as code) stays markup; anything else is text.
            words = {"html": message} if isinstance(message, Markup) else {"text": str(message)}
            items.append({**words, "href": f"#{field.id}{first_box}"})
    items.extend({"text": str(message)} for message in getattr(form, "form_errors", []) or [])
    return items


def _leaf_fields(fields: Any) -> Any:
    """Every field of a form, looking inside lists of fields and sub-forms."""
    for field in fields:
        if isinstance(field, FieldList | FormField):
            yield from _leaf_fields(field)
        else:
            yield field


def show_errors(form: Any, error: Any) -> None:
    """Put a service's field errors (``DomainError.errors``) on the form's fields, or on the form."""
    for item in getattr(error, "errors", []) or []:
        field = getattr(form, item.field.split(".")[-1], None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), translated(item.message)]
            continue
        form.form_errors.append(translated(item.message))
    if not getattr(error, "errors", None):
        form.form_errors.append(translated(error.detail))
