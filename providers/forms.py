"""Nursery staff's forms (Flask-WTF with the GOV.UK widgets). Rules themselves live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from config.errors import N_
from config.forms import EmailAddress, GovForm, GovPasswordInput, GovRadioInput, GovTextArea, GovTextInput
from providers.models import Regulator

REGIONS = (
    N_("North East"),
    N_("North West"),
    N_("Yorkshire and The Humber"),
    N_("East Midlands"),
    N_("West Midlands"),
    N_("East of England"),
    N_("London"),
    N_("South East"),
    N_("South West"),
    N_("Wales"),
    N_("Scotland"),
)


class RegulatorForm(GovForm):
    regulator = RadioField(
        _l("Who is your setting registered with?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice(Regulator.OFSTED.value, _l("Ofsted")),
            SelectChoice(Regulator.CARE_INSPECTORATE_WALES.value, _l("Care Inspectorate Wales")),
            SelectChoice(Regulator.CARE_INSPECTORATE_SCOTLAND.value, _l("Care Inspectorate (Scotland)")),
            SelectChoice(Regulator.APPROVED_SCHEME.value, _l("Another approved childcare scheme")),
        ],
        validators=[InputRequired(message=_l("Select who your setting is registered with"))],
    )


class RegistrationNumberForm(GovForm):
    registration_number = StringField(
        _l("What is your registration number?"),
        widget=GovTextInput(),
        description=_l(
            "It is on your registration certificate. For Ofsted, this is your URN, like EY123456."
        ),
        validators=[InputRequired(message=_l("Enter the registration number")), Length(max=30)],
    )


class SettingNameForm(GovForm):
    name = StringField(
        _l("What is the name of your setting?"),
        widget=GovTextInput(),
        description=_l("Use the name on your registration certificate"),
        validators=[InputRequired(message=_l("Enter the name of the setting")), Length(max=200)],
    )


class PostcodeForm(GovForm):
    postcode = StringField(
        _l("What is your setting’s postcode?"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter a postcode")), Length(max=10)],
    )


class RegionForm(GovForm):
    region = RadioField(
        _l("Which part of the UK is your setting in?"),
        widget=GovRadioInput(),
        choices=[SelectChoice(region, _l(region)) for region in REGIONS],  # stored in English, shown in words
        validators=[InputRequired(message=_l("Select the part of the UK your setting is in"))],
    )


class BankForm(GovForm):
    account_name = StringField(
        _l("Name on the account"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter the name on the account")), Length(max=200)],
    )
    sort_code = StringField(
        _l("Sort code"),
        widget=GovTextInput(),
        description=_l("Must be 6 digits long"),
        validators=[InputRequired(message=_l("Enter a sort code"))],
    )
    account_number = StringField(
        _l("Account number"),
        widget=GovTextInput(),
        description=_l("Must be between 6 and 8 digits long"),
        validators=[InputRequired(message=_l("Enter an account number"))],
    )


class YourDetailsForm(GovForm):
    admin_name = StringField(
        _l("Your full name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your full name")), Length(max=200)],
    )
    admin_email = StringField(
        _l("Your email address"),
        widget=GovTextInput(),
        description=_l("You will use this to sign in"),
        validators=[InputRequired(message=_l("Enter your email address")), Length(max=320)],
    )


class NewPasswordForm(GovForm):
    password = PasswordField(
        _l("Create a password"),
        widget=GovPasswordInput(),
        description=_l("Must be 10 characters or more. Three random words make a good password."),
        validators=[InputRequired(message=_l("Enter a password"))],
    )


class SignInForm(GovForm):
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter your email address"))],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[InputRequired(message=_l("Enter your password"))],
    )


class EmailForm(GovForm):
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        description=_l("The email address you sign in with"),
        validators=[InputRequired(message=_l("Enter your email address")), Length(max=320)],
    )


class CodeForm(GovForm):
    code = StringField(
        _l("Security code"),
        widget=GovTextInput(),
        description=_l("The 6-digit code shown in your authenticator app, or one of your recovery codes"),
        validators=[InputRequired(message=_l("Enter the security code")), Length(max=20)],
    )


class InviteForm(GovForm):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter their full name")), Length(max=200)],
    )
    email = StringField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter their email address")), Length(max=320), EmailAddress()],
    )
    role = RadioField(
        _l("What can they do?"),
        widget=GovRadioInput(),
        choices=[
            SelectChoice("staff", _l("Staff: consents, invoices and payments")),
            SelectChoice("admin", _l("Admin: also colleagues, bank details and nursery software")),
        ],
        validators=[InputRequired(message=_l("Select what they can do"))],
    )


class ApiClientForm(GovForm):
    name = StringField(
        _l("Name of the software"),
        widget=GovTextInput(),
        validators=[InputRequired(message=_l("Enter the software’s name")), Length(max=100)],
    )
    redirect_uris = TextAreaField(
        _l("Redirect addresses"),
        widget=GovTextArea(),
        description=_l("Where parents come back to after giving consent. One per line, starting https://"),
        validators=[Length(max=2000)],
    )
    webhook_url = StringField(
        _l("Webhook address (optional)"),
        widget=GovTextInput(),
        description=_l("Where we send events about consents, invoices and payments. Starts https://"),
        validators=[Length(max=500)],
    )


ROLE_CHOICES = [
    SelectChoice("staff", _l("Staff: consents, invoices and payments")),
    SelectChoice("admin", _l("Admin: also colleagues, bank details and nursery software")),
]


class RoleForm(GovForm):
    role = RadioField(
        _l("What can they do?"),
        widget=GovRadioInput(),
        choices=ROLE_CHOICES,
        validators=[InputRequired(message=_l("Select what they can do"))],
    )


class DirectorySearchForm(GovForm):
    """DWP's providers directory, searched by GET: nothing changes, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Name, registration number or postcode"),
        widget=GovTextInput(),
        validators=[Length(max=200, message=_l("Search must be 200 characters or fewer"))],
    )
