"""Every form, fuzzed: for each POST route of the permission matrix, as a person allowed to use
it, one field at a time takes a hostile value (huge and negative numbers, NaN, invisible and
right-to-left characters, 100,000 characters, far-past and far-future dates, wrong types).
Never a server error; and when the answer is a refusal, not one row changed anywhere.

The examples are bounded so the suite stays fast; CI runs the same on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import CallTheme
from civic.core.time import utcnow
from tests.web.test_permissions import (  # noqa: F401 (the matrix's fixtures, reused)
    ANONYMOUS,
    PREPARE,
    ROUTES,
    VISITORS_ONLY,
    _client_as,
    _flashes,
    _form,
    db,
    fingerprint,
    matrix,
    objects,
)

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "-99999999999999999999",
    "9" * 30,
    str(2**63),
    "1e309",
    "NaN",
    "sNaN",
    "-inf",
    "1.234,567",
    "\u200b" * 6,
    "\u202eevil\u202c",
    "\x00\x01\x7f",
    "x" * 100_000,
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "31/02/2027",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example")',
    "[]",
    "{}",
    "true",
]
pytestmark = pytest.mark.fuzz

PREFERRED = (Role.STAFF, Role.ADMIN, Role.CITIZEN, Role.JUROR, Role.ORGANISATION_MEMBER, ANONYMOUS)
NEXT = utcnow().year + 1
# The creation forms, which the matrix reaches only by GET, with values that would be accepted.
CREATE = [
    (
        "/gestione/bandi/nuovo",
        {
            "kind": "participatory_budget", "title_it": "Bilancio", "area_{area}": "y",
            "budget_{area}": "100.000,00", "total_budget": "1.000.000,00",
            "submission_start": f"{NEXT}-03-01T09:00", "submission_end": f"{NEXT}-03-31T18:00",
            "voting_start": f"{NEXT}-05-01T09:00", "voting_end": f"{NEXT}-05-15T18:00",
            "support_threshold": "10",
        },
        Role.STAFF,
    ),
    (
        "/bandi/{slug}/proposte/nuova",
        {
            "title": "Panchine al parco", "body_md": "Servono panchine e ombra per chi aspetta.",
            "area_id": "{area}", "theme_id": "{theme}", "cost": "12.500,00", "lat": "45.478",
            "lon": "9.227", "action": "submit",
        },
        Role.CITIZEN,
    ),
    (
        "/gestione/incontri/nuovo",
        {
            "title": "Presentazione", "kind": "presentation", "format": "in_person",
            "call_id": "0", "area_id": "0", "day": f"{NEXT}-04-02", "start": "18:00",
            "end": "20:00", "venue": "Biblioteca", "address": "Via Roma 1, Milano",
            "lat": "45.47", "lon": "9.19", "registration": "platform", "capacity": "30",
            "reserved_places": "0", "retention_days": "30", "contribution_days": "7",
        },
        Role.STAFF,
    ),
    (
        "/gestione/bandi/{call}/voto",
        {
            "ballot_kind": "approval", "min_choices": "1", "max_choices": "0", "points": "0",
            "max_ranked": "3", "extra_areas": "0", "min_age": "16", "rule": "greedy",
            "secrecy": "server", "trustees-0-email": "", "threshold": "1",
        },
        Role.STAFF,
    ),
]  # fmt: skip
FORMS = [
    (path, data, next(p for p in PREFERRED if p in allowed))
    for method, path, data, allowed in ROUTES
    if method == "POST" and data and allowed and path not in VISITORS_ONLY
] + CREATE


# Every field of every form meets each of these; random values (below) add breadth.
CORE = [
    "9" * 30,
    "-1",
    "NaN",
    "sNaN",
    "1e309",
    "\u200b" * 6,
    "x" * 100_000,
    "\x00",
    "0001-01-01T00:00",
    "9999-12-31",
]
FIELDS = [
    (path, data, persona, key)
    for path, data, persona in FORMS
    for key, value in sorted(data.items())
    if not isinstance(value, bytes)
]


def _refused(response: Any, said: list[tuple[str, str]]) -> bool:
    page = response.get_data(as_text=True) if response.status_code == 200 else ""
    return (
        response.status_code >= 400
        or any(category in ("warning", "danger") for category, _m in said)
        or "invalid-feedback" in page
        or "alert-danger" in page
    )


@pytest.mark.parametrize(("path", "data", "persona"), FORMS, ids=[f[0] for f in FORMS])
@settings(
    max_examples=8,
    derandomize=True,  # the same examples on every run, so CI cannot meet a new one by chance
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(field=st.integers(min_value=0), value=st.sampled_from(HOSTILE) | st.text(max_size=40))
def test_hostile_values_in_any_field_never_break_a_form(
    app: Flask,
    db: Session,  # noqa: F811 (the matrix's session fixture)
    objects: dict[str, Any],  # noqa: F811
    path: str,
    data: dict[str, Any],
    persona: object,
    field: int,
    value: str,
) -> None:
    client, values = _ready(app, db, objects, path, persona)
    form = _form(data, values)
    names = sorted(k for k, v in form.items() if isinstance(v, str))
    if names:
        form[names[field % len(names)]] = value
    _try(client, db, path.format(**values), form)


def _ready(
    app: Flask, session: Session, made: dict[str, Any], path: str, persona: object
) -> tuple[Any, dict[str, Any]]:
    """A client signed in as ``persona``, the route's preparation made, and the values its
    form's placeholders take."""
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; this one is about values
    client, person = _client_as(app, session, persona)
    if path in PREPARE:
        with app.test_request_context("/"):
            PREPARE[path](session, made, person)
            session.commit()
    theme = session.scalar(select(CallTheme.theme_id).where(CallTheme.call_id == made["call"]))
    return client, {**made, "theme": theme}


def _try(
    client: Any,
    session: Session,
    url: str,
    form: dict[str, Any],
    before: str | None = None,
    ignore: frozenset[str] = frozenset(),
) -> str | None:
    """Send the form: never a server error, and a refusal changes nothing (but the tables in
    ``ignore``, which a refusal is meant to change). Returns the database's fingerprint when it
    is known not to have changed, so the next try can start from it (``before``) instead of
    hashing every table again."""
    before = before or fingerprint(session, ignore)
    response = client.post(url, data=form)
    shown = {k: (v[:40] if isinstance(v, str) else v) for k, v in form.items()}
    assert response.status_code < 500, (url, shown)
    if _refused(response, _flashes(client)):
        assert fingerprint(session, ignore) == before, (url, shown)
        return before
    return None


@pytest.mark.parametrize(
    ("path", "data", "persona", "key"), FIELDS, ids=[f"{f[0]} {f[3]}" for f in FIELDS]
)
def test_each_field_of_each_form_meets_every_hostile_value(
    app: Flask,
    db: Session,  # noqa: F811 (the matrix's session fixture)
    objects: dict[str, Any],  # noqa: F811
    path: str,
    data: dict[str, Any],
    persona: object,
    key: str,
) -> None:
    client, values = _ready(app, db, objects, path, persona)
    known = None
    for hostile in CORE:
        form = _form(data, values)
        form[key.format(**values)] = hostile
        known = _try(client, db, path.format(**values), form, known)
