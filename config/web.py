"""HTTP error handling, registered once: problem JSON for the API, GOV.UK pages for people."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from config.api import flatten_messages
from config.errors import DomainError, FieldError, problem

_PROBLEM_JSON = "application/problem+json"


def _wants_json() -> bool:
    return (
        request.path.startswith(("/api/", "/oauth/")) or request.accept_mimetypes.best == "application/json"
    )


def _problem_response(body: dict[str, object], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.content_type = _PROBLEM_JSON
    return response


def _field_errors(error: HTTPException) -> list[FieldError]:
    """Validation messages webargs attached to the error, one entry per bad field."""
    messages = (getattr(error, "data", None) or {}).get("messages")
    if not messages:
        return []
    # webargs groups messages by where they came from (json, query, headers): drop that level.
    flat = [pair for location in messages.values() for pair in flatten_messages(location)]
    return [FieldError(field or "body", message) for field, message in flat]


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> tuple[str, int] | Response:
        if _wants_json():
            response = _problem_response(
                problem(error.status, error.title, error.detail, error.code, error.errors), error.status
            )
            if error.status == 401:
                response.headers["WWW-Authenticate"] = f'Bearer error="{error.code}"'
            return response
        if error.status == 404:  # another's record, or none: the same "Page not found" as any address
            return http_error(NotFound())
        return render_template("errors/problem.html", error=error), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        status = error.code or 500
        if _wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            field_errors = _field_errors(error)
            detail = (
                "The request is not valid: see errors" if field_errors else error.description or error.name
            )
            response = _problem_response(problem(status, error.name, detail, code, field_errors), status)
            for header, value in error.get_headers():
                if header.lower() in {"allow", "retry-after"}:
                    response.headers[header] = value
            return response
        return render_template("errors/http.html", error=error, status=status), status

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int] | Response:
        app.logger.exception("unhandled error", exc_info=error)
        return http_error(InternalServerError())
