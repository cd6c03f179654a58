"""The composition root: builds the Flask app from settings and the three domain packages."""

from __future__ import annotations

from datetime import datetime
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, has_request_context, render_template
from flask_babel import Babel, get_locale
from flask_wtf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChainableUndefined, ChoiceLoader, PackageLoader, PrefixLoader

from config import language
from config import settings as settings_module
from config.api import init_api
from config.errors import from_kept, translated
from config.extensions import Database, request_session
from config.formatting import london_date, london_last_day, london_time, pounds
from config.forms import error_list
from config.limits import init_limits, limit_views
from config.models import load_all_models
from config.oidc import init_oidc
from config.operations import configure_logging, init_operations
from config.request_guard import init_request_guard
from config.settings import PROJECT_ROOT, Settings
from config.web import register_error_handlers
from config.words import words

LONDON = ZoneInfo("Europe/London")
# Pages that take a file: their bodies may be up to MAX_UPLOAD_BYTES, every other one MAX_REQUEST_BYTES.
UPLOAD_ENDPOINTS = ("invoicing_nursery.new_upload", "invoicing_finance.bacs_returns")


class ServiceApp(Flask):
    """Flask, but absolute links come from ``BASE_URL``, never from the request's Host header.

    ``url_for(..., _external=True)`` would otherwise write whatever Host the client sent into
    sign-in redirect addresses and emailed links (``Host: evil.example``).
    """

    def url_for(self, /, endpoint: str, *, _external: bool | None = None, **values: Any) -> str:
        if not _external:
            return super().url_for(endpoint, _external=_external, **values)
        values.pop("_scheme", None)  # the scheme is BASE_URL's too
        base = urlsplit(settings_module.current().base_url)
        if has_request_context():
            path = super().url_for(endpoint, _external=False, **values)
            return f"{base.scheme}://{base.netloc}{path}"
        adapter = self.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
        anchor = values.pop("_anchor", None)
        method = values.pop("_method", None)
        built = adapter.build(endpoint, values, method=method, force_external=True)
        return built + (f"#{anchor}" if anchor else "")


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_environment()
    settings_module.use(settings)
    load_all_models()
    app = ServiceApp(
        __name__,
        static_folder=str(PROJECT_ROOT / "config" / "static"),
        static_url_path="/assets",
        template_folder=str(PROJECT_ROOT / "config" / "templates"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SETTINGS=settings,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
    )
    _configure_templates(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    Babel(app, locale_selector=language.select_locale)
    app.before_request(language.keep_choice)
    CSRFProtect(app)
    WTFormsHelpers(app)
    Database(settings.database_url).init_app(app)
    register_error_handlers(app)
    if settings.environment != "test":
        # Tests keep pytest's own log capture; development reads as words, production as JSON.
        configure_logging(readable=settings.environment == "development")
    init_operations(app, production=settings.is_production, metrics_token=settings.metrics_token)
    init_oidc(app, settings)
    _register_blueprints(app)
    if settings.dev_identity_provider:
        from config.dev_identity import init_dev_identity
        from config.dev_tools import dev_tools

        init_dev_identity(app, settings, _demo_people)
        app.register_blueprint(dev_tools)
        if settings.claim_system == "development":
            from claims.views import dev_claims

            app.register_blueprint(dev_claims)
    _limit(app, settings)
    init_request_guard(app, settings, UPLOAD_ENDPOINTS)
    _register_cli(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from claimants.oauth import init_oauth
    from claimants.views.api import claimants_api
    from claimants.views.finance import claimants_finance
    from claimants.views.nursery import claimants_nursery
    from claimants.views.parent import claimants_parent
    from claimants.views.partner import claimants_parent_partner
    from invoicing.views.api import invoicing_api
    from invoicing.views.finance import invoicing_finance
    from invoicing.views.nursery import invoicing_nursery
    from invoicing.views.parent import invoicing_parent
    from invoicing.views.stripe_webhooks import invoicing_stripe
    from providers.views.finance import providers_finance
    from providers.views.nursery import providers_nursery
    from providers.views.nursery_password import providers_nursery_password
    from providers.views.nursery_registration import providers_nursery_registration
    from staff.views.audit import staff_audit
    from staff.views.finance import staff_finance

    # Each package's words for its machine names, registered for the ``words`` filter.
    for package in ("claims", "claimants", "invoicing", "providers", "staff"):
        import_module(f"{package}.labels")

    app.register_blueprint(_home_blueprint())
    app.register_blueprint(providers_nursery)
    app.register_blueprint(providers_nursery_password)
    app.register_blueprint(providers_nursery_registration)
    app.register_blueprint(claimants_nursery)
    app.register_blueprint(invoicing_nursery)
    app.register_blueprint(invoicing_stripe)
    app.extensions["csrf"].exempt(invoicing_stripe)  # Stripe signs its posts; there is no cookie
    app.register_blueprint(claimants_parent)
    app.register_blueprint(claimants_parent_partner)
    app.register_blueprint(staff_finance)
    app.register_blueprint(staff_audit)
    app.register_blueprint(invoicing_finance)
    app.register_blueprint(providers_finance)
    app.register_blueprint(claimants_finance)
    app.register_blueprint(invoicing_parent)
    init_oauth(app)
    api = init_api(app)
    api.register_blueprint(claimants_api)
    api.register_blueprint(invoicing_api)
    for blueprint in (
        claimants_api,
        invoicing_api,
    ):  # bearer tokens, not cookies: nothing for CSRF to protect
        app.extensions["csrf"].exempt(blueprint)


def _demo_people() -> tuple[list[Any], list[Any]]:
    """Whom the development identity provider lists: parents and staff who have signed in before."""
    from claimants import repository as claimants_repository
    from config.dev_identity import Identity
    from staff import repository as staff_repository

    db = request_session()
    parents = [
        Identity(p.oidc_subject, p.name, p.email)
        for p in claimants_repository.parents_with_subject(db)
        if p.oidc_subject
    ]
    staff = [
        Identity(s.oidc_subject, s.name, s.email, tuple(s.roles))
        for s in staff_repository.signed_in_before(db)
        if s.oidc_subject
    ]
    return parents, staff


def _limit(app: Flask, settings: Settings) -> None:
    limiter = init_limits(app, settings)
    sign_in = [
        "providers_nursery.sign_in",
        "providers_nursery.enter_code",
        "providers_nursery.accept_invitation",
        "providers_nursery_password.ask",
        "providers_nursery_password.choose",
        "claimants_parent.sign_in",
        "claimants_parent.callback",
        "staff_finance.sign_in",
        "staff_finance.callback",
    ]
    limit_views(app, limiter, sign_in, settings.rate_limit_sign_in)
    limit_views(
        app,
        limiter,
        ["claimants_oauth.token", "claimants_oauth.revoke", "claimants_oauth.introspect"],
        settings.rate_limit_token,
    )
    api = [name for name in app.view_functions if name.startswith(("claimants_api.", "invoicing_api."))]
    limit_views(app, limiter, api, settings.rate_limit_api, per_token=True)


def _configure_templates(app: Flask) -> None:
    # The GOV.UK macros test many optional variables that a page may leave unset.
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.loader = ChoiceLoader(
        [
            app.create_global_jinja_loader(),  # the app's and each blueprint's templates
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.filters["pounds"] = pounds
    app.jinja_env.filters["london_date"] = london_date
    app.jinja_env.filters["london_time"] = london_time
    app.jinja_env.filters["london_last_day"] = london_last_day
    app.jinja_env.filters["words"] = words
    app.jinja_env.filters["merge_params"] = lambda base, extra: {**base, **(extra or {})}
    app.jinja_env.globals["form"] = None
    app.jinja_env.globals["error_list"] = error_list
    app.jinja_env.globals["cspNonce"] = None
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")
    app.jinja_env.globals["switch_language_url"] = language.switch_url
    app.jinja_env.globals["translated"] = translated
    app.jinja_env.filters["stored_message"] = lambda record: translated(from_kept(record))
    app.jinja_env.globals["english_only_page"] = language.is_english_only
    app.jinja_env.globals["welsh_chosen"] = language.welsh_chosen


def _home_blueprint() -> Blueprint:
    home = Blueprint("home", __name__)

    @home.get("/")
    def index() -> str:
        from invoicing.entitlement import monthly_cap_pence

        today = datetime.now(LONDON).date()
        return render_template(
            "home/index.html",
            one_child=monthly_cap_pence(1, today),
            two_children=monthly_cap_pence(2, today),
        )

    return home


def _register_cli(app: Flask) -> None:
    from config.cli import register

    register(app)
