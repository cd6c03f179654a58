"""Imports every model so that the metadata is complete (for Alembic and the app)."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "staff.models",
    "config.audit",
    "config.scheduler",
    "config.notify",
    "config.dev_identity_store",
    "claims.models",
    "providers.models",
    "providers.security_models",
    "claimants.models",
    "invoicing.models",
)


def load_all_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)
