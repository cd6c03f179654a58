"""JSON shapes of consents (API.md), with marshmallow 4."""

from __future__ import annotations

import marshmallow as ma

from claimants.models import ConsentStatus
from config.api import PageQuerySchema


class ChildSchema(ma.Schema):
    id = ma.fields.UUID()
    first_name = ma.fields.String()
    date_of_birth = ma.fields.Date()


class ConsentSchema(ma.Schema):
    id = ma.fields.UUID()
    status = ma.fields.Enum(ConsentStatus, by_value=True)
    child = ma.fields.Nested(ChildSchema, allow_none=True)
    authorised_at = ma.fields.AwareDateTime(allow_none=True)
    expires_at = ma.fields.AwareDateTime(allow_none=True)
    revoked_at = ma.fields.AwareDateTime(allow_none=True)


class ConsentPageSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(ConsentSchema))
    next_cursor = ma.fields.String(allow_none=True)


class ConsentQuerySchema(PageQuerySchema):
    status = ma.fields.Enum(ConsentStatus, by_value=True, load_default=None)


class ConsentRequestSchema(ma.Schema):
    parent_email = ma.fields.Email(required=True, validate=ma.validate.Length(max=320))
    child_first_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))


class ConsentRequestAnswerSchema(ma.Schema):
    id = ma.fields.UUID()
    status = ma.fields.Enum(ConsentStatus, by_value=True)
