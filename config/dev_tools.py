"""Development-only pages (switched on with the development identity provider; never in production)."""

from __future__ import annotations

from flask import Blueprint, render_template

from config.extensions import request_session
from config.notify import recent

dev_tools = Blueprint("dev_tools", __name__, url_prefix="/dev")


@dev_tools.get("/outbox")
def outbox() -> str:
    """Every email the service would have sent, newest first, with its links to follow."""
    return render_template("dev/outbox.html", notifications=recent(request_session()))
