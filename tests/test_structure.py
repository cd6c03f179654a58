"""The layout keeps its promises: import direction, thin views, small modules, money as integers."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, Integer

from config.database import Base
from config.models import load_all_models

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("claims", "providers", "claimants", "invoicing")
PACKAGES = ("config", "staff", *DOMAIN)
# The composition root may assemble the packages; nothing else in config may.
ASSEMBLERS = {
    "config/app.py",
    "config/scheduler.py",
    "config/models.py",
    "config/demo.py",
    "config/demo_claims.py",
}

# DESIGN.md §4, declared: which packages each package may import. ``config`` and ``staff`` are
# the platform; a domain package may use the ones before it in this list, never one after it.
MAY_IMPORT = {
    "config": set(),
    "staff": {"config"},
    "claims": {"config"},
    "providers": {"config", "staff"},
    "claimants": {"config", "staff", "claims", "providers"},
    "invoicing": {"config", "staff", "claims", "providers", "claimants"},
}
# Across domain packages, only these modules: a package's models, queries and use cases, and the
# checks its pages share (who is signed in, which API token is calling).
MAY_USE = {
    ("claimants", "providers"): {
        "providers.models",
        "providers.repository",
        "providers.service",
        "providers.tokens",
        "providers.addresses",
        "providers.idempotency",
        "providers.webhooks",
        "providers.api_auth",
        "providers.views.session",
    },
    ("invoicing", "providers"): {
        "providers.models",
        "providers.labels",
        "providers.repository",
        "providers.idempotency",
        "providers.service",
        "providers.webhooks",
        "providers.api_auth",
        "providers.views.session",
    },
    ("invoicing", "claimants"): {
        "claimants.models",
        "claimants.repository",
        "claimants.service",
        "claimants.rules",
        "claimants.labels",
        "claimants.forms",
        "claimants.views.session",
    },
}
LONGEST_MODULE = 420  # lines: "about 400"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from providers import repository`` imports the module providers.repository.
            for alias in node.names:
                place = ROOT.joinpath(*node.module.split("."), alias.name)
                is_module = place.with_suffix(".py").exists() or place.is_dir()
                names.add(f"{node.module}.{alias.name}" if is_module else node.module)
    return names


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def top(module: str) -> str:
    return module.split(".")[0]


def cross_imports(package: str) -> set[tuple[str, str]]:
    """(file, module) for every module of another of our packages that ``package`` imports."""
    return {
        (str(path.relative_to(ROOT)), module)
        for path in python_files(package)
        for module in imported_modules(path)
        if top(module) in PACKAGES and top(module) != package
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_the_packages_it_is_declared_to(package: str) -> None:
    offenders = sorted(
        (path, module)
        for path, module in cross_imports(package)
        if top(module) not in MAY_IMPORT[package] and path not in ASSEMBLERS
    )
    assert offenders == []


@pytest.mark.parametrize("importer, imported", sorted(MAY_USE))
def test_a_domain_package_uses_only_the_declared_modules_of_another(importer: str, imported: str) -> None:
    offenders = sorted(
        (path, module)
        for path, module in cross_imports(importer)
        if top(module) == imported and module not in MAY_USE[(importer, imported)]
    )
    assert offenders == []


def test_the_declared_direction_is_the_one_design_md_gives() -> None:
    """Nothing may import invoicing; providers imports neither claimants nor invoicing; the
    platform imports no domain package; and no two packages may import each other."""
    assert not any("invoicing" in allowed for allowed in MAY_IMPORT.values())
    assert MAY_IMPORT["providers"].isdisjoint(DOMAIN)
    assert MAY_IMPORT["config"] == set() and MAY_IMPORT["staff"] == {"config"}
    assert all(a not in MAY_IMPORT[b] for a in PACKAGES for b in MAY_IMPORT[a])


def test_the_dependency_check_catches_an_import_the_wrong_way(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text("from invoicing import service\nimport claimants.models\n")
    assert {top(m) for m in imported_modules(wrong)} - MAY_IMPORT["providers"] == {"invoicing", "claimants"}


def view_modules() -> list[Path]:
    return [path for package in PACKAGES for path in python_files(package) if "views" in path.parts]


def test_no_view_imports_sqlalchemy() -> None:
    """Views parse, call one use case or read model, and render: queries live in repositories and
    ``queries`` modules."""
    assert view_modules(), "no views found"
    offenders = [
        str(path.relative_to(ROOT))
        for path in view_modules()
        if "sqlalchemy" in map(top, imported_modules(path))
    ]
    assert offenders == []


def test_no_module_is_longer_than_about_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): length
        for package in PACKAGES
        for path in python_files(package)
        if (length := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert long == {}


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
