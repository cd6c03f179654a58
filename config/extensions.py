"""The database attached to the Flask app: one engine per process, one session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from config.database import make_engine, make_session_factory


class Database:
    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)
        self.session_factory: sessionmaker[Session] = make_session_factory(self.engine)

    def init_app(self, app: Flask) -> None:
        app.extensions["database"] = self
        app.teardown_appcontext(_close_request_session)


def database() -> Database:
    db: Database = current_app.extensions["database"]
    return db


def request_session() -> Session:
    """The session of the current request (or CLI command), opened on first use."""
    if "db_session" not in g:
        g.db_session = database().session_factory()
    session: Session = g.db_session
    return session


def _close_request_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
