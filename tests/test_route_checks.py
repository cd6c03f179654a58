"""Every page and API route checks who is asking: a structure test generated from ``app.url_map``.

A new route with no check fails here until it is given one (or is deliberately listed as public).
"""

from __future__ import annotations

import pytest
from flask import Flask

# Routes anyone may reach: start pages, sign-in steps, registration, public documents and
# endpoints that authenticate by other means (OAuth client credentials, Stripe's signature).
PUBLIC = {
    "home.index",
    "operations.healthz",
    "operations.readyz",
    "operations.metrics",
    "static",
    "api_docs",
    "api-docs.openapi_json",
    "providers_nursery.index",
    "providers_nursery.sign_in",
    "providers_nursery.enter_code",
    "providers_nursery.sign_out",
    "providers_nursery.accept_invitation",
    "claimants_parent.index",
    "claimants_parent.sign_in",
    "claimants_parent.callback",
    "claimants_parent.sign_out",
    "staff_finance.index",
    "staff_finance.sign_in",
    "staff_finance.callback",
    "staff_finance.sign_out",
    "invoicing_stripe.webhooks",
}
PUBLIC_PREFIXES = (
    "providers_nursery_registration.",
    "providers_nursery_password.",  # a forgotten password: by definition, not signed in
    "claimants_oauth.",
    "dev_identity.",
    "dev_tools.",
)


def _check_of(view: object) -> str | None:
    for attribute in ("required_roles", "required_provider_role", "required_parent", "required_scopes"):
        if hasattr(view, attribute):
            return attribute
    return None


def unchecked_routes(app: Flask) -> list[str]:
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC
        and not rule.endpoint.startswith(PUBLIC_PREFIXES)
        and _check_of(app.view_functions[rule.endpoint]) is None
    )


def test_every_route_checks_who_is_asking(app: Flask) -> None:
    assert unchecked_routes(app) == []


@pytest.mark.own_app
def test_a_route_without_a_check_is_caught(app: Flask) -> None:
    app.add_url_rule("/finance/naked", "naked", lambda: "anyone may see this")
    assert unchecked_routes(app) == ["naked"]


def test_every_finance_route_names_the_roles_it_allows(app: Flask) -> None:
    """ "Any signed-in DWP person" is allowed only for the home page; every other names its roles."""
    vague = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/finance/")
        and rule.endpoint not in PUBLIC
        and rule.endpoint != "invoicing_finance.home"
        and not getattr(app.view_functions[rule.endpoint], "required_roles", ())
    )
    assert vague == []
