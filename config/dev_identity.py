"""The development OpenID provider: stands in for GOV.UK One Login and DWP's staff directory.

Switched on by ``DEV_IDENTITY_PROVIDER=1`` (``make run`` sets it; production refuses it). It is a
real OpenID Connect provider built with Authlib: discovery, JWKS, authorization code with PKCE
(S256) and nonce, signed ID tokens and a userinfo endpoint. Its sign-in page lists the demo
parents and DWP staff, and lets you sign in as someone new.

It works behind several web processes (``gunicorn -w 4``): codes, tokens, nonces and the ids of
client assertions are rows in the database (``config.dev_identity_store``), each code taken once,
and the ID tokens' ES256 key is derived from ``SECRET_KEY``, so every worker signs with the same
key and publishes the same JWKS.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from joserfc.jwk import ECKey, RSAKey

from config.dev_identity_store import SharedStore, dev_signing_key
from config.oidc import DEV_CLIENT_IDS, PARENTS, STAFF, dev_client_secret
from config.settings import Settings

SCOPES = ("openid", "email", "profile", "roles")
PARENTS_CLIENT_ID = DEV_CLIENT_IDS[PARENTS]
STAFF_CLIENT_ID = DEV_CLIENT_IDS[STAFF]
CODE_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class DevClient(ClientMixin):
    client_id: str
    client_secret: str
    redirect_path: str
    # When set, the client must authenticate with private_key_jwt (as with GOV.UK One Login).
    public_key: RSAKey | None = None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        parts = urlsplit(redirect_uri)
        return parts.hostname in {"127.0.0.1", "localhost"} and parts.path == self.redirect_path

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if endpoint != "token":
            return True
        return method == ("private_key_jwt" if self.public_key is not None else "client_secret_basic")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class DevCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    identity: Identity
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return None

    def get_amr(self) -> list[str] | None:
        return None


@dataclass(frozen=True)
class Identity:
    subject: str
    name: str
    email: str
    roles: tuple[str, ...] = ()


class _State:
    """The provider's key and clients (the same in every process) and its shared records."""

    def __init__(self, settings: Settings, store: SharedStore) -> None:
        self.key: ECKey = dev_signing_key(settings.secret_key)
        self.clients = {
            client.client_id: client
            for client in (
                DevClient(
                    PARENTS_CLIENT_ID,
                    dev_client_secret(settings, PARENTS_CLIENT_ID),
                    "/account/sign-in/callback",
                    _public_key(settings.parent_oidc_private_key),
                ),
                DevClient(
                    STAFF_CLIENT_ID, dev_client_secret(settings, STAFF_CLIENT_ID), "/finance/sign-in/callback"
                ),
            )
        }
        self.store = store


def _s() -> _State:
    """This app's provider (each app has its own; its records are in the app's database)."""
    state: _State = current_app.extensions["dev_identity"]
    return state


def _public_key(private_pem: str) -> RSAKey | None:
    if not private_pem:
        return None
    return RSAKey.import_key(RSAKey.import_key(private_pem).as_dict(private=False))


class _PrivateKeyJWT(JWTBearerClientAssertion):
    """Client authentication by a signed assertion (RFC 7523), each ``jti`` accepted once."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, token_url: str) -> None:
        super().__init__(leeway=30)
        self.audience = token_url

    def get_audiences(self) -> list[str]:
        return [self.audience]

    def validate_jti(self, claims: Any, jti: str) -> bool:
        """Each assertion once, whichever process sees it (kept past its five-minute life)."""
        return _s().store.put("jti", jti, {}, timedelta(minutes=10))

    def resolve_client_public_key(self, client: DevClient) -> RSAKey:
        if client.public_key is None:
            raise OAuth2Error(description="This client uses a secret, not a key")
        return client.public_key

    def verify_claims(self, claims: Any) -> None:
        super().verify_claims(claims)
        if int(claims["exp"]) - int(claims.get("iat", claims["exp"])) > 300:
            raise OAuth2Error(description="The assertion must expire within five minutes")


class _AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "private_key_jwt"]  # noqa: RUF012 - Authlib reads it

    def save_authorization_code(self, code: str, request: Any) -> None:
        payload = request.payload
        identity: Identity = request.user
        nonce = payload.data.get("nonce")
        record = {
            "client_id": payload.client_id,
            "redirect_uri": payload.redirect_uri,
            "scope": payload.scope,
            "identity": {**asdict(identity), "roles": list(identity.roles)},
            "nonce": nonce,
            "code_challenge": payload.data.get("code_challenge"),
            "code_challenge_method": payload.data.get("code_challenge_method"),
            "auth_time": int(time.time()),
        }
        _s().store.put("code", code, record, CODE_LIFETIME)
        if nonce:
            _s().store.put("nonce", f"{payload.client_id}:{nonce}", {}, CODE_LIFETIME)

    def query_authorization_code(self, code: str, client: DevClient) -> DevCode | None:
        """Taken, not read: a code is redeemed once even if two processes are asked at once."""
        record = _s().store.take("code", code)
        if record is None or record["client_id"] != client.client_id:
            return None
        identity = Identity(**{**record["identity"], "roles": tuple(record["identity"]["roles"])})
        return DevCode(
            code=code,
            client_id=record["client_id"],
            redirect_uri=record["redirect_uri"],
            scope=record["scope"],
            identity=identity,
            nonce=record["nonce"],
            code_challenge=record["code_challenge"],
            code_challenge_method=record["code_challenge_method"],
            auth_time=record["auth_time"],
        )

    def delete_authorization_code(self, authorization_code: DevCode) -> None:
        """Nothing left to do: ``query_authorization_code`` took it."""

    def authenticate_user(self, authorization_code: DevCode) -> Identity:
        return authorization_code.identity


class _OpenIDCode(OpenIDCode):
    def __init__(self, issuer: str) -> None:
        super().__init__(require_nonce=True)
        self.issuer = issuer

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return _s().store.get("nonce", f"{request.payload.client_id}:{nonce}") is not None

    def resolve_client_private_key(self, client: DevClient) -> ECKey:
        return _s().key

    def get_client_claims(self, client: DevClient) -> dict[str, Any]:
        return {"iss": self.issuer, "aud": [client.get_client_id()], "exp": int(time.time()) + 300}

    def get_encode_header(self, client: DevClient) -> dict[str, str]:
        return {"alg": "ES256", "kid": _s().key.kid or ""}

    def get_client_algorithm(self, client: DevClient) -> str:
        return "ES256"

    def generate_user_info(self, user: Identity, scope: str) -> UserInfo:
        return _user_info(user, scope)


def _user_info(identity: Identity, scope: str) -> UserInfo:
    info = UserInfo(sub=identity.subject)
    if "email" in scope.split():
        info.update(email=identity.email, email_verified=True)
    if "profile" in scope.split():
        info["name"] = identity.name
    if "roles" in scope.split():
        info["roles"] = list(identity.roles)
    return info


# Who the sign-in page lists: the parents and the staff who have signed in before, each as
# (parents, staff). The composition root hands it in, as config imports no domain package.
Directory = Callable[[], tuple[list[Identity], list[Identity]]]


def _demo_identities() -> tuple[list[Identity], list[Identity]]:
    directory: Directory = current_app.extensions["dev_identity_directory"]
    return directory()


def _chosen_identity(client_id: str) -> Identity | None:
    """Who the developer picked on the sign-in page; someone new is made from a name and email."""
    if request.form.get("subject"):
        parents, staff = _demo_identities()
        known = {i.subject: i for i in (parents if client_id == PARENTS_CLIENT_ID else staff)}
        return known.get(request.form["subject"])
    email = request.form.get("email", "").strip().lower()
    name = request.form.get("name", "").strip()
    if not email or "@" not in email or not name:
        return None
    roles = tuple(request.form.getlist("roles")) if client_id == STAFF_CLIENT_ID else ()
    return Identity("dev-" + hashlib.sha256(email.encode()).hexdigest()[:24], name, email, roles)


def init_dev_identity(app: Flask, settings: Settings, directory: Directory) -> None:
    """Register the provider on ``app`` (development only: production refuses the setting)."""
    app.extensions["dev_identity"] = _State(settings, SharedStore(app.extensions["database"].session_factory))
    app.extensions["dev_identity_directory"] = directory
    issuer = settings.base_url.rstrip("/") + "/dev-identity"
    server = AuthorizationServer(
        app, query_client=lambda client_id: _s().clients.get(client_id), save_token=_save_token
    )
    server.register_grant(_AuthorizationCodeGrant, [_OpenIDCode(issuer), CodeChallenge(required=True)])
    server.register_client_auth_method(_PrivateKeyJWT.CLIENT_AUTH_METHOD, _PrivateKeyJWT(f"{issuer}/token"))
    blueprint = Blueprint("dev_identity", __name__, url_prefix="/dev-identity")

    @blueprint.get("/.well-known/openid-configuration")
    def discovery() -> ResponseReturnValue:
        base = issuer
        return jsonify(
            {
                "issuer": issuer,
                "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token",
                "userinfo_endpoint": f"{base}/userinfo",
                "jwks_uri": f"{base}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["ES256"],
                "scopes_supported": list(SCOPES),
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["sub", "email", "email_verified", "name", "roles"],
            }
        )

    @blueprint.get("/jwks")
    def jwks() -> ResponseReturnValue:
        return jsonify({"keys": [_s().key.as_dict(private=False)]})

    @blueprint.route("/authorize", methods=["GET", "POST"])
    def authorize() -> ResponseReturnValue:
        try:
            grant = server.get_consent_grant()
        except OAuth2Error as error:
            return render_template("dev_identity/error.html", error=error), 400
        client_id = grant.client.get_client_id()
        if request.method == "POST":
            identity = _chosen_identity(client_id)
            if identity is None:
                problem = _("Choose who to sign in as, or enter a name and email address")
                return _sign_in_page(client_id, problem), 400
            return server.create_authorization_response(grant_user=identity, grant=grant)
        return _sign_in_page(client_id)

    @blueprint.post("/token")
    def token() -> ResponseReturnValue:
        return server.create_token_response()

    @blueprint.get("/userinfo")
    def userinfo() -> ResponseReturnValue:
        header = request.headers.get("Authorization", "")
        found = (
            _s().store.get("token", header.removeprefix("Bearer ").strip())
            if header.startswith("Bearer ")
            else None
        )
        if found is None:
            abort(401)
        identity = Identity(**{**found["identity"], "roles": tuple(found["identity"]["roles"])})
        return jsonify(dict(_user_info(identity, found["scope"])))

    def _sign_in_page(client_id: str, error: str | None = None) -> str:
        parents, staff = _demo_identities()
        people = parents if client_id == PARENTS_CLIENT_ID else staff
        return render_template(
            "dev_identity/sign_in.html",
            people=people,
            for_staff=client_id == STAFF_CLIENT_ID,
            error=error,
        )

    # Relying parties call the token endpoint server to server: there is no form to protect.
    app.extensions["csrf"].exempt(token)
    app.register_blueprint(blueprint)


def _save_token(token: dict[str, Any], request: Any) -> None:
    identity: Identity = request.user
    _s().store.put(
        "token",
        token["access_token"],
        {"identity": {**asdict(identity), "roles": list(identity.roles)}, "scope": token.get("scope", "")},
        timedelta(seconds=float(token.get("expires_in", 3600))),
    )
