"""The forms the permission matrix does not post, fuzzed the same way as tests/web/
test_fuzz_forms.py: registering and signing in, the account and its e-mail settings (signed
in and by the e-mail's link), the ballot and the residency declaration, the paper desk, a
pledge, a crowdfunding application, a meeting registration, and editing a proposal and a
meeting.

Each form starts from values that would be accepted; one field at a time takes each hostile
value. Never a server error; when the answer is a refusal, not one row changed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.core.time import utcnow
from civic.voting.models import VoteSettings
from tests.factories.accounts import PASSWORD, make_user
from tests.stripe_support import flush
from tests.web.helpers import text
from tests.web.test_fuzz_forms import CORE, _refused, _try
from tests.web.test_permissions import (  # noqa: F401 (the matrix's fixtures, reused)
    ANONYMOUS,
    _client_as,
    _flashes,
    _form,
    db,
    fingerprint,
    matrix,
    objects,
)

pytestmark = pytest.mark.fuzz

Prepare = Callable[[Session, dict[str, Any], User | None], dict[str, Any]]


@pytest.fixture
def app_overrides(localstripe: str) -> dict[str, Any]:
    flush(localstripe)
    return {"STRIPE_API_BASE": localstripe}


def _resident(session: Session, area: int, user: User) -> None:
    from datetime import date

    from civic.residency.models import Residency

    session.add(
        Residency(
            user_id=user.id, municipio_id=area, birth_date=date(1980, 1, 1), method="desk",
            document_type="carta_identita", verified_at=utcnow(),
        )
    )  # fmt: skip


def _on_the_ballot(session: Session, made: dict[str, Any]) -> int:
    """A project on the area's ballot (feasible, in the area), for the ballot's field."""
    from civic.voting import snapshot

    seen = snapshot.build(session, made["call"])
    area = seen.area(made["area"]) if seen is not None else None
    assert area is not None, "the matrix's vote has no ballot in its area"
    assert area.projects, "the matrix's vote has no project in its area"
    return area.projects[0].id


def _voter(session: Session, made: dict[str, Any], person: User | None) -> dict[str, Any]:
    if person is not None:
        _resident(session, made["area"], person)
    return {"ballot_project": _on_the_ballot(session, made)}


def _self_declared(session: Session, made: dict[str, Any], _person: User | None) -> dict[str, Any]:
    settings = session.get(VoteSettings, made["call"])
    assert settings is not None
    settings.allow_self_declared = True
    return {}


def _desk_voter(session: Session, made: dict[str, Any], _person: User | None) -> dict[str, Any]:
    voter = make_user(session)
    _resident(session, made["area"], voter)
    return {"voter_email": voter.email, "ballot_project": _on_the_ballot(session, made)}


def _account(session: Session, _made: dict[str, Any], _person: User | None) -> dict[str, Any]:
    return {"signin_email": make_user(session).email}


def _nothing(_db: Session, _made: dict[str, Any], _person: User | None) -> dict[str, Any]:
    return {}


def _author(session: Session, made: dict[str, Any], person: User | None) -> dict[str, Any]:
    """The signed-in person wrote the matrix's proposal, so its edit form is theirs."""
    from civic.proposals.models import Proposal

    proposal = session.get(Proposal, made["proposal"])
    assert proposal is not None
    assert person is not None
    proposal.author_id = person.id
    return {"proposal_area": proposal.area_id, "proposal_theme": proposal.theme_id}


def _settings_link(session: Session, _made: dict[str, Any], _person: User | None) -> dict[str, Any]:
    """The link at the foot of an e-mail, for someone who is not signed in."""
    from civic.accounts.notices import token_for

    return {"unsub_token": token_for(make_user(session).id, "results")}


def _juror(session: Session, made: dict[str, Any], person: User | None) -> dict[str, Any]:
    """The signed-in juror holds the matrix's assignment; ``declared`` says whether they have
    declared no conflict yet (scoring needs it), and the application is with the jury."""
    from civic.grants.models import GrantApplication, JuryAssignment

    assignment = session.get(JuryAssignment, made["jury_assignment"])
    application = session.get(GrantApplication, made["grant_app"])
    assert assignment is not None
    assert application is not None
    assert person is not None
    assignment.juror_id = person.id
    application.state = "under_review"
    return {}


def _declared_juror(session: Session, made: dict[str, Any], person: User | None) -> dict[str, Any]:
    from civic.grants.models import JuryAssignment

    _juror(session, made, person)
    assignment = session.get(JuryAssignment, made["jury_assignment"])
    assert assignment is not None
    assignment.declared_at = utcnow()
    return {}


def _grant_draft(session: Session, made: dict[str, Any], person: User | None) -> dict[str, Any]:
    """A grant application the signed-in person has started and not sent."""
    from civic.calls.queries import get_call
    from civic.grants import services as grants
    from civic.grants.models import GrantSettings

    call = get_call(session, made["grant_call"])
    settings = session.get(GrantSettings, made["grant_call"])
    assert call is not None
    assert settings is not None
    assert person is not None
    draft = grants.start_application(session, person, call, settings, kind="group", now=utcnow())
    return {"draft": draft.id, "draft_area": call.areas[0].area_id}


NEXT_YEAR = str(utcnow().year + 1)  # a meeting moved to next spring
KINDS = {kind: "each" for kind in ("receipts", "feasibility", "vote_opening", "results",
                                   "campaigns", "meetings", "projects")}  # fmt: skip


FORMS: list[tuple[str, dict[str, str], object, Prepare]] = [
    (
        "/registrati",
        {"full_name": "Anna Neri", "email": "anna.fuzz@example.org", "password": PASSWORD,
         "confirm": PASSWORD, "privacy": "y"},
        ANONYMOUS, _nothing,
    ),
    ("/accedi", {"email": "{signin_email}", "password": PASSWORD}, ANONYMOUS, _account),
    ("/accedi/link", {"email": "nessuno@example.org"}, ANONYMOUS, _nothing),
    ("/password-dimenticata", {"email": "nessuno@example.org"}, ANONYMOUS, _nothing),
    (
        "/account/profilo",
        {"full_name": "Anna Neri", "municipio_id": "{area}", "language": "it"},
        Role.CITIZEN, _nothing,
    ),
    (
        "/account/password",
        {"current": PASSWORD, "password": "Quiet-Harbour-Lamp-77",
         "confirm": "Quiet-Harbour-Lamp-77"},
        Role.CITIZEN, _nothing,
    ),
    (
        "/bandi/{slug}/voto/{area}",
        {"p{ballot_project}": "1", "action": "cast"},
        Role.CITIZEN, _voter,
    ),
    (
        "/bandi/{slug}/voto/residenza",
        {"municipio_id": "{area}", "birth_date": "1980-01-01", "truthful": "y"},
        Role.CITIZEN, _self_declared,
    ),
    (
        "/gestione/bandi/{call}/seggio",
        {"email": "{voter_email}", "desk": "Seggio 1", "area_id": "{area}",
         "p{ballot_project}": "1"},
        Role.STAFF, _desk_voter,
    ),
    (
        "/crowdfunding/{campaign_slug}/sostieni",
        {"amount": "25,00", "tier": "0"},
        Role.CITIZEN, _nothing,
    ),
    (
        "/bandi/{cf_slug}/candidatura",
        {"organisation": "Cooperativa Il Ponte", "legal_form": "social_cooperative",
         "tax_code": "12345678901", "milan_office": "Via Padova 36, Milano",
         "partners-0-name": "Bar Sport", "partners-0-role": "sponsor", "title": "Cortili aperti",
         "summary": "Apriamo i cortili.", "description": "Laboratori e orti.",
         "budget-0-what": "Arredi", "budget-0-amount": "15.000,00",
         "budget-1-what": "Attività", "budget-1-amount": "25.000,50"},
        Role.CITIZEN, _nothing,
    ),
    (
        "/proposte/{proposal}/modifica",
        {"title": "Un orto condiviso e curato", "body_md": "Un orto per tutti, **ogni** giorno.",
         "area_id": "{proposal_area}", "theme_id": "{proposal_theme}", "cost": "10.000,00"},
        Role.CITIZEN, _author,
    ),
    (
        "/gestione/incontri/{meeting}/modifica",
        {"title": "Presentazione del bando", "kind": "presentation", "format": "in_person",
         "call_id": "0", "area_id": "0", "day": NEXT_YEAR + "-03-10", "start": "10:00",
         "end": "12:00", "venue": "Biblioteca", "address": "Via Padova 36, Milano",
         "registration": "platform", "capacity": "50", "reserved_places": "0",
         "questions-0-question": "", "retention_days": "90", "contribution_days": "15"},
        Role.STAFF, _nothing,
    ),
    (
        "/giuria/{jury_assignment}",
        {"step": "declare", "conflict": "no", "reason": ""},
        Role.JUROR, _juror,
    ),
    (
        "/giuria/{jury_assignment}",
        {"step": "score", "action": "save", "score-idea": "3", "comment-idea": "Chiara",
         "score-need": "2,5", "comment-need": "", "score-sustainability": "na",
         "comment-sustainability": "Da verificare"},
        Role.JUROR, _declared_juror,
    ),
    (
        "/domande/{draft}",
        {"title": "Sartoria di quartiere", "group_name": "Residenti di via Padova",
         "area_id": "{draft_area}", "idea": "Una sartoria sociale.",
         "need": "Mancano luoghi di incontro.", "budget-0-what": "Macchine",
         "budget-0-amount": "12.000,00",
         "cofunding": "1.000,00"},
        Role.CITIZEN, _grant_draft,
    ),
    ("/account/e-mail", KINDS | {"results": "digest", "action": "save"}, Role.CITIZEN, _nothing),
    ("/e-mail/impostazioni/{unsub_token}", {"action": "stop"}, ANONYMOUS, _settings_link),
    (
        "/incontri/{meeting_slug}/iscrizione",
        {"organisation": "", "needs": "Accesso in carrozzina", "public_attendance": "y",
         "consent": "y"},
        Role.CITIZEN, _nothing,
    ),
]  # fmt: skip
NONE: frozenset[str] = frozenset()
# A failed sign-in is recorded on purpose: it slows down the client that fails.
MEANT = {"/accedi": frozenset({"sign_in_throttles"})}
# These answer and queue an e-mail alike for any address, and write nothing.
WRITE_NOTHING = {"/accedi/link", "/password-dimenticata"}
FIELDS = [(path, data, persona, prepare, key) for path, data, persona, prepare in FORMS
          for key in sorted(data)]  # fmt: skip


def _prepared(
    app: Flask, session: Session, made: dict[str, Any], persona: object, prepare: Prepare
) -> tuple[Any, dict[str, Any]]:
    """A client signed in as ``persona``, and the values of the form's placeholders once the
    form's preparation is made."""
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests; this one is about values
    client, person = _client_as(app, session, persona)
    values = dict(made)
    with app.test_request_context("/"):
        values.update(prepare(session, values, person))
        session.commit()
    return client, values


@pytest.mark.parametrize(
    ("path", "data", "persona", "prepare", "key"),
    FIELDS,
    ids=[f"{f[0]} {f[4]}" for f in FIELDS],
)
def test_each_field_of_the_other_forms_meets_every_hostile_value(
    app: Flask,
    db: Session,  # noqa: F811 (the matrix's session fixture)
    objects: dict[str, Any],  # noqa: F811
    path: str,
    data: dict[str, str],
    persona: object,
    prepare: Prepare,
    key: str,
) -> None:
    client, values = _prepared(app, db, objects, persona, prepare)
    known = None
    for hostile in CORE:
        form = _form(data, values)
        form[key.format(**values)] = hostile
        known = _try(client, db, path.format(**values), form, known, MEANT.get(path, NONE))


@pytest.mark.parametrize(("path", "data", "persona", "prepare"), FORMS, ids=[f[0] for f in FORMS])
def test_the_starting_values_are_accepted(
    app: Flask,
    db: Session,  # noqa: F811 (the matrix's session fixture)
    objects: dict[str, Any],  # noqa: F811
    path: str,
    data: dict[str, str],
    persona: object,
    prepare: Prepare,
) -> None:
    """So the hostile values above replace one field of a form that otherwise gets through."""
    client, values = _prepared(app, db, objects, persona, prepare)
    before = fingerprint(db, MEANT.get(path, NONE))
    response = client.post(path.format(**values), data=_form(data, values))
    assert response.status_code < 400, response.status_code
    said = _flashes(client)
    shown = re.findall(r"(?:alert-danger|invalid-feedback)[^>]*>(.{0,300})", text(response), re.S)
    assert not _refused(response, said), (said, shown)
    if path not in WRITE_NOTHING:
        assert fingerprint(db, MEANT.get(path, NONE)) != before  # it changed something
