"""What every page the suite renders must be, checked on every HTML response of every test.

conftest.py connects ``check_response`` to Flask's ``request_finished`` signal for every app the
suite builds (the test client's and the served apps' alike) and fails the test that rendered a
page with a problem: escaped markup shown as text, "None", a raw state or event name, a form field
with no label, an id used twice, an error summary item that does not link to a field on the page,
or a page with errors whose title does not start with "Error: ".
"""

from __future__ import annotations

import re
import threading
from html.parser import HTMLParser

from flask import Flask, Response

# Markup of our own shown to a person as text: what `~` or a missing |safe did to banners.
ESCAPED_MARKUP = re.compile(r"<\s*/?\s*(p|a|span|strong|div|ul|li|h[1-6]|br|dl|dt|dd)\b[^<]*>", re.I)
NONE = re.compile(r"\bNone\b")
SNAKE_CASE = re.compile(r"(?<![\w@./:-])[a-z]+(?:_[a-z]+)+(?![\w@/-])")
EVENT_NAME = re.compile(
    r"(?<![\w@./:-])(invoice|provider|payment|batch|consent|claimant|payee|break|staff|api_client|"
    r"bacs|webhook|credit_note|reconciliation|account|member|invitation|upload)\.[a-z_]+(?![\w@/.-])"
)
# English words that Welsh text never uses on its own: one in a Welsh page's main content is English
# left untranslated (names of people and settings in the suite's data have none of them).
ENGLISH = re.compile(r"\b(the|and|your|you|with|this|that|for|are|have|has|will|must|not|from|been)\b")
PSEUDO_WELSH = "CY·"  # tests/config/test_pages.py marks every message instead of translating it
FIELD_TAGS = {"input", "select", "textarea"}
NOT_FIELDS = {"hidden", "submit", "button", "image", "reset"}
# Text a person reads as code on purpose: the API documentation, payloads, secrets.
CODE_TAGS = {"code", "pre", "script", "style", "svg", "template"}


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.labelled: set[str] = set()
        self.fields: list[tuple[str, str | None, bool]] = []  # (name, id, has its own accessible name)
        self.summary_links: list[str] = []
        self.has_error_summary = False
        self.summary_items = 0
        self.title = ""
        self.texts: list[str] = []
        self.inside: list[str] = []
        self.code_depth = 0
        self.in_summary_list = False
        self.summary_depth = 0
        self.lang = ""
        self.main_texts: list[str] = []
        self.langs: list[str] = []  # the language of each element in ``inside``, as ``lang`` says

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        classes = (attr.get("class") or "").split()
        if tag == "html":
            self.lang = attr.get("lang") or ""
        if attr.get("id"):
            self.ids.append(attr["id"] or "")
        if tag == "label" and attr.get("for"):
            self.labelled.add(attr["for"] or "")
        if tag in FIELD_TAGS and (attr.get("type") or "text") not in NOT_FIELDS:
            named = bool(attr.get("aria-label") or attr.get("aria-labelledby") or attr.get("title"))
            self.fields.append((attr.get("name") or tag, attr.get("id"), named))
        if "govuk-error-summary" in classes:
            self.has_error_summary = True
        if "govuk-error-summary__list" in classes:
            self.in_summary_list = True
        if self.in_summary_list and tag == "a":
            self.summary_links.append(attr.get("href") or "")
        if self.in_summary_list and tag == "li":
            self.summary_items += 1
        if tag in CODE_TAGS:
            self.code_depth += 1
        if tag not in {"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr", "area"}:
            self.inside.append(tag)
            self.langs.append(attr.get("lang") or (self.langs[-1] if self.langs else ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in CODE_TAGS and self.code_depth:
            self.code_depth -= 1
        if tag == "ul" and self.in_summary_list:
            self.in_summary_list = False
        if self.inside and tag in self.inside:
            while self.inside and self.inside.pop() != tag:
                self.langs.pop()
            self.langs.pop()

    def handle_data(self, data: str) -> None:
        if self.inside and self.inside[-1] == "title":
            if "svg" not in self.inside:  # the GOV.UK logo's own <title>
                self.title += data
            return
        if self.code_depth:
            return
        text = " ".join(data.split())
        if text:
            self.texts.append(text)
            if "main" in self.inside and (not self.langs or self.langs[-1] in ("", self.lang)):
                self.main_texts.append(text)  # words marked as another language's are meant


def problems_in(html: str) -> list[str]:
    page = Page()
    page.feed(html)
    page.close()
    found: list[str] = []
    text = "\n".join(page.texts)
    for pattern, what in (
        (ESCAPED_MARKUP, "markup shown as text"),
        (NONE, '"None" shown'),
        (EVENT_NAME, "a raw event name shown"),
        (SNAKE_CASE, "a raw state or key shown"),
    ):
        for match in pattern.finditer(text):
            around = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " | ")
            found.append(f"{what}: {match.group(0)!r} in …{around}…")
    seen: set[str] = set()
    for each in page.ids:
        if each in seen:
            found.append(f"the id {each!r} is used twice")
        seen.add(each)
    for name, field_id, named in page.fields:
        if not named and (not field_id or field_id not in page.labelled):
            found.append(f"the field {name!r} has no label")
    for href in page.summary_links:
        if not href.startswith("#") or href[1:] not in seen:
            found.append(f"the error summary links to {href!r}, which is not a field on the page")
    if page.lang == "cy" and PSEUDO_WELSH not in html:
        for match in ENGLISH.finditer("\n".join(page.main_texts)):
            around = "\n".join(page.main_texts)[max(0, match.start() - 40) : match.end() + 40]
            found.append(f"English on a Welsh page: {match.group(0)!r} in …{around.replace(chr(10), ' | ')}…")
    if page.has_error_summary and page.summary_items == 0:
        found.append("the error summary lists nothing")
    if page.has_error_summary and not page.title.strip().startswith(("Error:", "Gwall:")):
        found.append(f"the page has errors but its title is {page.title.strip()!r}")
    return found


class Recorder:
    """Problems seen since the current test began, from any thread serving any app."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: list[str] = []

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()

    def take(self) -> list[str]:
        with self._lock:
            seen, self._seen = self._seen, []
        return seen

    def check_response(self, sender: Flask, response: Response, **_extra: object) -> None:
        if (
            response.mimetype != "text/html"
            or response.direct_passthrough
            or response.is_streamed
            or 300 <= response.status_code < 400  # werkzeug's "You should be redirected" body
        ):
            return
        from flask import request

        html = response.get_data(as_text=True)
        for problem in problems_in(html):
            with self._lock:
                self._seen.append(f"{request.method} {request.full_path.rstrip('?')}: {problem}")


RECORDER = Recorder()
