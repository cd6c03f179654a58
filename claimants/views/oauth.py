"""The OAuth 2.0 server's endpoints (``claimants.oauth`` builds the server) and the consent screen."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from claimants import repository, service
from claimants.forms import ConsentResponseForm
from claimants.oauth import CONSENT_SCOPE, PROVIDER_SCOPES, Client, ConsentGrant
from claimants.oauth import _Introspection as Introspection
from claimants.oauth import _Revocation as Revocation
from claimants.views.parent import current_parent
from config import settings
from config.database import utcnow
from config.errors import DomainError
from config.extensions import request_session
from config.formatting import london_date
from config.forms import show_errors
from providers import repository as providers_repository


def oauth_blueprint(server: AuthorizationServer) -> tuple[Blueprint, list[Any]]:
    """The server's endpoints and the consent screen; and the views nursery software calls (no CSRF)."""
    oauth = Blueprint("claimants_oauth", __name__)

    @oauth.get("/.well-known/oauth-authorization-server")
    def metadata() -> ResponseReturnValue:
        base = settings.current().base_url.rstrip("/")
        return jsonify(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/oauth/authorize",
                "token_endpoint": f"{base}/oauth/token",
                "revocation_endpoint": f"{base}/oauth/revoke",
                "introspection_endpoint": f"{base}/oauth/introspect",
                "scopes_supported": sorted(PROVIDER_SCOPES | {CONSENT_SCOPE}),
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "revocation_endpoint_auth_methods_supported": ["client_secret_basic"],
                "introspection_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    @oauth.post("/oauth/token")
    def token() -> ResponseReturnValue:
        return server.create_token_response()

    @oauth.post("/oauth/revoke")
    def revoke() -> ResponseReturnValue:
        return server.create_endpoint_response(Revocation.ENDPOINT_NAME)

    @oauth.post("/oauth/introspect")
    def introspect() -> ResponseReturnValue:
        return server.create_endpoint_response(Introspection.ENDPOINT_NAME)

    @oauth.route("/oauth/authorize", methods=["GET", "POST"])
    def authorize() -> ResponseReturnValue:
        """The parent's consent screen for nursery software (authorization code, PKCE S256)."""
        try:
            grant = server.get_consent_grant()
        except OAuth2Error as error:
            if getattr(error, "redirect_uri", None):
                return server.handle_error_response(None, error)
            return render_template("claimants/oauth_error.html", error=error), 400
        except ValueError:
            # Authlib refuses to put some characters (a quote, a backslash) of a bad request into
            # its error's description: the request is as broken as any other, and says so.
            return render_template("claimants/oauth_error.html", error=None), 400
        parent = current_parent()
        if parent is None:
            return redirect(url_for("claimants_parent.sign_in", next=request.full_path))
        db = request_session()
        household = service.household_of(db, parent)  # on a joint claim, the lead's
        if household.claim_start_date is None:
            # Invoices under a consent need the parent's claim: link it first, then come back here.
            return redirect(url_for("claimants_parent.link_claim", next=request.full_path))
        g.parent, g.household, g.actor = parent, household, service.parent_actor(parent)
        client: Client = grant.client
        provider = providers_repository.get_provider(db, client.row.provider_id)
        children = repository.list_children(db, household.id)
        form = ConsentResponseForm()
        form.child.choices = [SelectChoice(str(c.id), f"{c.first_name} {c.last_name}") for c in children]
        if form.validate_on_submit():
            if form.decision.data == "decline":
                service.refuse_consent(db, g.actor, provider_id=provider.id)
                return server.create_authorization_response(grant_user=None, grant=grant)
            try:
                consent = service.grant_consent(
                    db, g.actor, provider_id=provider.id, child_id=uuid.UUID(form.child.data)
                )
            except DomainError as error:
                show_errors(form, error)
            else:
                return server.create_authorization_response(
                    grant_user=ConsentGrant(household.id, consent.id), grant=grant
                )
        until = london_date(utcnow() + timedelta(days=settings.current().consent_validity_days))
        status = 400 if form.errors or form.form_errors else 200
        return render_template(
            "claimants/consent_screen.html",
            consent=None,
            provider=provider,
            children=children,
            form=form,
            until=until,
        ), status

    return oauth, [token, revoke, introspect]
