"""Every route in the URL map, as every role, with ids that name nothing: never a 500.

The routes come from the app itself, so a route added tomorrow is walked too. Ids are numbers
no row has and slugs no call has; each route is asked for with each method it accepts, POSTs
with an empty form (CSRF is checked elsewhere), so what answers is the route's own handling of
a missing thing: a 404, a 403, a sign-in, or a form that says what is wrong.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter, Rule

from civic.accounts.domain import Role
from tests.factories.accounts import log_in, make_user

PERSONAS: list[Role | None] = [None, *Role]
MISSING_ID = 987_654_321
# Static files are not routes of ours; signing out would walk the rest as someone else.
KEPT_OUT = {"static", "accounts.sign_out"}


def _url(rule: Rule) -> str:
    values: dict[str, object] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        kind = type(converter).__name__
        if isinstance(converter, IntegerConverter):
            values[name] = MISSING_ID
        elif kind == "AnyConverter":
            values[name] = sorted(converter.items)[0]  # type: ignore[attr-defined]
        else:
            values[name] = "non-esiste"
    built = rule.build(values, append_unknown=False)
    assert built is not None
    return built[1]


def _routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in KEPT_OUT:
            continue
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            found.append((method, _url(rule)))
    return sorted(found)


@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: str(p or "anonymous"))
def test_no_route_answers_a_500_to_any_role_for_ids_that_name_nothing(
    app: Flask, db: Session, persona: Role | None
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["RATELIMIT_ENABLED"] = False
    client = app.test_client()
    if persona is not None:
        roles = () if persona is Role.CITIZEN else (persona,)
        log_in(client, make_user(db, roles=roles))
    routes = _routes(app)
    assert len(routes) > 150  # the walk covers the whole map, not a handful
    errors = []
    for method, url in routes:
        response = client.open(url, method=method, data={} if method == "POST" else None)
        if response.status_code >= 500:
            errors.append(f"{method} {url}: {response.status_code}")
    assert errors == []


def test_an_id_past_what_the_database_holds_is_a_404_on_every_route(
    app: Flask, db: Session
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    log_in(client, make_user(db))
    walked = 0
    for rule in app.url_map.iter_rules():
        ids = [n for n in rule.arguments if isinstance(rule._converters[n], IntegerConverter)]
        if not ids or rule.endpoint in KEPT_OUT:
            continue
        for huge in (2**31, 2**63, 10**30):
            url = _url(rule).replace(str(MISSING_ID), str(huge))
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                assert client.open(url, method=method).status_code == 404, f"{method} {url}"
                walked += 1
    assert walked > 100
