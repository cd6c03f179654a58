"""The OAuth 2.0 authorization server (Authlib) that nursery software talks to.

- ``client_credentials``: a provider-level token with the API scopes (``invoices:read`` ...).
- ``authorization_code`` with PKCE S256, always (confidential clients too): the parent's consent
  screen; the token answer carries ``consent_id`` and a refresh token that lives as long as the
  consent. Revoking the consent revokes its tokens.
- Revocation (RFC 7009), introspection (RFC 7662, with ``consent_id``), metadata (RFC 8414).

Client secrets, codes and tokens are kept only as SHA-256 hashes. A scope a client may not have
is refused with ``invalid_scope``, never silently dropped (Authlib drops by default), and so is
a request with no scope at all. A code is claimed once; reusing it, or reusing a rotated refresh
token, revokes every token of its family (``providers.tokens``). Introspecting a refresh token
reports the refresh token's own expiry: the consent's.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import Flask

from claimants import authorization_codes, repository
from claimants.models import AuthorizationCode
from config.database import utcnow
from config.extensions import request_session
from providers import repository as providers_repository
from providers import service as providers_service
from providers import tokens
from providers.models import ApiClient, OAuthToken

ACCESS_TOKEN_SECONDS = 3600
CODE_LIFETIME = timedelta(minutes=5)
CONSENT_SCOPE = "consent"
PROVIDER_SCOPES = frozenset(providers_service.PROVIDER_SCOPES)


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Client(ClientMixin):
    """An API client as Authlib sees it."""

    row: ApiClient

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.row.redirect_uris[0] if len(self.row.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str) -> str:
        return scope  # unknown scopes are refused before this point (see _check_scope)

    def allowed_scopes(self) -> set[str]:
        return set(self.row.scopes) | {CONSENT_SCOPE}

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.row.redirect_uris  # exact match only

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(
            providers_service.hash_client_secret(client_secret), self.row.client_secret_hash
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in {"client_credentials", "authorization_code", "refresh_token"}


@dataclass(frozen=True)
class Token(TokenMixin):
    """An access token, or (``refresh``) the refresh token of the same row, which lives as long
    as its consent (``refresh_expires_at``), not as long as the access token."""

    row: OAuthToken
    client: Client
    refresh: bool = False
    refresh_expires_at: datetime | None = None

    def check_client(self, client: Client) -> bool:
        return self.row.api_client_id == client.row.id

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return max(int((self.row.access_expires_at - self.row.issued_at).total_seconds()), 0)

    @property
    def expires_at(self) -> datetime | None:
        return self.refresh_expires_at if self.refresh else self.row.access_expires_at

    def is_expired(self) -> bool:
        return self.expires_at is None or self.expires_at <= utcnow()

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None

    def get_user(self) -> None:
        return None

    def get_client(self) -> Client:
        return self.client


@dataclass(frozen=True)
class ConsentGrant:
    """The user of a consent-flow code or refresh token: a parent's consent for one provider."""

    parent_id: uuid.UUID
    consent_id: uuid.UUID

    def get_user_id(self) -> str:
        return str(self.parent_id)


@dataclass
class Code:
    row: AuthorizationCode

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    @property
    def code_challenge(self) -> str:
        return self.row.code_challenge

    @property
    def code_challenge_method(self) -> str:
        return self.row.code_challenge_method


def _query_client(client_id: str) -> Client | None:
    row = providers_repository.find_live_client(request_session(), client_id)
    return Client(row) if row else None


def _check_scope(grant: Any, allowed: set[str]) -> None:
    requested = set((grant.request.payload.scope or "").split())
    if not requested:
        choices = " ".join(sorted(allowed))
        raise InvalidScopeError(description=f"A scope is required: ask for one or more of {choices}")
    if requested - allowed:
        raise InvalidScopeError(description="A scope was asked for that this client may not have")


class _ClientCredentials(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012 - Authlib reads it

    def validate_token_request(self) -> None:
        super().validate_token_request()
        _check_scope(self, set(self.request.client.row.scopes) & PROVIDER_SCOPES)


class _AuthorizationCode(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012 - Authlib reads it

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        payload = self.request.payload
        try:
            _check_scope(self, {CONSENT_SCOPE})
            # PKCE S256 for every client, confidential ones too (Authlib enforces it only for public).
            if not payload.data.get("code_challenge") or payload.data.get("code_challenge_method") != "S256":
                raise InvalidRequestError(description="PKCE with code_challenge_method=S256 is required")
        except OAuth2Error as error:
            error.redirect_uri = redirect_uri  # the address is known good: the client hears why
            raise
        return redirect_uri

    def save_authorization_code(self, code: str, request: Any) -> None:
        grant: ConsentGrant = request.user
        authorization_codes.save_authorization_code(
            request_session(),
            code_hash=token_hash(code),
            api_client_id=request.client.row.id,
            parent_id=grant.parent_id,
            consent_id=grant.consent_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.payload.scope,
            code_challenge=request.payload.data["code_challenge"],
            lifetime=CODE_LIFETIME,
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        """Claims the code (spent from now on); a reused one revokes what it issued."""
        row = authorization_codes.claim_authorization_code(request_session(), token_hash(code), client.row.id)
        return Code(row) if row else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        """Nothing left to do: the code was spent when it was claimed."""

    def authenticate_user(self, authorization_code: Code) -> ConsentGrant | None:
        row = authorization_code.row
        consent = repository.get_consent(request_session(), row.consent_id)
        if not consent.is_live_on(utcnow()):
            return None
        return ConsentGrant(row.parent_id, row.consent_id)


class _RefreshToken(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012 - Authlib reads it
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        row = providers_repository.token_by_hash(request_session(), token_hash(refresh_token), refresh=True)
        if row is not None and row.revoked_at is not None:
            # Rotated away (or revoked) and presented again: its family may be in other hands.
            tokens.revoke_family_of(request_session(), row.id, reason="refresh token reused")
            return None
        if row is None or row.consent_id is None:
            return None
        consent = repository.get_consent(request_session(), row.consent_id)
        if not consent.is_live_on(utcnow()):
            return None  # a refresh token lives no longer than its consent
        return Token(row, Client(providers_repository.get_api_client(request_session(), row.api_client_id)))

    def authenticate_user(self, refresh_token: Token) -> ConsentGrant:
        consent = repository.get_consent(request_session(), refresh_token.row.consent_id)  # type: ignore[arg-type]
        assert consent.parent_id is not None
        return ConsentGrant(consent.parent_id, consent.id)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        tokens.revoke_token(request_session(), refresh_token.row.id, reason="refreshed")


def _query_token(token_string: str, hint: str | None) -> Token | None:
    """The access or refresh token ``token_string`` is (whichever the hint says first)."""
    digest = token_hash(token_string)
    db = request_session()
    for refresh in (True, False) if hint == "refresh_token" else (False, True):
        row = providers_repository.token_by_hash(db, digest, refresh=refresh)
        if row is not None:
            client = Client(providers_repository.get_api_client(db, row.api_client_id))
            consent = repository.get_consent(db, row.consent_id) if refresh and row.consent_id else None
            until = consent.expires_at if consent is not None and consent.revoked_at is None else None
            return Token(row, client, refresh=refresh, refresh_expires_at=until)
    return None


class _Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012 - Authlib reads it

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return _query_token(token_string, token_type_hint)

    def revoke_token(self, token: Token, request: Any) -> None:
        if token.refresh:  # RFC 7009 2.1: the grant's access tokens go with its refresh token
            tokens.revoke_family_of(request_session(), token.row.id, reason="revoked by the client")
        else:
            tokens.revoke_token(request_session(), token.row.id, reason="revoked by the client")


class _Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic"]  # noqa: RUF012 - Authlib reads it

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return _query_token(token_string, token_type_hint)

    def check_permission(self, token: Token, client: Client, request: Any) -> bool:
        return token.check_client(client)  # a client may only look at its own tokens

    def introspect_token(self, token: Token) -> dict[str, Any]:
        row = token.row
        answer = {
            "active": True,
            "client_id": token.client.get_client_id(),
            "scope": row.scope,
            "token_type": "refresh_token" if token.refresh else "Bearer",
            "exp": int(token.expires_at.timestamp()) if token.expires_at else None,
            "iat": int(row.issued_at.timestamp()),
            "consent_id": str(row.consent_id) if row.consent_id else None,
        }
        return answer


def _save_token(token: dict[str, Any], request: Any) -> None:
    grant: ConsentGrant | None = request.user if isinstance(request.user, ConsentGrant) else None
    client: Client = request.client
    saved = tokens.issue_token(
        request_session(),
        api_client_id=client.row.id,
        provider_id=client.row.provider_id,
        consent_id=grant.consent_id if grant else None,
        scope=token.get("scope", ""),
        access_token_hash=token_hash(token["access_token"]),
        refresh_token_hash=token_hash(token["refresh_token"]) if token.get("refresh_token") else None,
        expires_in=int(token.get("expires_in", ACCESS_TOKEN_SECONDS)),
        family_id=_family(request),
    )
    if grant is not None:
        token["consent_id"] = str(grant.consent_id)  # the answer carries the consent (API.md)
    assert saved is not None


def _family(request: Any) -> uuid.UUID | None:
    """The family a new token joins: its code's, or that of the refresh token it replaces."""
    code = getattr(request, "authorization_code", None)
    if isinstance(code, Code):
        return code.row.id
    previous = getattr(request, "refresh_token", None)
    return previous.row.family_id if isinstance(previous, Token) else None


def init_oauth(app: Flask) -> AuthorizationServer:
    app.config.setdefault("OAUTH2_REFRESH_TOKEN_GENERATOR", True)
    app.config.setdefault(
        "OAUTH2_TOKEN_EXPIRES_IN",
        {
            "client_credentials": ACCESS_TOKEN_SECONDS,
            "authorization_code": ACCESS_TOKEN_SECONDS,
            "refresh_token": ACCESS_TOKEN_SECONDS,
        },
    )
    server = AuthorizationServer(app, query_client=_query_client, save_token=_save_token)
    server.register_grant(_ClientCredentials)
    server.register_grant(_AuthorizationCode, [CodeChallenge(required=True)])
    server.register_grant(_RefreshToken)
    server.register_endpoint(_Revocation)
    server.register_endpoint(_Introspection)
    from claimants.views.oauth import oauth_blueprint  # the views import this module's pieces

    blueprint, server_to_server = oauth_blueprint(server)
    app.register_blueprint(blueprint)
    for view in server_to_server:  # called by nursery software, not posted from a page: no CSRF
        app.extensions["csrf"].exempt(view)
    return server
