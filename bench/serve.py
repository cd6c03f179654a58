"""The app as gunicorn serves it, plus the benchmarks' baseline: one insert on the same stack."""

from __future__ import annotations

import uuid

from flask import request
from sqlalchemy import text

from config.app import create_app
from config.database import utcnow
from config.extensions import request_session

app = create_app()


@app.post("/bench/bare")
def bare() -> tuple[dict[str, str], int]:
    """Parse a JSON body, insert one row, commit: the least a write request can do here."""
    body = request.get_json(silent=True) or {}
    session = request_session()
    row_id = uuid.uuid4()
    session.execute(
        text("INSERT INTO bench_rows (id, note, created_at) VALUES (:id, :note, :at)"),
        {"id": row_id, "note": str(body.get("note", ""))[:100], "at": utcnow()},
    )
    session.commit()
    return {"id": str(row_id)}, 201


app.extensions["csrf"].exempt(bare)
