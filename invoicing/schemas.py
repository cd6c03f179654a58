"""JSON shapes of invoices (API.md), with marshmallow 4. Money is integer pence."""

from __future__ import annotations

from collections.abc import Callable
from decimal import InvalidOperation
from typing import Any

import marshmallow as ma

from config.api import Date, PageQuerySchema
from invoicing import limits
from invoicing.models import CLAIM_FLAGS, InvoiceStatus


class _Limit(ma.validate.Validator):
    """One of ``invoicing.limits``' checks as a marshmallow validator: the same limit and the same
    words as the portal and the spreadsheet. ``minimum`` and ``maximum`` put the bounds in the
    OpenAPI document (apispec reads a validator's ``min`` and ``max``, and ``equal`` for lengths)."""

    def __init__(
        self, problem: Callable[[Any], str | None], *, minimum: Any = None, maximum: Any = None, length: bool
    ) -> None:
        self.problem, self.min, self.max = problem, minimum, maximum
        if length:
            self.equal = None

    def __call__(self, value: Any) -> Any:
        if (wrong := self.problem(value)) is not None:
            raise ma.ValidationError(wrong)
        return value


def _text(problem: Callable[[Any], str | None], maximum: int) -> _Limit:
    return _Limit(problem, minimum=1, maximum=maximum, length=True)


_AMOUNT = _Limit(limits.amount_problem, minimum=1, maximum=limits.MAX_AMOUNT_PENCE, length=False)


class LineInSchema(ma.Schema):
    description = ma.fields.String(
        required=True,
        validate=_text(limits.description_problem, limits.MAX_DESCRIPTION),
    )
    # A decimal string ("120.0"); its bounds are checked below, not with Range, because apispec
    # would document a string with number bounds.
    hours = ma.fields.Decimal(
        load_default=None,
        allow_none=True,
        places=2,
        as_string=True,
        metadata={"type": "string", "pattern": r"^[0-9]{1,4}(\.[0-9]{1,2})?$", "example": "120.0"},
    )
    amount_pence = ma.fields.Integer(required=True, strict=True, validate=_AMOUNT)
    eligible = ma.fields.Boolean(required=True)

    @ma.validates("hours")
    def hours_in_range(self, value: Any, data_key: str) -> None:
        _Limit(limits.hours_problem, length=False)(value)

    @ma.pre_load
    def hours_as_typed(self, data: Any, **kwargs: Any) -> Any:
        """Hours as the pattern says: ASCII digits, up to two places (Decimal takes "1e3" too)."""
        hours = data.get("hours") if isinstance(data, dict) else None
        if hours is not None and not isinstance(hours, bool) and isinstance(hours, str | int | float):
            try:
                limits.parse_hours(str(hours))
            except InvalidOperation:
                raise ma.ValidationError({"hours": [limits.HOURS_OUT_OF_RANGE]}) from None
        return data


class InvoiceInSchema(ma.Schema):
    consent_id = ma.fields.UUID(required=True)
    invoice_number = ma.fields.String(
        required=True,
        validate=_text(limits.invoice_number_problem, limits.MAX_INVOICE_NUMBER),
    )
    issued_on = Date(required=True)
    care_from = Date(required=True)
    care_to = Date(required=True)
    lines = ma.fields.List(
        ma.fields.Nested(LineInSchema),
        required=True,
        validate=_Limit(
            lambda lines: limits.lines_problem(len(lines)), minimum=1, maximum=limits.MAX_LINES, length=True
        ),
    )

    @ma.validates_schema
    def care_in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if (wrong := limits.care_period_problem(data["care_from"], data["care_to"])) is not None:
            raise ma.ValidationError(wrong, "care_to")


class LineOutSchema(ma.Schema):
    description = ma.fields.String()
    hours = ma.fields.Decimal(
        as_string=True, allow_none=True, metadata={"type": "string", "format": "decimal"}
    )
    amount_pence = ma.fields.Integer()
    eligible = ma.fields.Boolean()


class InvoiceSchema(ma.Schema):
    id = ma.fields.UUID()
    provider_id = ma.fields.UUID()
    consent_id = ma.fields.UUID()
    child_id = ma.fields.UUID()
    invoice_number = ma.fields.String()
    status = ma.fields.Enum(InvoiceStatus, by_value=True)
    issued_on = ma.fields.Date()
    care_from = ma.fields.Date()
    care_to = ma.fields.Date()
    total_pence = ma.fields.Integer()
    eligible_pence = ma.fields.Integer()
    dwp_pence = ma.fields.Integer()
    claimant_pence = ma.fields.Integer()
    assessment_period = ma.fields.Method("period", metadata={"type": "object"})
    flags = ma.fields.Method("nursery_flags", metadata={"type": "array", "items": {"type": "string"}})
    lines = ma.fields.List(ma.fields.Nested(LineOutSchema))
    created_at = ma.fields.AwareDateTime()

    def nursery_flags(self, invoice: Any) -> list[str]:
        """The checks' flags, less those from the parent's claim (their own business: the nursery
        is told only that DWP is checking)."""
        return [flag for flag in invoice.flags if flag not in CLAIM_FLAGS]

    def period(self, invoice: Any) -> dict[str, str]:
        return {"start": invoice.ap_start.isoformat(), "end": invoice.ap_end.isoformat()}


class InvoicePageSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(InvoiceSchema))
    next_cursor = ma.fields.String(allow_none=True)


class InvoiceQuerySchema(PageQuerySchema):
    status = ma.fields.Enum(InvoiceStatus, by_value=True, load_default=None)
    child_id = ma.fields.UUID(load_default=None)


class EventSchema(ma.Schema):
    id = ma.fields.UUID()
    type = ma.fields.String(attribute="action")
    occurred_at = ma.fields.AwareDateTime()
    data = ma.fields.Dict()


class EventListSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(EventSchema))


class CancelSchema(ma.Schema):
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=limits.MAX_CANCEL_REASON))


class CreditNoteInSchema(ma.Schema):
    amount_pence = ma.fields.Integer(required=True, strict=True, validate=_AMOUNT)
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=limits.MAX_CREDIT_REASON))


class CreditNoteSchema(ma.Schema):
    id = ma.fields.UUID()
    invoice_id = ma.fields.UUID()
    amount_pence = ma.fields.Integer()
    reason = ma.fields.String()
    created_at = ma.fields.AwareDateTime()
    status = ma.fields.Function(
        lambda note: "recovered" if note.payment_id else "outstanding",
        metadata={"type": "string", "enum": ["outstanding", "recovered"]},
    )
    payment_id = ma.fields.UUID(allow_none=True, metadata={"description": "The payment it was taken off"})


class AllocationSchema(ma.Schema):
    invoice_id = ma.fields.UUID()
    invoice_number = ma.fields.String()
    amount_pence = ma.fields.Integer()


class PaymentSchema(ma.Schema):
    id = ma.fields.UUID()
    batch_id = ma.fields.UUID()
    amount_pence = ma.fields.Integer()
    status = ma.fields.String(attribute="status.value")
    rail = ma.fields.String(attribute="rail.value")
    reference = ma.fields.String()
    sent_at = ma.fields.AwareDateTime(allow_none=True)
    paid_at = ma.fields.AwareDateTime(allow_none=True)
    credit_pence = ma.fields.Integer(metadata={"description": "Credit notes taken off this payment"})
    allocations = ma.fields.List(ma.fields.Nested(AllocationSchema))


class PaymentPageSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(PaymentSchema))
    next_cursor = ma.fields.String(allow_none=True)
