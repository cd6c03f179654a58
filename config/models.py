"""Imports every model so that the metadata is complete (for Alembic and the app)."""

from __future__ import annotations


def load_all_models() -> None:
    import providers.models  # noqa: F401
