"""A real OpenID Connect provider (the npm ``oidc-provider`` package) for sign-in tests, and a
person going through its login and consent pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.support import free_port, required

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID = "civic-test"
CLIENT_SECRET = "civic-test-secret-0123456789abcdef"

ACCOUNTS: dict[str, dict[str, Any]] = {
    "mario": {
        "given_name": "Mario",
        "family_name": "Rossi",
        "email": "mario.rossi@example.org",
        "fiscal_number": "TINIT-RSSMRA85T10A562S",
        "birthdate": "1985-12-10",
    },
    "giulia": {
        "given_name": "Giulia",
        "family_name": "Bianchi",
        "email": "giulia.bianchi@example.org",
        "fiscal_number": "TINIT-BNCGLI90A41F205H",
        "birthdate": "1990-01-01",
    },
}


@contextmanager
def oidc_provider(redirect_uris: list[str]) -> Iterator[str]:
    """Start the provider on a free loopback port; yield its issuer URL."""
    node = shutil.which("node")
    module = ROOT / "node_modules" / "oidc-provider"
    if node is None or not module.exists():
        reason = "the test OpenID provider needs node and npm's oidc-provider (make setup)"
        if required("CIVIC_REQUIRE_OIDC"):
            pytest.fail(reason)
        pytest.skip(reason)
    port = free_port()
    env = {
        **os.environ,
        "OIDC_TEST_CLIENT": json.dumps(
            {"id": CLIENT_ID, "secret": CLIENT_SECRET, "redirect_uris": redirect_uris}
        ),
        "OIDC_TEST_ACCOUNTS": json.dumps(ACCOUNTS),
        "NODE_NO_WARNINGS": "1",
    }
    process = subprocess.Popen(
        [node, str(ROOT / "tests" / "oidc" / "provider.mjs"), str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(issuer + "/.well-known/openid-configuration", timeout=1)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the test OpenID provider did not start") from None
                time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def log_in_at_provider(authorize_url: str, login: str) -> str:
    """Go through the provider's login and consent pages as a person would; return the URL it
    sends the browser back to (our callback, with code and state), without following it."""
    browser = requests.Session()
    url = authorize_url
    for _step in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(authorize_url.split("/auth")[0]):
                return url  # back to the relying party
            continue
        html = response.text
        action = urljoin(url, html.split('action="', 1)[1].split('"', 1)[0])
        if 'name="login"' in html:
            form = {"prompt": "login", "login": login, "password": "any"}
        else:
            form = {"prompt": "consent"}
        response = browser.post(action, data=form, allow_redirects=False, timeout=10)
        url = urljoin(action, response.headers["Location"])
        if not url.startswith(authorize_url.split("/auth")[0]):
            return url
    raise AssertionError("the provider did not send the browser back")
