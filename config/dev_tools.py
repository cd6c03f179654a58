"""Development-only pages (switched on with the development identity provider; never in production)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from config.extensions import request_session
from config.notify import recent

dev_tools = Blueprint("dev_tools", __name__)

# What happened to each email, in words (``Notification.status``).
EMAIL_STATUS = {
    "pending": _l("Waiting to be sent"),
    "sent": _l("Sent"),
    "failed": _l("Not sent: GOV.UK Notify refused it"),
    "not_sent": _l("Not sent: there is no GOV.UK Notify key in development"),
}


@dev_tools.get("/dev/outbox")
def outbox() -> str:
    """Every email the service would have sent, newest first, with its links to follow."""
    return render_template("dev/outbox.html", notifications=recent(request_session()), statuses=EMAIL_STATUS)


@dev_tools.get("/demo/callback")
def demo_callback() -> str:
    """Where the demo API client's consent flow comes back to: shows the code to exchange."""
    return render_template("dev/demo_callback.html", answer=dict(request.args))
