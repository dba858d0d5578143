"""Every route for every role: who gets the page, who is sent to sign in, who gets 403."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from tests.factories.accounts import log_in, make_user

ANONYMOUS = "anonymous"
PERSONAS = [ANONYMOUS, Role.CITIZEN, Role.ORGANISATION_MEMBER, Role.JUROR, Role.STAFF, Role.ADMIN]

PUBLIC = {ANONYMOUS, *Role}
SIGNED_IN = set(Role)
ADMIN_ONLY = {Role.ADMIN}

# (method, path, who may open it)
ROUTES = [
    ("GET", "/", PUBLIC),
    ("GET", "/privacy", PUBLIC),
    ("GET", "/dichiarazione-accessibilita", PUBLIC),
    ("GET", "/healthz", PUBLIC),
    ("GET", "/accedi", PUBLIC),
    ("GET", "/registrati", PUBLIC),
    ("GET", "/password-dimenticata", PUBLIC),
    ("GET", "/account", SIGNED_IN),
    ("GET", "/account/profilo", SIGNED_IN),
    ("GET", "/account/password", SIGNED_IN),
    ("GET", "/account/i-miei-dati.json", SIGNED_IN),
    ("GET", "/account/elimina", SIGNED_IN),
    ("GET", "/admin/utenti", ADMIN_ONLY),
    ("GET", "/admin/utenti/{target}", ADMIN_ONLY),
    ("POST", "/admin/utenti/{target}/ruoli/concedi", ADMIN_ONLY),
    ("GET", "/admin/registro", ADMIN_ONLY),
]


def _client_as(app: Flask, db: Session, persona: object) -> FlaskClient:
    client = app.test_client()
    if persona != ANONYMOUS:
        roles = () if persona is Role.CITIZEN else (persona,)
        log_in(client, make_user(db, roles=roles))  # type: ignore[arg-type]
    return client


def test_every_view_is_in_the_matrix(app: Flask) -> None:
    listed = {path.split("/{")[0].rstrip("/") or "/" for _m, path, _w in ROUTES}
    rules = {str(rule.rule).split("/<")[0].rstrip("/") or "/" for rule in app.url_map.iter_rules()}
    # Endpoints reached only with a token or a form post are covered by their own tests.
    elsewhere = {"/static", "/verifica-email", "/reimposta-password", "/esci", "/lingua"}
    assert rules - elsewhere <= listed | {"/admin/utenti"}


@pytest.mark.parametrize("persona", PERSONAS, ids=str)
@pytest.mark.parametrize(
    ("method", "path", "allowed"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
def test_route_permissions(
    app: Flask, db: Session, persona: object, method: str, path: str, allowed: set[object]
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # this matrix checks permissions, CSRF has its own tests
    target = make_user(db, email="target@example.org")
    client = _client_as(app, db, persona)
    url = path.format(target=target.id)
    response = client.open(url, method=method, data={"role": "juror"} if method == "POST" else None)
    if persona in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert "/accedi" not in response.headers["Location"]
    elif persona == ANONYMOUS:
        assert response.status_code == 302
        assert "/accedi" in response.headers["Location"]
    else:
        assert response.status_code == 403
