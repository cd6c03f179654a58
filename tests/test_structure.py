"""The layout keeps its promises: import direction, money as integers, no Flask-SQLAlchemy."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Integer

from config.database import Base
from config.models import load_all_models

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("providers", "claimants", "invoicing")
# The composition root may assemble the domain packages; nothing else in config may.
ASSEMBLERS = {"config/app.py", "config/scheduler.py", "config/models.py", "config/demo.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def top(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("package", ["providers", "claimants"])
def test_providers_and_claimants_never_import_invoicing(package: str) -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in python_files(package)
        if "invoicing" in map(top, imported_modules(p))
    ]
    assert offenders == []


def test_providers_and_claimants_do_not_import_each_others_insides() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in python_files("providers")
        if "claimants" in map(top, imported_modules(p))
    ]
    assert offenders == []


def test_config_imports_no_domain_package_except_where_it_assembles_them() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("config")
        if str(path.relative_to(ROOT)) not in ASSEMBLERS
        and {top(m) for m in imported_modules(path)} & set(DOMAIN)
    ]
    assert offenders == []


def test_only_payment_rail_modules_import_stripe() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("config", *DOMAIN)
        for path in python_files(package)
        if "stripe" in map(top, imported_modules(path)) and "rails" not in path.parts
    ]
    assert offenders == []


def test_nothing_imports_flask_sqlalchemy() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("config", *DOMAIN, "tests")
        for path in python_files(package)
        if "flask_sqlalchemy" in map(top, imported_modules(path))
    ]
    assert offenders == []


def test_every_money_column_is_a_whole_number_of_pence() -> None:
    load_all_models()
    money = [
        column
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_pence")
    ]
    assert money, "no money columns found"
    wrong = [f"{c.table.name}.{c.name}" for c in money if not isinstance(c.type, Integer | BigInteger)]
    assert wrong == []


def test_every_primary_key_is_a_uuid_except_lock_rows() -> None:
    load_all_models()
    wrong = [
        table.name
        for table in Base.metadata.tables.values()
        if table.name != "job_locks"
        and [c.type.python_type for c in table.primary_key.columns] != [uuid.UUID]
    ]
    assert wrong == []
