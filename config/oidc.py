"""OpenID Connect sign-in (Authlib's client): parents and DWP staff.

Each audience has its own client, registered from settings: GOV.UK One Login for parents and the
department's identity provider for staff in production; the built-in development provider when
``DEV_IDENTITY_PROVIDER`` is on and nothing else is configured. Every sign-in uses the
authorization code flow with PKCE (S256), state and nonce; the ID token's signature, issuer,
audience, expiry and nonce are checked by Authlib before anyone is signed in.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.flask_client import OAuth, OAuthError
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oauth2.rfc7523.assertion import private_key_jwt_sign
from flask import Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from joserfc.jwk import RSAKey
from werkzeug.wrappers import Response

from config.errors import N_, DomainError
from config.settings import Settings

log = logging.getLogger(__name__)

PARENTS = "parents"
STAFF = "staff"
# The development provider's clients (claimants/dev_identity.py serves them).
DEV_CLIENT_IDS = {PARENTS: "childcare-direct-parents", STAFF: "childcare-direct-staff"}


class SignInFailed(DomainError):
    status = 400
    code = "sign_in_failed"
    title = "There is a problem: we could not sign you in"


class FreshPrivateKeyJWT(PrivateKeyJWT):
    """``private_key_jwt`` as GOV.UK One Login wants it: a new ``jti`` and a five-minute expiry.

    Authlib's own reuses one claims dict (so one ``jti``) on every call and signs for an hour.
    """

    ASSERTION_SECONDS = 300

    def sign(self, auth: Any, token_endpoint: str) -> str:
        key = auth.client_secret
        if isinstance(key, str):
            key = RSAKey.import_key(key)
        signed: str = private_key_jwt_sign(
            key,
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            claims={"jti": generate_token(36)},
            alg=self.alg,
            expires_in=self.ASSERTION_SECONDS,
        )
        return signed


def dev_client_secret(settings: Settings, client_id: str) -> str:
    """The development clients' secrets, derived from the app's secret key (never configured)."""
    return hmac.new(settings.secret_key.encode(), client_id.encode(), hashlib.sha256).hexdigest()


def _dev_provider(settings: Settings, name: str) -> dict[str, str]:
    return {
        "server_metadata_url": settings.base_url.rstrip("/")
        + "/dev-identity/.well-known/openid-configuration",
        "client_id": DEV_CLIENT_IDS[name],
        "client_secret": dev_client_secret(settings, DEV_CLIENT_IDS[name]),
    }


def init_oidc(app: Flask, settings: Settings) -> None:
    oauth = OAuth(app)
    audiences = (
        (
            PARENTS,
            settings.parent_oidc_discovery_url,
            settings.parent_oidc_client_id,
            settings.parent_oidc_client_secret,
            settings.parent_oidc_scope,
        ),
        (
            STAFF,
            settings.staff_oidc_discovery_url,
            settings.staff_oidc_client_id,
            settings.staff_oidc_client_secret,
            "openid email profile roles",
        ),
    )
    for name, discovery, client_id, secret, scope in audiences:
        if discovery:
            provider: dict[str, Any] = {
                "server_metadata_url": discovery,
                "client_id": client_id,
                "client_secret": secret,
            }
        elif settings.dev_identity_provider:
            provider = _dev_provider(settings, name)
        else:
            continue  # sign-in for this audience is not configured
        client_kwargs: dict[str, Any] = {"scope": scope, "code_challenge_method": "S256"}
        if name == PARENTS and settings.parent_oidc_private_key:
            provider["client_secret"] = settings.parent_oidc_private_key
            client_kwargs["token_endpoint_auth_method"] = FreshPrivateKeyJWT.name
            provider["client_auth_methods"] = [FreshPrivateKeyJWT()]
        oauth.register(name, client_kwargs=client_kwargs, **provider)
    app.extensions["oidc"] = oauth


def _client(name: str) -> Any:
    client = current_app.extensions["oidc"].create_client(name)
    if client is None:
        raise SignInFailed(N_("Sign-in is not configured for this service"))
    return client


def begin_sign_in(name: str, redirect_uri: str, **extra: str) -> Response:
    """Send the person to their identity provider (state, nonce and PKCE kept in the session)."""
    response: Response = _client(name).authorize_redirect(redirect_uri, **extra)
    return response


def finish_sign_in(name: str) -> dict[str, Any]:
    """Check the provider's answer and return the person's claims (ID token, then userinfo).

    Whatever goes wrong (a state that does not match, the provider's own error answer, a token or
    userinfo request that fails, a signature or key that does not check) is ``SignInFailed``:
    the person sees "we could not sign you in", never a server error.
    """
    client = _client(name)
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise SignInFailed(N_("The identity provider sent no ID token"))
        extra = client.userinfo(token=token)
    except SignInFailed:
        raise
    except OAuthError as error:
        raise SignInFailed(
            error.description or error.error or N_("The identity provider refused the sign-in")
        ) from error
    except Exception as error:  # any other failure of the provider's answer, by design
        log.warning("sign-in with %s failed: %s", name, type(error).__name__)
        raise SignInFailed(N_("The identity provider's answer could not be checked")) from error
    if extra.get("sub") != claims["sub"]:
        raise SignInFailed(N_("The identity provider's answers did not agree"))
    return {**extra, **claims}


def sign_in_failed_page(error: DomainError, again_url: str) -> ResponseReturnValue:
    """GOV.UK's "There is a problem: we could not sign you in", with the reason and a way back."""
    return (
        render_template("errors/sign_in_failed.html", error=error, again_url=again_url),
        error.status if error.status in {400, 403, 409} else 400,
    )
