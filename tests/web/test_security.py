"""CSRF, headers and CSP, cookies, rate limits, error pages, and no 500 for malformed input."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.core.paths import TEMPLATES_DIR
from tests.conftest import make_test_app
from tests.factories.accounts import PASSWORD, log_in, make_user
from tests.web.helpers import submit, text


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(
    client: FlaskClient, db: Session
) -> None:
    response = client.post(
        "/registrati",
        data={"email": "x@example.org", "password": PASSWORD, "confirm": PASSWORD, "privacy": "y"},
    )
    assert response.status_code == 400
    assert "it-header-wrapper" in text(response)  # the design system's error page
    assert db.scalar(select(func.count()).select_from(User)) == 0


def test_a_csrf_token_from_another_session_is_refused(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    other = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text(other.get("/registrati")))
    assert token
    data = {
        "csrf_token": token.group(1),
        "email": "x@example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "privacy": "y",
    }
    assert client.post("/registrati", data=data).status_code == 400


def test_every_response_carries_a_strict_csp_and_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/accedi", "/nope"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in csp
        assert "unsafe-eval" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_template_has_inline_script_or_style() -> None:
    offenders = []
    for path in TEMPLATES_DIR.rglob("*.html"):
        source = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", source):
            if "src=" not in match.group(0):
                offenders.append(f"{path.name}: {match.group(0)}")
        tags = re.findall(
            r"<[a-zA-Z][^<>]*>", re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", source, flags=re.S)
        )
        if any(re.search(r"\son[a-z]+\s*=", tag) for tag in tags):
            offenders.append(f"{path.name}: inline event handler")
        if re.search(r"<style\b|\sstyle\s*=", source):
            offenders.append(f"{path.name}: inline style")
    assert offenders == []


def test_no_page_loads_anything_from_another_host(client: FlaskClient, db: Session) -> None:
    user = make_user(db, roles=(Role.ADMIN,))
    log_in(client, user)
    for path in ("/", "/account", "/admin/utenti", "/admin/registro", "/privacy"):
        html = text(client.get(path))
        loaded = re.findall(r'<(?:script|img|source|iframe)\b[^>]*\bsrc="([^"]+)"', html)
        loaded += re.findall(r'<link\b[^>]*\bhref="([^"]+)"', html)
        loaded += re.findall(r'<use\b[^>]*\bhref="([^"#]+)', html)
        assert loaded, "the page loads nothing?"
        assert [a for a in loaded if not a.startswith("/static/")] == []


def test_session_cookies_are_httponly_and_samesite(client: FlaskClient, db: Session) -> None:
    make_user(db, email="lucia@example.org")
    response = submit(client, "/accedi", {"email": "lucia@example.org", "password": PASSWORD})
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("civic_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_marks_cookies_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    import config

    for name in config.DEV_SECRETS:
        monkeypatch.setenv(name, name.lower() + "-x" * 20)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = make_test_app("sqlite://", 1)  # the test profile, to compare
    assert app.config["SESSION_COOKIE_SECURE"] is False
    settings = config.load("production")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {
        "RATELIMIT_SIGN_IN": "3 per minute",
        "RATELIMIT_REGISTER": "2 per minute",
        "RATELIMIT_PASSWORD_RESET": "2 per minute",
    }


def test_sign_in_is_rate_limited_with_a_429_page(client: FlaskClient, db: Session) -> None:
    responses = [
        submit(client, "/accedi", {"email": f"x{n}@example.org", "password": "Whatever-123"})
        for n in range(4)
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert "it-header-wrapper" in text(responses[3])
    assert "Retry-After" in responses[3].headers


def test_registration_is_rate_limited(client: FlaskClient, db: Session) -> None:
    codes = [submit(client, "/registrati", {"email": "bad"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_password_reset_is_rate_limited(client: FlaskClient, db: Session) -> None:
    codes = [
        submit(client, "/password-dimenticata", {"email": "a@example.org"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_pages_other_than_the_limited_forms_are_not_limited(client: FlaskClient) -> None:
    assert {client.get("/accedi").status_code for _ in range(10)} == {200}


@pytest.mark.parametrize(
    ("path", "code"), [("/does-not-exist", 404), ("/esci", 405), ("/admin/utenti", 403)]
)
def test_error_pages_are_in_the_design_system(
    client: FlaskClient, db: Session, path: str, code: int
) -> None:
    log_in(client, make_user(db))
    response = client.get(path)
    assert response.status_code == code
    html = text(response)
    assert "it-header-wrapper" in html
    assert "it-footer" in html
    assert f">{code}<" in html


def test_an_unexpected_error_gets_the_500_page_without_details(
    database_url: str, smtp: Any
) -> None:
    app = make_test_app(database_url, smtp[0], TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = text(response)
    assert "it-header-wrapper" in html
    assert "secret internals" not in html


MALFORMED: list[tuple[str, str, Any]] = [
    ("GET", "/verifica-email/%00%ff", None),
    ("GET", "/verifica-email/" + "A" * 5000, None),
    ("GET", "/reimposta-password/not.a.token", None),
    ("GET", "/admin/utenti?page=-1&q=%00", None),
    ("GET", "/admin/utenti?page=99999999999999999999", None),
    ("GET", "/admin/registro?attore=abc&oggetto=:::&page=x", None),
    ("GET", "/admin/utenti/0", None),
    ("POST", "/lingua", {"lang": "xx", "next": "https://evil.example"}),
    ("POST", "/accedi", {"email": ["a", "b"], "password": "x" * 100000}),
    ("POST", "/registrati", {"email": "\x00@\x00", "password": "\x00" * 20, "privacy": "maybe"}),
    ("POST", "/registrati", b"email=%ff%fe&password=%c3%28&confirm=%80"),
    (
        "POST",
        "/account/profilo",
        {"municipio_id": "NaN", "language": "klingon", "full_name": "x" * 5000},
    ),
    ("POST", "/admin/utenti/1/ruoli/boh", {"role": "admin"}),
    ("GET", "/accedi?next=%0d%0aSet-Cookie:x", None),
]


@pytest.mark.parametrize(
    ("method", "path", "data"), MALFORMED, ids=[f"{m} {p[:40]}" for m, p, _ in MALFORMED]
)
def test_malformed_requests_never_cause_a_500(
    app: Flask, client: FlaskClient, db: Session, method: str, path: str, data: Any
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    log_in(client, make_user(db, roles=(Role.ADMIN,)))
    content_type = "application/x-www-form-urlencoded" if isinstance(data, bytes) else None
    response = client.open(path, method=method, data=data, content_type=content_type)
    assert response.status_code < 500


def test_a_language_switch_to_another_site_stays_here(client: FlaskClient) -> None:
    from tests.web.helpers import post_with_token

    response = post_with_token(client, "/lingua", {"lang": "en", "next": "//evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_the_static_vendor_folder_is_not_committed() -> None:
    ignored = Path(TEMPLATES_DIR.parent / ".gitignore").read_text().splitlines()
    assert "/static/vendor/" in ignored
    assert "/node_modules/" in ignored


def test_rate_limits_are_shared_through_redis_when_configured(
    database_url: str, smtp: Any, db: Session
) -> None:
    """Two app instances (as two gunicorn workers) count against the same Redis."""
    import uuid

    from civic.core.db import get_database
    from tests.integration.test_jobs import _redis_or_skip

    _redis_or_skip().close()
    settings = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
        "RATELIMIT_KEY_PREFIX": f"civic-test-{uuid.uuid4().hex[:8]}",
        "RATELIMIT_SIGN_IN": "2 per minute",
    }
    codes = []
    for _ in range(3):  # each attempt through a new app, so no memory is shared between them
        worker = make_test_app(database_url, smtp[0], **settings)
        get_database(worker).session_factory = lambda: db
        client = worker.test_client()
        response = submit(client, "/accedi", {"email": "a@example.org", "password": "x"})
        codes.append(response.status_code)
    assert codes == [200, 200, 429]


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/admin/utenti?q=%00", None),
        ("POST", "/accedi", {"email": "a\x00@example.org", "password": "x"}),
        (
            "POST",
            "/account/profilo",
            {"full_name": "Lucia\x00", "municipio_id": "0", "language": "it"},
        ),
    ],
)
def test_nul_bytes_are_refused_with_a_400_and_change_nothing(
    app: Flask, client: FlaskClient, db: Session, method: str, path: str, data: Any
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    user = make_user(db, roles=(Role.ADMIN,), full_name="Lucia")
    log_in(client, user)
    response = client.open(path, method=method, data=data)
    assert response.status_code == 400
    assert "it-header-wrapper" in text(response)
    db.refresh(user)
    assert user.full_name == "Lucia"


def test_a_configured_tile_server_is_the_only_extra_image_origin(
    database_url: str, smtp: Any
) -> None:
    plain = make_test_app(database_url, smtp[0]).test_client().get("/healthz")
    assert "img-src 'self' data:;" in plain.headers["Content-Security-Policy"]
    tiled = make_test_app(
        database_url, smtp[0], MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    )
    csp = tiled.test_client().get("/healthz").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in csp
    assert "script-src 'self';" in csp


def test_only_stripes_webhook_is_exempt_from_csrf(app: Flask) -> None:
    from civic.extensions import csrf

    assert csrf._exempt_views == {"civic.crowdfunding.views.webhook.stripe_webhook"}
    assert csrf._exempt_blueprints == set()


@pytest.mark.parametrize("hops", [0, 1])
def test_rate_limits_see_the_visitor_behind_a_trusted_proxy_only(
    database_url: str, smtp: Any, db: Session, hops: int
) -> None:
    """Behind a load balancer (PROXY_HOPS=1) each visitor has their own limit; without a
    configured proxy a forged X-Forwarded-For changes nothing."""
    from civic.core.db import get_database

    app = make_test_app(database_url, smtp[0], RATELIMIT_SIGN_IN="2 per minute", PROXY_HOPS=hops)
    get_database(app).session_factory = lambda: db
    client = app.test_client()
    codes = []
    for n in range(3):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{n}"
        response = submit(client, "/accedi", {"email": "a@example.org", "password": "x"})
        codes.append(response.status_code)
    assert codes == ([200, 200, 200] if hops else [200, 200, 429])
