"""A small HTTP user for tests against a served app: follows redirects, reads and posts forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)
    button_values: dict[str, tuple[str, str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button = False
        self._button_text: list[str] = []
        self._button_field = ("", "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get").lower()))
        elif tag == "input" and self.forms and values.get("name"):
            if values.get("type") not in {"checkbox", "radio"} or "checked" in values:
                self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif tag == "button" and self.forms:
            self._button = True
            self._button_text = []
            self._button_field = (values.get("name", ""), values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button:
            self._button = False
            label = " ".join(" ".join(self._button_text).split())  # visually hidden words included
            if label:
                self.forms[-1].buttons.append(label)
                if self._button_field[0]:
                    self.forms[-1].button_values[label] = self._button_field

    def handle_data(self, data: str) -> None:
        if self._button and data.strip():
            self._button_text.append(data.strip())


def forms(response: requests.Response) -> list[Form]:
    parser = _Forms()
    parser.feed(response.text)
    return parser.forms


class User:
    """A person with a browser that has no JavaScript: cookies, redirects and forms."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return self.http.get(urljoin(self.base_url, path), timeout=30, **kwargs)  # type: ignore[arg-type]

    def submit(self, page: requests.Response, button: str, **values: str) -> requests.Response:
        """Press the form button labelled ``button`` on ``page`` after filling in ``values``."""
        for form in forms(page):
            if button in form.buttons:
                pressed = dict([form.button_values[button]]) if button in form.button_values else {}
                data = {**form.fields, **pressed, **values}
                target = urljoin(page.url, form.action or page.url)
                return self.http.request(form.method, target, data=data, timeout=30)
        raise AssertionError(f"no form with a {button!r} button on {page.url}")

    def upload(self, page: requests.Response, filename: str, content: str | bytes) -> requests.Response:
        """Choose ``content`` as the file on ``page``'s upload form and send it."""
        return self.http.post(
            page.url,
            data={"csrf_token": page_csrf(page)},
            files={"file": (filename, content, "text/csv")},
            timeout=60,
        )


def page_csrf(page: requests.Response) -> str:
    """The CSRF token of the first form on ``page`` that has one."""
    return next(f.fields["csrf_token"] for f in forms(page) if "csrf_token" in f.fields)


def sign_in_parent(base_url: str, name_on_button: str) -> tuple[User, requests.Response]:
    """A parent who signs in through the development identity provider by pressing their name."""
    user = User(base_url)
    home = user.submit(user.get("/account/sign-in"), name_on_button)
    return user, home


def sign_in_staff(base_url: str, name_on_button: str) -> tuple[User, requests.Response]:
    user = User(base_url)
    home = user.submit(user.get("/finance/sign-in"), name_on_button)
    return user, home


def sign_in_provider(
    base_url: str,
    email: str,
    password: str,
    totp_secret: str | None = None,
    *,
    set_up_second_factor: bool = True,
    recovery_code: str | None = None,
) -> tuple[User, requests.Response]:
    """Nursery staff sign in with email and password, and their security code if they have one.

    Everyone must set up a second factor: someone without one is sent to set it up, and (unless
    ``set_up_second_factor`` is False) does so as a person would, reading the key off the page
    and entering the app's code, then passes their recovery codes to reach the home page. With
    ``recovery_code``, that code is entered in place of a security code.
    """
    import re
    import time

    import pyotp

    user = User(base_url)
    page = user.submit(user.get("/provider/sign-in"), "Sign in", email=email, password=password)
    if recovery_code is not None:
        page = user.submit(page, "Continue", code=recovery_code)
    elif totp_secret is not None:
        # The next time step's code: the current one was spent setting the app up (codes work once).
        page = user.submit(page, "Continue", code=pyotp.TOTP(totp_secret).at(time.time() + 30))
    elif set_up_second_factor and page.url.endswith("/provider/security-code/set-up"):
        secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page.text).group(1)  # type: ignore[union-attr]
        codes = user.submit(page, "Continue", code=pyotp.TOTP(secret).now())
        assert "Your recovery codes" in codes.text, codes.text[:500]
        page = user.get("/provider/home")
    return user, page
