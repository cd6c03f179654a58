"""GOV.UK One Login's client authentication (private_key_jwt), through the whole flow over HTTP.

The development provider demands a signed assertion from the parents' client when the service is
given a private key, as One Login does; so the real signing code is what signs the parent in.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

from config.extensions import database
from config.oidc import FreshPrivateKeyJWT
from tests.conftest import LiveServer
from tests.factories import create_parent
from tests.http import User

PRIVATE_PEM = (
    rsa.generate_private_key(public_exponent=65537, key_size=2048)
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode()
)


@pytest.fixture
def live_overrides() -> dict[str, object]:
    return {"parent_oidc_private_key": PRIVATE_PEM, "parent_oidc_vtr": '["Cl"]'}


def test_a_parent_signs_in_with_private_key_jwt_client_authentication(live_server: LiveServer) -> None:
    with database().session_factory() as db:
        parent = create_parent(db)
    user = User(live_server.url)
    page = user.get("/account/sign-in")
    query = parse_qs(urlsplit(page.url).query)
    assert query["vtr"] == ['["Cl"]'] and query["ui_locales"] == ["en"]
    home = user.submit(page, parent.label)
    assert urlsplit(home.url).path == "/account/home" and parent.label in home.text


def test_each_assertion_is_new_and_lasts_five_minutes() -> None:
    class Auth:
        client_id = "childcare-direct"
        client_secret = PRIVATE_PEM

    method = FreshPrivateKeyJWT()
    key = RSAKey.import_key(PRIVATE_PEM)
    first = jwt.decode(method.sign(Auth(), "https://oidc.account.gov.uk/token"), key).claims
    second = jwt.decode(method.sign(Auth(), "https://oidc.account.gov.uk/token"), key).claims
    assert first["jti"] != second["jti"]
    assert first["exp"] - first["iat"] == 300
    assert (first["iss"], first["sub"], first["aud"]) == (
        "childcare-direct",
        "childcare-direct",
        "https://oidc.account.gov.uk/token",
    )
