"""Which language a page is in: English, or Welsh (Cymraeg) for parents and nurseries.

A person chooses with the footer's links (``?lang=cy`` on the page they are on, which keeps it and
its query), or GOV.UK One Login passes the language it showed them (``ui_locales``) back to the
service's sign-in; their choice is kept in their session and, once they are signed in, on their
record (``parents.language``, ``provider_users.language``) so their next visit and their emails
are in it; signing in puts the record's choice in the session, so every page follows it. A Welsh
email's links carry ``lang=cy`` (``config.notify``), kept through a redirect to sign in and passed
on to the identity provider. Otherwise the browser's Accept-Language decides. DWP's own pages
(/finance), the API and its documentation stay English (README, "Welsh"): ``<html lang>`` always
says which.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import g, has_request_context, request, session

from config.redirects import safe_next

LANGUAGES = ("en", "cy")
SESSION_KEY = "lang"
# Set at sign-out: the language in the session was the person's who signed out. Pages keep it,
# but the next person to sign in on this browser does not have it written to their record.
PREVIOUS_KEY = "lang_of_someone_before"
ENGLISH_ONLY = ("/finance", "/api", "/oauth/token", "/oauth/revoke", "/healthz", "/metrics")


def chosen_now() -> str | None:
    """The language this request asks for, if it asks: the switch's ``lang``, or One Login's
    ``ui_locales`` (a space-separated list, most preferred first)."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    for tag in (request.args.get("ui_locales") or "").split():
        if tag.split("-")[0] in LANGUAGES:
            return tag.split("-")[0]
    return None


def select_locale() -> str:
    if not has_request_context():
        return "en"  # a job: its emails are made in their readers' languages (config.notify)
    if request.path.startswith(ENGLISH_ONLY):
        return "en"
    if request.path.startswith("/dev-identity"):
        # The identity provider's own pages (standing in for One Login and DWP's sign-in) are in
        # the language the service asked for with ui_locales: Welsh for a parent who chose it,
        # English for DWP staff.
        return chosen_now() or "en"
    chosen = chosen_now()
    if chosen is not None:
        _choose(chosen)
        return chosen
    if session.get(SESSION_KEY) in LANGUAGES:
        return str(session[SESSION_KEY])
    person = getattr(g, "parent", None) or getattr(g, "provider_user", None)
    if person is not None and person.language in LANGUAGES:
        return str(person.language)
    return request.accept_languages.best_match(LANGUAGES) or "en"


def keep_choice() -> None:
    """Before each request: the language it asks for is kept in the session straight away, so a
    page that only redirects (a parent's page to sign-in, say) passes it on to the next, which
    asks the identity provider for it (``ui_locales``)."""
    if request.path.startswith((*ENGLISH_ONLY, "/dev-identity")):
        return
    chosen = chosen_now()
    if chosen is not None:
        _choose(chosen)


def _choose(language: str) -> None:
    session[SESSION_KEY] = language
    session.pop(PREVIOUS_KEY, None)  # chosen now, by whoever is using the browser


def keep_after_sign_in(chosen_before: str | None, on_record: str | None) -> None:
    """At sign-in (the session just cleared): the language chosen before signing in, else the one
    on the person's record, kept in the new session so every page follows it, their own pages and
    the rest (the home page, the development outbox) alike."""
    chosen = chosen_before or on_record
    if chosen in LANGUAGES:
        session[SESSION_KEY] = chosen


def switch_url(language: str) -> str:
    """This page, with its query, in ``language``."""
    query = [
        (key, value) for key, value in request.args.items(multi=True) if key not in ("lang", "ui_locales")
    ]
    query.append(("lang", language))
    # The path as the browser sent it could be read as another site ("/\\evil.example"): only a
    # page of this service is kept, percent-encoded; anything else switches on the home page.
    path = quote(request.path)
    return f"{path if safe_next(path) else '/'}?{urlencode(query)}"


def is_english_only() -> bool:
    return request.path.startswith(ENGLISH_ONLY)


def welsh_chosen() -> bool:
    """Whether the person asked for Welsh (now, earlier in their session, or by their browser):
    an English-only page then says, in Welsh and English, that it is in English only."""
    asked = chosen_now() or session.get(SESSION_KEY) or request.accept_languages.best_match(LANGUAGES)
    return asked == "cy"


def carried_over() -> str | None:
    """The language chosen before signing in, to keep across the new session."""
    value = session.get(SESSION_KEY)
    if session.get(PREVIOUS_KEY):
        return None  # someone else's, who signed out: the person signing in keeps their own
    return value if value in LANGUAGES else None


def clear_session(*, signing_out: bool = True) -> None:
    """Clear the session (signing in or out), keeping only the language, for the pages. Signing
    out marks it as the person's who left, so it is never written to the next person's record."""
    chosen = session.get(SESSION_KEY)
    previous = signing_out or bool(session.get(PREVIOUS_KEY))
    session.clear()
    if chosen in LANGUAGES:
        session[SESSION_KEY] = chosen
        if previous:
            session[PREVIOUS_KEY] = True


# How messages are marked at source, for extraction (scripts/extract_messages.py and the test
# that every message has Welsh): gettext's own keywords, the lazy forms for labels made at import
# time, and the service's errors, whose words (the detail a page shows) are written where they
# are raised.
EXTRACT_KEYWORDS: dict[str, object] = {
    "lazy_gettext": None,
    "_l": None,
    "rule": (3,),
    "FieldError": (2,),
    "Words": (1,),
    "N_": None,
    **{
        name: None
        for name in (
            "NotFound",
            "Forbidden",
            "InvalidTransition",
            "ConcurrentChange",
            "RuleBroken",
            "TooManyRequests",
            "ValidationFailed",
            "SelfApprovalForbidden",
            "DuplicateInvoiceNumber",
            "ConsentNotAuthorised",
            "ProviderNotActive",
            "ChildOverAgeLimit",
        )
    },
}
