"""The database: declarative base, types shared by every model, engines and sessions.

One engine per process; one session per web request (closed in teardown) and one per scheduled
job. Sessions never commit on their own: service functions own the transaction.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import psycopg
from sqlalchemy import (
    ARRAY,
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    MetaData,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, Uuid

from config.errors import ConcurrentChange, DomainError, NotFound

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every database.

    SQLite keeps no offset, so values are normalised to UTC on the way in and marked UTC on the
    way out; a naive datetime is a programming error and is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _constructor(self: Any, **kwargs: Any) -> None:
    """The declarative constructor, but scalar column defaults hold from construction.

    A new invoice is ``submitted`` and a batch's counts start at 0 before the first flush, so the
    models' transition rules can rely on them.
    """
    for column in self.__table__.columns:
        default = column.default
        if column.key not in kwargs and default is not None and default.is_scalar:
            kwargs[column.key] = default.arg
    cls = type(self)
    for key, value in kwargs.items():
        if not hasattr(cls, key):
            raise TypeError(f"{key!r} is an invalid keyword argument for {cls.__name__}")
        setattr(self, key, value)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        constructor=_constructor,
        type_annotation_map={
            datetime: UTCDateTime(),
            uuid.UUID: Uuid(),
            dict[str, Any]: JSONType,
            list[str]: JSONType,
            list[Any]: JSONType,
            # States and other enums are stored as their lower-case values in plain strings.
            enum.Enum: Enum(
                enum.Enum,
                native_enum=False,
                length=40,
                values_callable=lambda members: [member.value for member in members],
                validate_strings=True,
            ),
        },
    )


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, autoflush=True)


# Below this many rows a multi-row INSERT is quicker than COPY (one round trip, not three): an API
# request writes two or three audit events, a batch 100,000.
COPY_FROM_ROWS = 50


def insert_many(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert many complete rows in the session's transaction: ``COPY`` on PostgreSQL (for
    ``COPY_FROM_ROWS`` or more), else a multi-row INSERT.

    For the bulk paths (a batch's allocations, its audit events): every column without a server
    default must be in each row, because ``COPY`` fills in no Python-side defaults. A broken
    constraint is raised as SQLAlchemy's ``IntegrityError``, so ``transaction`` maps it as it
    would any other.
    """
    if not rows:
        return
    table = cast(Table, model.__table__)
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < COPY_FROM_ROWS:
        connection.execute(table.insert(), rows)  # one multi-row INSERT
        return
    columns = list(rows[0])
    copy_rows(session, table, columns, ([row[name] for name in columns] for row in rows))


def copy_rows(session: Session, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL's binary ``COPY … FROM STDIN`` of ``rows`` (values in the order of ``columns``)
    into ``table`` (a model's, or a temporary table described as a ``Table``), in the session's
    transaction. With the columns' types given up front psycopg writes each value in C, which for
    a batch's 200,000 rows is several times quicker than adapting them one by one."""
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            copy.set_types([_copy_type(table.columns[name].type) for name in columns])
            for row in rows:
                copy.write_row(row)
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
    finally:
        cursor.close()


def _copy_type(column_type: Any) -> str:
    """The PostgreSQL type a column's values are written as in a binary COPY: strings and enum
    values as text (a varchar column reads text's binary form)."""
    return next((name for kind, name in _COPY_TYPES if isinstance(column_type, kind)), "text")


# The first match wins: BigInteger is also an Integer.
_COPY_TYPES: tuple[tuple[type[Any], str], ...] = (
    (JSON, "jsonb"),
    (Boolean, "bool"),
    (BigInteger, "int8"),
    (Integer, "int4"),
    (Uuid, "uuid"),
    (UTCDateTime, "timestamptz"),
    (Date, "date"),
)


def among(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column IN values``, sent as one array parameter on PostgreSQL (``= ANY(:values)``).

    An IN list of thousands of ids costs SQLAlchemy and psycopg a bind parameter each (and
    PostgreSQL takes at most 65,535); SQLite has no arrays, so it gets the IN list.
    """
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return cast(ColumnElement[bool], column == any_(bindparam(None, values, type_=ARRAY(column.type))))
    return cast(ColumnElement[bool], column.in_(values))


def fetch(
    session: Session,
    model: type[Any],
    entity_id: Any,
    what: str,
    *,
    for_update: bool = False,
    owned_by: Mapping[str, Any] | None = None,
) -> Any:
    """The ``model`` row with this id (locked for the transaction with ``for_update``), else
    ``NotFound("No <what> with that id")``: the one fetch-or-not-found of every repository.

    ``owned_by`` (``{"provider_id": …}``): a row of someone else's is not found either, so that
    another provider's or parent's ids are never revealed."""
    entity = session.get(model, entity_id, with_for_update=for_update or None)
    if entity is None or any(getattr(entity, name) != value for name, value in (owned_by or {}).items()):
        raise NotFound(f"No {what} with that id")
    return entity


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for one job or one command; rolled back if anything is left uncommitted."""
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@contextmanager
def transaction(
    session: Session, conflicts: Mapping[str, Callable[[], DomainError]] | None = None
) -> Iterator[Session]:
    """One use case, one transaction: commit at the end, roll back on any error.

    A concurrent change (a version counter that moved) becomes ``ConcurrentChange``. A broken
    unique or check constraint whose name (PostgreSQL) or columns (SQLite) mention a key of
    ``conflicts`` becomes that key's domain error: the database has the last word on races.
    """
    try:
        yield session
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise ConcurrentChange("Someone else changed this at the same time. Try again.") from exc
    except IntegrityError as exc:
        session.rollback()
        for token, error in (conflicts or {}).items():
            if token in str(exc.orig):
                raise error() from exc
        raise
    except BaseException:
        session.rollback()
        raise
