"""Helpers for driving the app through the Flask test client, CSRF included."""

from __future__ import annotations

import re
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
    "secrecy": "server", "trustees": "", "threshold": "1",
}  # fmt: skip


def rows(name: str, *items: dict[str, str]) -> dict[str, str]:
    """A structured editor's rows as a browser posts them: ``budget-0-what`` and so on."""
    return {
        f"{name}-{n}-{key}": value for n, item in enumerate(items) for key, value in item.items()
    }


def budget(*lines: tuple[str, str]) -> dict[str, str]:
    return rows("budget", *({"what": what, "amount": amount} for what, amount in lines))
