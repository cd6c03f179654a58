"""every payee change is held for a second person; every break outcome needs one

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 14:00:00

- payees: a change recorded after registration is held (``hold_until`` set) until a DWP person
  other than whoever asked releases it, before the provider is verified too: the check of a
  registration saw the details it was registered with, not a change made since. A trigger refuses
  a changed payee without a hold (a new row only: earlier changes to providers being verified were
  payable once verified, and stay so).
- reconciliation_breaks: "matched" also needs a second finance officer (matched on one person's
  word, against the rail's record, is a write-off by another name). A break resolved alone before
  this stops the upgrade with its id: whether it stands is for a second officer to say.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_HELD = "a payee change is held until a second DWP person releases it: set hold_until"
_UNHELD = "NEW.requested_by_kind <> 'registration' AND NEW.hold_until IS NULL"
_POSTGRESQL = f"""
CREATE FUNCTION payees_every_change_held() RETURNS trigger AS $$
BEGIN
    IF {_UNHELD} THEN
        RAISE EXCEPTION 'every_change_is_held: {_HELD}';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER payees_every_change_held BEFORE INSERT ON payees
    FOR EACH ROW EXECUTE FUNCTION payees_every_change_held();
"""
_SQLITE = (
    f"CREATE TRIGGER payees_every_change_held BEFORE INSERT ON payees WHEN {_UNHELD} "
    f"BEGIN SELECT RAISE(ABORT, 'every_change_is_held: {_HELD}'); END"
)
_SECOND_PERSON = "outcome IS NULL OR (proposed_by_id IS NOT NULL AND resolved_by_id <> proposed_by_id)"
_BEFORE = (
    "outcome IS NULL OR outcome = 'matched' "
    "OR (proposed_by_id IS NOT NULL AND resolved_by_id <> proposed_by_id)"
)


def upgrade() -> None:
    alone = (
        op.get_bind()
        .execute(sa.text(f"SELECT id FROM reconciliation_breaks WHERE NOT ({_SECOND_PERSON})"))
        .scalars()
        .all()
    )
    if alone:
        raise RuntimeError(
            "These reconciliation breaks were resolved by one person; have a second finance officer "
            f"review each and record the outcome before upgrading: {', '.join(map(str, alone))}"
        )
    with op.batch_alter_table('reconciliation_breaks', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reconciliation_breaks_second_person_settles'), type_='check')
        batch_op.create_check_constraint('second_person_settles', _SECOND_PERSON)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_POSTGRESQL)
    else:
        op.execute(_SQLITE)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER payees_every_change_held ON payees')
        op.execute('DROP FUNCTION payees_every_change_held()')
    else:
        op.execute('DROP TRIGGER payees_every_change_held')
    with op.batch_alter_table('reconciliation_breaks', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_reconciliation_breaks_second_person_settles'), type_='check')
        batch_op.create_check_constraint('second_person_settles', _BEFORE)
