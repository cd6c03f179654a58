"""Scheduled work for providers. Each job is safe to run twice."""

from __future__ import annotations

from sqlalchemy.orm import Session

from providers import webhooks


def deliver_webhooks(session: Session) -> dict[str, int]:
    return webhooks.deliver_due(session)
