"""Helpers for driving the app through the Flask test client, CSRF included."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import csrf_from


def submit(
    client: FlaskClient, url: str, data: dict[str, Any], form_page: str | None = None
) -> TestResponse:
    """GET the page holding the form (default: ``url``), then POST with its CSRF token."""
    page = client.get(form_page or url)
    payload = {"csrf_token": csrf_from(page.get_data(as_text=True)), **data}
    return client.post(url, data=payload)


def post_with_token(
    client: FlaskClient, url: str, data: dict[str, Any] | None = None
) -> TestResponse:
    """POST to a form-only endpoint with a token taken from the home page."""
    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def same_page(response: TestResponse, *addresses: str) -> str:
    """The page with the given addresses and CSRF tokens blanked, to compare two answers."""
    html = text(response)
    for address in addresses:
        html = html.replace(address, "ADDRESS")
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1TOKEN", html)


# The vote settings form as a browser sends it for a plain approval vote (tests change a field).
VOTE_SETTINGS = {
    "ballot_kind": "approval", "min_choices": "1", "max_choices": "0", "points": "0",
    "max_ranked": "3", "extra_areas": "0", "min_age": "16", "rule": "greedy",
    "secrecy": "server", "trustees-0-email": "", "threshold": "1",
}  # fmt: skip


def rows(name: str, *items: dict[str, str]) -> dict[str, str]:
    """A structured editor's rows as a browser posts them: ``budget-0-what`` and so on."""
    return {
        f"{name}-{n}-{key}": value for n, item in enumerate(items) for key, value in item.items()
    }


def budget(*lines: tuple[str, str]) -> dict[str, str]:
    return rows("budget", *({"what": what, "amount": amount} for what, amount in lines))


class _FormReader(HTMLParser):
    """The fields of the page's forms as a browser would send them (text, ticked boxes, chosen
    options, textareas), form by form."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({})
        elif not self.forms or "disabled" in a:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.forms[-1][a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.forms[-1][self._select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1][self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data


def form_fields(html: str, holding: str) -> dict[str, str]:
    """The fields of the page's form that has a field named ``holding``, as filled in."""
    reader = _FormReader()
    reader.feed(html)
    return next(form for form in reader.forms if holding in form)
