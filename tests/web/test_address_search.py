"""Finding an address on the map (places.address_search): the forms of a proposal and of a
meeting look the address up in a Nominatim service (a stand-in on a loopback port, see
tests/geocoder.py), fill in the coordinates and save nothing; an unknown address, a service
that does not answer and a search that is not set up each say so beside the address."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.meetings.models import Meeting
from civic.proposals.models import Proposal
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import make_call
from tests.geocoder import geocoder
from tests.web.helpers import submit, text


@pytest.fixture
def service() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    with geocoder() as running:
        yield running


def _proposal_form(client: FlaskClient, db: Session, app: Flask, url: str) -> tuple[str, dict]:
    call = make_call(db)
    log_in(client, make_user(db))
    form = {
        "title": "Panchine in via Padova", "body_md": "Servono panchine e ombra per chi aspetta.",
        "area_id": str(call.areas[0].area_id), "theme_id": str(call.themes[0].id),
        "cost": "12.500,00", "lat": "", "lon": "",
    }  # fmt: skip
    app.config["GEOCODER_URL"] = url
    return f"/bandi/{call.slug}/proposte/nuova", form


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_an_address_fills_in_the_coordinates_and_saves_nothing(
    app: Flask, client: FlaskClient, db: Session, service: tuple[str, list[dict[str, Any]]]
) -> None:
    url, asked = service
    page, form = _proposal_form(client, db, app, url)
    assert "Trova sulla mappa" in text(client.get(page))
    found = submit(client, page, form | {"address": "Via Padova 36", "action": "find_address"})
    assert found.status_code == 200
    html = text(found)
    assert 'value="45.494512"' in html
    assert 'value="9.221380"' in html
    assert "Trovato: Via Padova, 36" in html
    assert 'value="Panchine in via Padova"' in html  # the rest as typed
    assert _count(db, Proposal) == 0
    assert asked[-1]["path"] == "/search"
    assert asked[-1]["query"]["bounded"] == "1"  # kept to the city's box
    assert asked[-1]["query"]["viewbox"]
    assert asked[-1]["agent"].startswith("civic (")  # the service's policy asks for a name

    saved = submit(client, page, form | {"lat": "45.494512", "lon": "9.221380", "action": "draft"})
    assert saved.status_code == 302
    assert _count(db, Proposal) == 1


def test_an_unknown_address_and_a_silent_service_are_said_beside_the_address(
    app: Flask, client: FlaskClient, db: Session, service: tuple[str, list[dict[str, Any]]]
) -> None:
    url, _asked = service
    page, form = _proposal_form(client, db, app, url)
    unknown = submit(
        client, page, form | {"address": "Via Inesistente 1", "action": "find_address"}
    )
    assert 'id="address-error"' in text(unknown)
    assert "Nessun luogo della città corrisponde" in text(unknown)
    assert 'value="Via Inesistente 1"' in text(unknown)

    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        app.config["GEOCODER_URL"] = f"http://127.0.0.1:{closed.getsockname()[1]}"
    silent = submit(client, page, form | {"address": "Via Padova 36", "action": "find_address"})
    assert silent.status_code == 200
    assert "La ricerca degli indirizzi non risponde ora" in text(silent)

    app.config["GEOCODER_URL"] = ""
    assert "Trova sulla mappa" not in text(client.get(page))  # no button where it cannot work
    off = submit(client, page, form | {"address": "Via Padova 36", "action": "find_address"})
    assert "La ricerca degli indirizzi non è attiva qui" in text(off)
    assert _count(db, Proposal) == 0


def test_searches_beyond_the_services_budget_wait_with_a_message(
    app: Flask, client: FlaskClient, db: Session, service: tuple[str, list[dict[str, Any]]]
) -> None:
    url, asked = service
    page, form = _proposal_form(client, db, app, url)
    app.config["GEOCODER_LIMIT"] = "2 per hour"
    search = form | {"address": "Via Padova 36", "action": "find_address"}
    answers = [text(submit(client, page, search)) for _ in range(3)]
    assert "Trovato: Via Padova, 36" in answers[1]
    assert "Molte persone stanno cercando indirizzi" in answers[2]
    assert 'value="Via Padova 36"' in answers[2]  # kept, to try again
    assert len(asked) == 2  # the service was not asked a third time


def test_staff_find_a_meetings_address(
    app: Flask, client: FlaskClient, db: Session, service: tuple[str, list[dict[str, Any]]]
) -> None:
    url, _asked = service
    app.config["GEOCODER_URL"] = url
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    form = {
        "title": "Presentazione", "kind": "presentation", "format": "in_person",
        "call_id": "0", "area_id": "0", "day": "2099-04-02", "start": "18:00", "end": "20:00",
        "venue": "Duomo", "address": "Piazza del Duomo", "registration": "platform",
        "capacity": "30", "reserved_places": "0", "retention_days": "30",
        "contribution_days": "7", "action": "find_address",
    }  # fmt: skip
    found = submit(client, "/gestione/incontri/nuovo", form)
    assert found.status_code == 200
    assert 'value="45.464211"' in text(found)
    assert _count(db, Meeting) == 0
