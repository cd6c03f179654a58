"""Do the single-person tests guard anything? Remove each guard and watch its test go red.

For each way one person alone could move money (issue 14), this takes the guard out of the
service and out of the database together, runs the test that covers it on a fresh PostgreSQL
database, and puts the code back. Every line should say RED; GREEN means the test would not
notice the guard going.

    .venv/bin/python scripts/single_person_guards.py [postgresql+psycopg://postgres@127.0.0.1:5432/NAME]

It edits the working tree while it runs (and restores it, even on Ctrl-C): use a clean checkout.
"""

from __future__ import annotations

import os
import pathlib
import subprocess  # runs psql and pytest, with fixed arguments
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MIGRATIONS = "migrations/versions"

# A break settled by its proposer alone: the service's check and the database's (two migrations).
BREAK_SETTLED_BY_ONE = [
    ("invoicing/service/reconciliation.py", "if item.proposed_by_id == actor.staff_id:", "if False:"),
    (
        f"{MIGRATIONS}/20261202_0017_second_people.py",
        "\"outcome IS NULL OR outcome = 'matched' OR (proposed_by_id IS NOT NULL AND resolved_by_id <> proposed_by_id)\"",
        '"1 = 1"',
    ),
    (
        f"{MIGRATIONS}/20261202_0021_every_payee_change_held.py",
        '_SECOND_PERSON = "',
        '_SECOND_PERSON = "1 = 1 OR ',
    ),
]

# name: ([(file, text, replacement), ...], test)
GUARDS: dict[str, tuple[list[tuple[str, str, str]], str]] = {
    "an officer alone changes the Stripe account (no hold)": (
        [
            (
                "providers/payees.py",
                "        hold_until = now + timedelta(",
                "        hold_until = None and now + timedelta(",
            ),
            (
                f"{MIGRATIONS}/20261202_0021_every_payee_change_held.py",
                '_UNHELD = "NEW',
                '_UNHELD = "FALSE AND NEW',
            ),
        ],
        "tests/providers/test_payees.py::test_an_officer_alone_cannot_redirect_the_next_batch_to_a_new_stripe_account",
    ),
    "a change made while DWP verifies a provider is paid unreleased": (
        [
            ("providers/payees.py", " if verified else 0)", " if verified else 0) if verified else None"),
            (
                f"{MIGRATIONS}/20261202_0021_every_payee_change_held.py",
                '_UNHELD = "NEW',
                '_UNHELD = "FALSE AND NEW',
            ),
        ],
        "tests/providers/test_payees.py::test_a_change_while_dwp_verifies_a_provider_is_not_paid_until_someone_else_releases_it",
    ),
    "the officer who recorded a payee change releases it": (
        [
            (
                "providers/payees.py",
                'if payee.requested_by_kind == "staff" and payee.requested_by_id == actor.id:',
                "if False:",
            ),
            (
                f"{MIGRATIONS}/20261201_0015_one_payee_path.py",
                "\"released_by_id IS NULL OR requested_by_kind <> 'staff' OR released_by_id <> requested_by_id\"",
                '"1 = 1"',
            ),
        ],
        "tests/providers/test_payees.py::test_an_officer_alone_cannot_redirect_the_next_batch_to_a_new_stripe_account",
    ),
    "a batch built before a payee change is approved": (
        [
            (
                "invoicing/service/approval.py",
                "    current = providers_repository.payable_payees(",
                "    return\n    current = providers_repository.payable_payees(",
            )
        ],
        "tests/providers/test_payees.py::test_a_batch_built_before_a_payee_change_cannot_be_approved_or_sent",
    ),
    "a returns line that matches no payment sent": (
        [
            (
                "invoicing/service/bacs_returns.py",
                "    reference, amount, sort_code, account_number, _reason = cells\n",
                "    return None\n",
            )
        ],
        "tests/invoicing/service/test_reconciliation.py::test_a_returns_line_must_match_what_was_sent_or_the_whole_file_is_refused",
    ),
    "the officer who imported a returns file confirms it": (
        [
            ("invoicing/service/bacs_returns.py", "if item.imported_by_id == actor.staff_id:", "if False:"),
            (
                f"{MIGRATIONS}/20261202_0017_second_people.py",
                "\"status <> 'confirmed' OR (decided_by_id IS NOT NULL AND decided_by_id <> imported_by_id)\"",
                '"1 = 1"',
            ),
        ],
        "tests/invoicing/service/test_reconciliation.py::test_a_matched_returns_file_changes_nothing_until_a_second_officer_confirms_it",
    ),
    "one approver approves a batch over the limits": (
        [
            ("invoicing/service/approval.py", "if approvals < batch.approvals_required:", "if False:"),
            (f"{MIGRATIONS}/20261202_0017_second_people.py", ") < NEW.approvals_required THEN", ") < 0 THEN"),
        ],
        "tests/invoicing/service/test_approval.py::test_a_batch_over_the_limits_is_not_approved_by_one_approver_alone",
    ),
    "one account holds the builder's and the approver's role": (
        [
            ("config/auth.py", "        if holds_incompatible_roles(self.roles):\n", "        if False:\n"),
            ("staff/service.py", "if holds_incompatible_roles(", "if False and holds_incompatible_roles("),
            (f"{MIGRATIONS}/20261202_0020_no_builder_and_approver.py", 'f"NOT ({BOTH})"', '"1 = 1"'),
        ],
        "tests/staff/test_sign_in_refusals.py::test_claims_with_both_the_finance_officer_and_the_approver_role_are_refused_and_recorded",
    ),
    "one officer writes a break off": (
        BREAK_SETTLED_BY_ONE,
        "tests/invoicing/service/test_breaks.py::test_writing_a_break_off_needs_a_second_finance_officer",
    ),
    "one officer matches a break by hand (a write-off by another name)": (
        BREAK_SETTLED_BY_ONE,
        "tests/invoicing/service/test_breaks.py::test_matched_by_one_officer_is_a_proposal_until_a_second_confirms_it",
    ),
}


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True, capture_output=True)


def run(url: str, edits: list[tuple[str, str, str]], test: str) -> tuple[bool, str]:
    """Apply ``edits``, run ``test`` on a fresh database, restore the files: (failed, summary)."""
    name = url.rsplit("/", 1)[1]
    saved: dict[pathlib.Path, str] = {}
    try:
        for path, old, new in edits:
            file = ROOT / path
            saved.setdefault(file, file.read_text())
            text = file.read_text()
            if old not in text:
                raise SystemExit(f"{path} no longer contains {old!r}: update this script")
            file.write_text(text.replace(old, new, 1))
        psql(f"DROP DATABASE IF EXISTS {name}")
        psql(f"CREATE DATABASE {name}")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
            cwd=ROOT,
            env={**os.environ, "TEST_DATABASE_URL": url},
            capture_output=True,
            text=True,
        )
    finally:
        for file, text in saved.items():
            file.write_text(text)
    return result.returncode != 0, result.stdout.strip().splitlines()[-1]


def main() -> int:
    url = (
        sys.argv[1]
        if len(sys.argv) > 1
        else f"postgresql+psycopg://postgres@127.0.0.1:5432/ccd_guards_{os.getpid()}"
    )
    green = 0
    try:
        for guard, (edits, test) in GUARDS.items():
            failed, summary = run(url, edits, test)
            green += not failed
            print(f"{'RED  ' if failed else 'GREEN'} without the guard against: {guard} ({summary})")
    finally:
        psql(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]}")
    return 1 if green else 0


if __name__ == "__main__":
    raise SystemExit(main())
