"""HTTP error handling, registered once: problem JSON for the API, GOV.UK pages for people.

A database that cannot be reached (refused, gone away, too busy) is the service being down for
a moment, not a bug: the API answers 503 problem JSON with ``Retry-After`` and pages show
GOV.UK's "Sorry, there is a problem with the service" with status 503. The next request tries
the database again (the pool checks each connection before use), so no restart is needed.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    NotFound,
    RequestEntityTooLarge,
    ServiceUnavailable,
)

from config.api import flatten_messages
from config.errors import N_, DomainError, FieldError, problem

_PROBLEM_JSON = "application/problem+json"
DATABASE_RETRY_SECONDS = 30


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
    def domain_error(error: DomainError) -> ResponseReturnValue:
        if _wants_json():
            response = _problem_response(
                problem(error.status, error.title, error.detail, error.code, error.errors), error.status
            )
            if error.status == 401:
                response.headers["WWW-Authenticate"] = f'Bearer error="{error.code}"'
            if error.retry_after:
                response.headers["Retry-After"] = str(error.retry_after)
            return response
        if error.status == 404:  # another's record, or none: the same "Page not found" as any address
            return http_error(NotFound())
        headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
        return render_template("errors/problem.html", error=error), error.status, headers

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
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
        headers = [(h, v) for h, v in error.get_headers() if h.lower() in {"allow", "retry-after"}]
        return render_template("errors/http.html", error=error, status=status), status, headers

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        if _wants_json():
            message = f"The body must be {limit:,} bytes or fewer"
            errors = [FieldError("body", message)]
            response = _problem_response(problem(413, "Request too large", message, "too_large", errors), 413)
            response.headers["Connection"] = "close"  # the rest of the body is never read
            return response
        return render_template("errors/http.html", error=error, status=413), 413

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: Exception) -> ResponseReturnValue:
        if isinstance(error, DBAPIError) and not _is_unavailable(error):
            return unexpected(error)
        app.logger.warning("database unavailable: %s", type(error).__name__)
        return http_error(
            ServiceUnavailable(
                N_("The service cannot reach its database just now. Nothing was changed. Try again shortly."),
                retry_after=DATABASE_RETRY_SECONDS,
            )
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error", exc_info=error)
        return http_error(InternalServerError())


def _is_unavailable(error: DBAPIError) -> bool:
    """Connection trouble or a database that cannot take the work now (refused, shutting down,
    out of connections, a lock or a deadlock); not a query too big for it (class 54)."""
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    return error.connection_invalidated or not sqlstate.startswith("54")
