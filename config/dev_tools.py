"""Development-only pages (switched on with the development identity provider; never in production)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from config.extensions import request_session
from config.notify import recent

dev_tools = Blueprint("dev_tools", __name__)


@dev_tools.get("/dev/outbox")
def outbox() -> str:
    """Every email the service would have sent, newest first, with its links to follow."""
    return render_template("dev/outbox.html", notifications=recent(request_session()))


@dev_tools.get("/demo/callback")
def demo_callback() -> str:
    """Where the demo API client's consent flow comes back to: shows the code to exchange."""
    return render_template("dev/demo_callback.html", answer=dict(request.args))
