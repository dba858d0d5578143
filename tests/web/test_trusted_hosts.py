"""Links in e-mails come from the configured public address, and a request for a host the
instance does not serve is refused before any view runs."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_from
from tests.factories.accounts import make_user
from tests.support import Mailbox
from tests.web.helpers import submit, text

PUBLIC = "https://partecipazione.comune.example"


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {"PUBLIC_URL": PUBLIC, "EXTRA_HOSTS": ["localhost"]}


def test_a_reset_link_points_to_the_public_address_whatever_the_request_said(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    make_user(db, email="lucia@example.org")
    answer = submit(client, "/password-dimenticata", {"email": "lucia@example.org"})
    assert answer.status_code == 200
    link = Mailbox.link(mailbox.last_to("lucia@example.org"), "/reimposta-password/")
    assert link.startswith(f"{PUBLIC}/reimposta-password/")


def test_a_forged_host_is_refused_and_sends_nothing(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    make_user(db, email="lucia@example.org")
    token = csrf_from(text(client.get("/password-dimenticata")))
    forged = client.post(
        "/password-dimenticata",
        data={"csrf_token": token, "email": "lucia@example.org"},
        headers={"Host": "evil.example"},
    )
    assert forged.status_code == 400
    assert mailbox.to("lucia@example.org") == []
    assert "evil.example" not in text(forged)
    home = client.get("/", headers={"Host": "evil.example"})
    assert home.status_code == 400
    forwarded = client.get("/", headers={"Host": "localhost", "X-Forwarded-Host": "evil.example"})
    assert forwarded.status_code == 200  # no proxy is configured, so the header is ignored


def test_the_api_document_names_the_public_address(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["servers"][0]["url"].startswith(PUBLIC)


def test_remembered_links_follow_the_mount_point_and_name_no_row(app: Any) -> None:
    """Links that are the same on every page are built once; one mounted under a prefix, or
    one naming a row, is built for what it asks."""
    from flask import url_for

    with app.test_request_context("/"):
        assert url_for("calls.list_calls") == "/bandi"
        assert url_for("static", filename="css/civic.css") == "/static/css/civic.css"
        assert url_for("calls.show_call", slug="uno") == "/bandi/uno"
    with app.test_request_context("/", base_url="http://localhost/civic"):
        assert url_for("calls.list_calls") == "/civic/bandi"
        assert url_for("static", filename="css/civic.css") == "/civic/static/css/civic.css"
        assert url_for("calls.show_call", slug="due") == "/civic/bandi/due"
    with app.test_request_context("/"):
        assert url_for("calls.list_calls") == "/bandi"
        assert url_for("calls.list_calls", _anchor="aperti") == "/bandi#aperti"
    assert len(app._fixed_urls) == 4  # two links at two mount points; rows are never kept
