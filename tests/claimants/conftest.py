"""Fixtures shared by the OAuth and API tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from providers import service as providers
from providers.models import Provider
from tests.conftest import LiveServer
from tests.factories import create_provider


@pytest.fixture
def software(live_server: LiveServer, db: Session) -> tuple[Provider, str, str, str]:
    """A nursery's registered software: (provider, client id, client secret, redirect address)."""
    provider, admin = create_provider(db, name="Little Acorns")
    client, secret = providers.register_api_client(
        db, admin, name="Nursery Manager", redirect_uris=[f"{live_server.url}/client/callback"]
    )
    return provider, client.client_id, secret, f"{live_server.url}/client/callback"
