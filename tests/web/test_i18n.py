"""Italian first, English second; Rome time; euros the Italian way."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy.orm import Session

from civic.core.paths import ROOT
from tests.factories.accounts import log_in, make_user
from tests.web.helpers import post_with_token, text


def test_the_site_speaks_italian_by_default(client: FlaskClient) -> None:
    html = text(client.get("/"))
    assert '<html lang="it">' in html
    assert "Accedi" in html
    assert "Partecipa alla vita della tua città" in html


def test_a_browser_asking_for_english_gets_english(client: FlaskClient) -> None:
    html = text(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert '<html lang="en">' in html
    assert "Sign in" in html


def test_the_language_switch_changes_the_language_and_returns_to_the_page(
    client: FlaskClient,
) -> None:
    response = post_with_token(client, "/lingua", {"lang": "en", "next": "/accedi"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accedi")
    assert "Forgot your password?" in text(client.get("/accedi"))
    post_with_token(client, "/lingua", {"lang": "it", "next": "/"})
    assert "Password dimenticata?" in text(client.get("/accedi"))


def test_the_language_switch_is_remembered_on_the_account(client: FlaskClient, db: Session) -> None:
    user = make_user(db, language="it")
    log_in(client, user)
    post_with_token(client, "/lingua", {"lang": "en", "next": "/"})
    db.refresh(user)
    assert user.language == "en"


def test_legal_pages_are_written_in_each_language(client: FlaskClient) -> None:
    assert "Dichiarazione di accessibilità" in text(client.get("/dichiarazione-accessibilita"))
    english = text(client.get("/dichiarazione-accessibilita", headers={"Accept-Language": "en"}))
    assert "<h1>Accessibility statement</h1>" in english
    assert "Informativa sul trattamento" in text(client.get("/privacy"))


def test_form_errors_are_in_the_readers_language(client: FlaskClient) -> None:
    from tests.web.helpers import submit

    html = text(submit(client, "/registrati", {"email": "nope"}))
    assert "Inserisci un indirizzo e-mail valido." in html


def test_every_text_in_the_code_has_an_italian_translation(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--ignore-dirs",
            ".* node_modules",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with (ROOT / "civic/translations/it/LC_MESSAGES/messages.po").open("rb") as f:
        catalogue = read_po(f)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalogue
        if m.id and (m.string if isinstance(m.string, str) else all(m.string)) and not m.fuzzy
    }
    assert sorted(wanted - translated) == []


def test_times_are_shown_on_milans_clock_across_daylight_saving(app: Flask) -> None:
    summer = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    with app.test_request_context("/"), force_locale("it"):
        rendered = render_template_string(
            "{{ a | rome_datetime('short') }}|{{ b | rome_datetime('short') }}", a=summer, b=winter
        )
    assert rendered == "01/07/26, 12:00|01/12/26, 11:00"


def test_amounts_are_shown_as_euros_in_the_readers_language(app: Flask) -> None:
    with app.test_request_context("/"):
        with force_locale("it"):
            assert render_template_string("{{ 123450 | eur }}") == "€ 1.234,50"
        with force_locale("en"):
            assert render_template_string("{{ 123450 | eur }}") == "€1,234.50"


def test_exact_fractions_of_euros_are_shown_to_the_cent(app: Flask) -> None:
    with app.test_request_context("/"), force_locale("it"):
        assert render_template_string("{{ '49000/3' | euro_fraction }}") == "€ 16.333,33"
        assert render_template_string("{{ '2/3' | euro_fraction }}") == "€ 0,67"
        assert render_template_string("{{ '1000' | euro_fraction }}") == "€ 1.000,00"


def test_the_kept_page_chrome_follows_each_readers_language(app: Flask) -> None:
    """The footer and brand are rendered once per language and kept: an Italian reader and
    then an English one each get their own, and the kept copy is reused."""
    from civic.core.chrome import chrome

    reloading = app.jinja_env.auto_reload
    app.jinja_env.auto_reload = False
    try:
        italian = app.test_client().get("/")
        english = app.test_client().get("/", headers={"Accept-Language": "en"})
        again = app.test_client().get("/")
        assert "Dichiarazione di accessibilità" in text(italian)
        assert "Accessibility statement" in text(english)
        assert "Dichiarazione di accessibilità" in text(again)
        assert "Accessibility statement" not in text(again)
        with app.test_request_context("/"), force_locale("en"):
            assert chrome("footer") is chrome("footer")
    finally:
        app.jinja_env.auto_reload = reloading
        app.extensions.pop("civic_chrome", None)
