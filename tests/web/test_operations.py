"""What operators rely on: readiness, request ids, JSON logs, the production check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from civic.checks import problems
from tests.conftest import make_test_app
from tests.integration.test_jobs import _redis_or_skip
from tests.support import free_port


def test_readyz_checks_the_database_and_says_when_redis_is_not_configured(
    client: FlaskClient,
) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "ready": True,
        "degraded": False,
        "database": "ok",
        "redis": "not configured",
    }


def test_readyz_checks_redis_when_it_is_configured(client: FlaskClient) -> None:
    _redis_or_skip().close()
    client.application.config["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    assert client.get("/readyz").json["redis"] == "ok"
    client.application.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    down = client.get("/readyz")
    # Still able to serve (rate limits in memory, e-mails spooled), so still in the balancer.
    assert down.status_code == 200
    assert down.json["redis"] == "unavailable"
    assert down.json["degraded"] is True


def test_readyz_says_when_the_database_is_down(tmp_path: Path, smtp: Any) -> None:
    app = make_test_app(f"sqlite:///{tmp_path}/missing/dir/civic.sqlite3", smtp[0])
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_every_response_carries_a_request_id(client: FlaskClient) -> None:
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert (
        client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"}).headers["X-Request-ID"]
        == "lb-1234abcd"
    )
    forged = client.get("/healthz", headers={"X-Request-ID": "bad id; with <spaces>"})
    assert forged.headers["X-Request-ID"] != "bad id; with <spaces>"


def test_logs_are_json_lines_with_the_request_id(
    database_url: str, smtp: Any, db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_test_app(database_url, smtp[0], LOG_FORMAT="json", LOG_LEVEL="INFO")
    response = app.test_client().get("/healthz", headers={"X-Request-ID": "req-0001abcd"})
    assert response.status_code == 200
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    access = [line for line in lines if line["logger"] == "civic.access"]
    assert access[-1]["request_id"] == "req-0001abcd"
    assert (access[-1]["method"], access[-1]["path"], access[-1]["status"]) == (
        "GET",
        "/healthz",
        200,
    )
    assert isinstance(access[-1]["duration_ms"], float)


def test_the_production_check_lists_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    errors, _warnings = problems()
    assert errors == ["civic: refusing to start in production: SECRET_KEY is not set"]


def test_the_production_check_passes_a_complete_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = {
        "SECRET_KEY": "k" * 40,
        "STRIPE_SECRET_KEY": "sk_live_example_value",
        "STRIPE_WEBHOOK_SECRET": "whsec_example_value",
        "IDENTITY_HASH_KEY": "h" * 40,
        "BALLOT_KEY": "b" * 40,
        "DATABASE_URL": "postgresql+psycopg://civic@db/civic",
        "REDIS_URL": "redis://redis:6379/0",
        "CIVIC_PUBLIC_URL": "https://partecipazione.comune.example",
        "MAIL_SERVER": "smtp.comune.example",
        "OIDC_ISSUER": "https://spid-broker.comune.example",
    }
    for name, value in good.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("STRIPE_API_BASE", raising=False)
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert problems() == ([], [])
    monkeypatch.setenv("REDIS_URL", "")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/x.sqlite3")
    errors, _warnings = problems()
    assert any(e.startswith("DATABASE_URL") for e in errors)
    from civic import create_app

    runner = create_app("test", {"DATABASE_URL": "sqlite://"}).test_cli_runner()
    result = runner.invoke(args=["civic", "check"])
    assert result.exit_code == 1
    assert "error: DATABASE_URL: production runs on PostgreSQL" in result.output


def test_a_page_while_the_database_is_unreachable_is_a_503_to_retry(
    tmp_path: Path, smtp: Any
) -> None:
    app = make_test_app(f"sqlite:///{tmp_path}/missing/dir/civic.sqlite3", smtp[0])
    response = app.test_client().get("/bandi")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Non è stato salvato nulla" in response.get_data(as_text=True)


def test_a_signed_in_page_while_the_database_is_unreachable_is_still_a_503(
    tmp_path: Path, smtp: Any
) -> None:
    """The error page itself must not need the database (the account's language does)."""
    app = make_test_app(f"sqlite:///{tmp_path}/missing/dir/civic.sqlite3", smtp[0])
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:stamp:key"
        session["_fresh"] = True
    response = client.get("/account")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


def test_a_form_sent_without_its_token_while_the_database_is_down_is_not_a_500(
    tmp_path: Path, smtp: Any
) -> None:
    """The CSRF error page needs the account's language, which needs the database."""
    app = make_test_app(f"sqlite:///{tmp_path}/missing/dir/civic.sqlite3", smtp[0])
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:stamp:key"
    response = client.post("/incontri/x/iscrizione", data={"consent": "y"})
    assert response.status_code in (400, 503)
