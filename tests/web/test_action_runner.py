"""The action runner and the application-wide refusal handlers, on routes of the test's own.

Each route changes a real row (an audit entry) through the runner, so a test can tell whether
the change was committed, and with what message the person was answered.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wtforms import StringField
from wtforms.validators import DataRequired

from civic.core import audit
from civic.core.actions import describe, message, run
from civic.core.audit import AuditEntry
from civic.core.refusals import Conflict, NotFound, PermissionDenied, Refused
from civic.core.time import utcnow
from tests.conftest import make_test_app
from tests.web.helpers import text


class ExampleRefused(Refused):
    """A feature's own kind of refusal, worded by its describer."""


@describe(ExampleRefused)
def _example_words(refused: ExampleRefused) -> str:
    return f"Il nome {refused.params.get('name', '')} non va bene."


class NameForm(FlaskForm):  # type: ignore[misc]
    name = StringField(validators=[DataRequired(message="Scrivi un nome.")])


def _record(db: Session, name: str) -> str:
    """The service: one audit row, then a refusal chosen by the name typed."""
    audit.record(
        db, actor_id=None, action=f"test.{name}", target_type="x", target_id=0, now=utcnow()
    )
    db.flush()
    refusals: dict[str, Refused] = {
        "rifiuta": ExampleRefused("bad_name", field="name", name=name),
        "vietato": PermissionDenied(),
        "assente": NotFound(),
        "conflitto": Conflict(),
        "generico": Refused("unknown_code"),
    }
    if name in refusals:
        raise refusals[name]
    return name


PAGE = "<p>{{ get_flashed_messages() | join(' ') }}</p><p>{{ form.name.errors | join(' ') }}</p>"


def _install(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = False

    @app.route("/prova", methods=["GET", "POST"])
    def action() -> Any:
        form = NameForm()
        return run(
            lambda db: _record(db, form.name.data or ""),
            form=form,
            again=lambda: render_template_string(PAGE, form=form),
            to="/fatto",
            done=lambda name: f"Salvato {name}.",
        )

    @app.route("/fuori")
    def outside() -> Any:
        raise Conflict()  # a refusal that escapes a view, outside the runner

    @app.route("/prova-indietro", methods=["POST"])
    def back() -> Any:
        form = NameForm()
        return run(lambda db: _record(db, form.name.data or ""), form=form, to="/pagina")


@pytest.fixture
def runner_client(app: Flask) -> FlaskClient:
    _install(app)
    return app.test_client()


def _rows(db: Session) -> int:
    return (
        db.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("test.%"))
        )
        or 0
    )


def test_an_allowed_action_is_committed_once_flashed_and_redirected(
    runner_client: FlaskClient, db: Session
) -> None:
    response = runner_client.post("/prova", data={"name": "Lucia"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/fatto"
    assert _rows(db) == 1
    with runner_client.session_transaction() as cookie:
        assert ("success", "Salvato Lucia.") in cookie["_flashes"]


def test_a_refusal_rolls_back_and_shows_the_form_again_with_the_message_beside_its_field(
    runner_client: FlaskClient, db: Session
) -> None:
    response = runner_client.post("/prova", data={"name": "rifiuta"})
    assert response.status_code == 200
    assert "Il nome rifiuta non va bene." in text(response)
    assert _rows(db) == 0


def test_a_form_that_does_not_validate_runs_nothing_and_keeps_its_errors(
    runner_client: FlaskClient, db: Session
) -> None:
    response = runner_client.post("/prova", data={"name": ""})
    assert response.status_code == 200
    assert "Scrivi un nome." in text(response)
    assert _rows(db) == 0


def test_a_refusal_without_a_form_page_goes_back_with_the_message(
    runner_client: FlaskClient, db: Session
) -> None:
    response = runner_client.post("/prova-indietro", data={"name": "rifiuta"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/pagina"
    assert _rows(db) == 0
    with runner_client.session_transaction() as cookie:
        assert ("warning", "Il nome rifiuta non va bene.") in cookie["_flashes"]


@pytest.mark.parametrize(
    ("name", "status", "words"),
    [
        ("vietato", 403, "Non hai il permesso di farlo."),
        ("assente", 404, "non esiste o non è più disponibile"),
    ],
)
def test_the_kinds_of_refusal_become_their_pages_and_change_nothing(
    runner_client: FlaskClient, db: Session, name: str, status: int, words: str
) -> None:
    response = runner_client.post("/prova", data={"name": name})
    assert response.status_code == status
    html = text(response)
    assert "it-header-wrapper" in html  # the design system's error page
    assert words in html
    assert _rows(db) == 0


def test_a_conflict_in_an_action_is_a_refusal_on_the_form(
    runner_client: FlaskClient, db: Session
) -> None:
    response = runner_client.post("/prova", data={"name": "conflitto"})
    assert response.status_code == 200
    assert "non è possibile nello stato attuale" in text(response)
    assert _rows(db) == 0


def test_a_conflict_that_escapes_a_view_is_a_409_page(runner_client: FlaskClient) -> None:
    response = runner_client.get("/fuori")
    assert response.status_code == 409
    assert "it-header-wrapper" in text(response)
    assert "non è possibile nello stato attuale" in text(response)


def test_a_refusal_asked_for_as_json_is_answered_in_json(
    runner_client: FlaskClient, db: Session
) -> None:
    response = runner_client.post(
        "/prova", data={"name": "vietato"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 403
    assert response.get_json() == {"error": "forbidden", "message": "Non hai il permesso di farlo."}
    assert _rows(db) == 0


def test_a_code_no_feature_describes_gets_a_plain_sentence_never_the_key(app: Flask) -> None:
    with app.test_request_context("/"):
        words = message(Refused("unknown_code"))
    assert "unknown_code" not in words
    assert words == "Questa azione ora non è possibile."


def test_an_uncaught_error_is_a_500_page_with_the_request_id(database_url: str, smtp: Any) -> None:
    app = make_test_app(database_url, smtp[0], TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.route("/rotto")
    def broken() -> str:
        raise RuntimeError("internal detail")

    response = app.test_client().get("/rotto", headers={"X-Request-ID": "abc123def456"})
    assert response.status_code == 500
    html = text(response)
    assert "abc123def456" in html
    assert "internal detail" not in html
