"""Domain errors: one base class carrying an HTTP status and a stable code.

Service functions raise these; one handler (registered once in the app factory) turns them into
RFC 9457 problem JSON for the API and GOV.UK error pages for the portals. Nothing is changed when
one is raised: the transaction is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:
    """Marks ``message`` for extraction where it is written (a constant, a label in a table); it
    is translated where it is shown (``_``, ``translated``)."""
    return message


class Words(str):
    """A message with values in it: reads as the English with the values filled in (logs, the
    API's problem details), and is translated from its template on a page (``translated``), so
    "line %(line)s has a null character" reaches a Welsh page in Welsh. Marked for extraction."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Words:
        made = super().__new__(cls, template % values if values else template)
        made.template, made.values = template, values
        return made


def translated(message: str) -> str:
    """A service's message in the page's language (a plain message is looked up as it is)."""
    from flask_babel import gettext

    if isinstance(message, Words):
        return str(gettext(message.template, **message.values))
    return str(gettext(message))


def kept(message: str) -> dict[str, object]:
    """A message to store (an upload's problems, as JSON) and show later in whoever reads it's
    language: its English, and for ``Words`` the template and the values."""
    record: dict[str, object] = {"message": str(message)}
    if isinstance(message, Words):
        record["template"] = message.template
        record["values"] = {key: _kept_value(value) for key, value in message.values.items()}
    return record


def _kept_value(value: object) -> object:
    """A value as JSON: a day stays a day (written when shown, in the reader's language)."""
    from config.formatting import InLanguage, london_date

    if isinstance(value, InLanguage) and value.write is london_date and value.value is not None:
        return {"day": value.value.isoformat()}
    return str(value)


def _from_kept_value(value: object) -> object:
    from datetime import date

    from config.formatting import day

    if isinstance(value, dict) and isinstance(value.get("day"), str):
        return day(date.fromisoformat(value["day"][:10]))
    return value


def from_kept(record: dict[str, object]) -> str:
    """The message ``kept`` stored, ready for ``translated`` (rows stored before templates were
    kept hold only the English, which is looked up as it is)."""
    template, values = record.get("template"), record.get("values")
    if isinstance(template, str) and isinstance(values, dict):
        return Words(template, **{key: _from_kept_value(value) for key, value in values.items()})
    return str(record.get("message", ""))


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status = 422
    code = "rule_broken"
    title = "The request breaks a rule"
    # Seconds to wait before asking again, answered as Retry-After (429s and 503s).
    retry_after: int | None = None

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(DomainError):
    """Also raised for another provider's or parent's ids, so their existence is never revealed."""

    status = 404
    code = "not_found"
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "You do not have permission to do this"


class InvalidTransition(DomainError):
    status = 409
    code = "invalid_state_transition"
    title = "Not allowed in the current state"


class ConcurrentChange(DomainError):
    status = 409
    code = "concurrent_change"
    title = "Someone else changed this at the same time"


class RuleBroken(DomainError):
    status = 422
    code = "rule_broken"


class MalformedRequest(DomainError):
    """The request itself is wrong (not a rule about the data): 400."""

    status = 400
    code = "invalid_request"
    title = "The request is malformed"


class TooManyRequests(DomainError):
    """A quota is used up for now; ``retry_after`` says when it frees up."""

    status = 429
    code = "too_many_requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail, errors=errors)
        self.retry_after = max(int(retry_after), 1)


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    title = "The request is not valid"


class SelfApprovalForbidden(DomainError):
    status = 403
    code = "self_approval_forbidden"
    title = "You cannot approve a batch you built"


class DuplicateInvoiceNumber(DomainError):
    status = 422
    code = "duplicate_invoice_number"
    title = "Invoice number already used"


class ConsentNotAuthorised(DomainError):
    status = 422
    code = "consent_not_authorised"
    title = "No live consent"


class ProviderNotActive(DomainError):
    status = 422
    code = "provider_not_active"
    title = "Provider not yet verified"


class ChildOverAgeLimit(DomainError):
    status = 422
    code = "child_over_age_limit"
    title = "Child over the age limit"


def rule(code: str, title: str, detail: str, *, errors: list[FieldError] | None = None) -> RuleBroken:
    """A 422 with its own stable code, for rules that need no class of their own."""
    error = RuleBroken(detail, errors=errors)
    error.code = code
    error.title = title
    return error


def problem(
    status: int, title: str, detail: str, code: str, errors: list[FieldError] | None = None
) -> dict[str, object]:
    """An RFC 9457 problem document."""
    return {
        "type": f"urn:childcare-direct:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [{"field": e.field, "message": e.message} for e in errors or []],
    }
