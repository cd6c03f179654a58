"""Migrations: one head, the same schema as the models, and a clean way down and up again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect

from config.database import Base
from config.extensions import database
from config.migrations import alembic_config, heads, is_at_head, upgrade_to_head
from config.models import load_all_models


def test_migrations_have_exactly_one_head() -> None:
    assert len(heads()) == 1


def test_the_migrated_database_matches_the_models(app: Flask) -> None:
    load_all_models()
    with database().engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []
    assert is_at_head(database().engine)


def test_migrations_go_down_to_nothing_and_up_again(app: Flask) -> None:
    engine = database().engine
    with engine.begin() as connection:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(engine)
    assert is_at_head(engine)
    assert "invoices" in inspect(engine).get_table_names()


def test_every_check_constraint_and_unique_index_survives_the_migrations(app: Flask) -> None:
    load_all_models()
    inspector = inspect(database().engine)
    for table in Base.metadata.tables.values():
        declared = {c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint" and c.name}
        present = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert declared <= present, (table.name, declared - present)
        unique_indexes = {i.name for i in table.indexes if i.unique}
        assert unique_indexes <= {i["name"] for i in inspector.get_indexes(table.name)}, table.name
