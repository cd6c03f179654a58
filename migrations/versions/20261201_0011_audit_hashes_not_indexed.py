"""audit hashes not indexed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:00:00

The unique constraints on ``audit_events.hash`` and ``prev_hash`` duplicated what the unique
``seq`` already guarantees (two writers of the chain would take the same next number) and cost two
random b-tree inserts per event: a day's batch and its reconciliation write 300,000 events.
SQLite drops a constraint by rebuilding the table, which drops its append-only triggers too, so
they are made again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_CONSTRAINTS = {'uq_audit_events_hash': 'hash', 'uq_audit_events_prev_hash': 'prev_hash'}
_SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END",
)


@contextmanager
def _sqlite_rebuild() -> Iterator[Any]:
    op.execute("DROP TRIGGER audit_events_no_update")
    op.execute("DROP TRIGGER audit_events_no_delete")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        yield batch_op
    for statement in _SQLITE_APPEND_ONLY:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in _CONSTRAINTS:
            op.drop_constraint(name, 'audit_events', type_='unique')
        return
    with _sqlite_rebuild() as batch_op:
        for name in _CONSTRAINTS:
            batch_op.drop_constraint(name, type_='unique')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, column in _CONSTRAINTS.items():
            op.create_unique_constraint(name, 'audit_events', [column])
        return
    with _sqlite_rebuild() as batch_op:
        for name, column in _CONSTRAINTS.items():
            batch_op.create_unique_constraint(name, [column])
