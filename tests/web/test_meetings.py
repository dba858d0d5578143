"""Meetings through the web: pages, registration, the waiting list, calendars, QR, the door."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import User
from civic.core.time import utcnow
from civic.meetings import services
from civic.meetings.models import (
    Contribution,
    Meeting,
    MinutesRevision,
    Registration,
    SpeakerRequest,
)
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import make_call
from tests.factories.meetings import make_meeting, make_staff, register
from tests.support import Mailbox
from tests.web.helpers import post_with_token, submit, text


def _make(app: Flask, db: Session, **kwargs: Any) -> Meeting:
    with app.test_request_context("/"):
        return make_meeting(db, **kwargs)


def _register(app: Flask, db: Session, meeting: Meeting, person: User | None = None) -> Any:
    with app.test_request_context("/"):
        return register(db, meeting, person)


def test_the_list_and_the_page_show_what_people_need(client: FlaskClient, db: Session) -> None:
    meeting = _make(
        client.application,
        db,
        agenda=True,
        groups=(("Mobilità", 5),),
        accessibility=["sign_language"],
        lat=45.46,
        lon=9.2,
    )
    listing = text(client.get("/incontri"))
    assert meeting.title in listing
    page = text(client.get(f"/incontri/{meeting.slug}"))
    for expected in (
        "Saluti e presentazione",
        "Mobilità",
        "Interprete della Lingua dei Segni Italiana (LIS)",
        "3 posti liberi",
        "Biblioteca Sormani",
        "meeting-map",
        "<strong>biblioteca</strong>",
    ):
        assert expected in page
    draft = _make(client.application, db, publish=False, title="Bozza segreta")
    assert client.get(f"/incontri/{draft.slug}").status_code == 404
    assert "Bozza segreta" not in text(client.get("/incontri"))


def test_a_call_page_lists_its_presentation_meetings(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    meeting = _make(client.application, db, call_id=call.id, title="Presentazione nel Municipio 8")
    _make(client.application, db, title="Un altro incontro")
    page = text(client.get(f"/bandi/{call.slug}"))
    assert meeting.title in page
    assert "Un altro incontro" not in page
    assert f"/bandi/{call.slug}/incontri.ics" in page


def test_registering_on_the_web_and_the_waiting_list(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    meeting = _make(client.application, db, capacity=1, questions=["Da quale quartiere vieni?"])
    url = f"/incontri/{meeting.slug}/iscrizione"
    first = make_user(db, email="first@example.org")
    log_in(client, first)
    refused = submit(client, url, {"organisation": "APS Ortica"})
    assert refused.status_code == 200
    assert "Acconsenti al trattamento della tua iscrizione." in text(refused)
    assert db.scalar(select(func.count()).select_from(Registration)) == 0
    done = submit(client, url, {"consent": "y", "answer_0": "Lambrate", "public_attendance": "y"})
    assert done.status_code == 302
    registration = db.scalar(select(Registration).where(Registration.user_id == first.id))
    assert registration is not None
    assert registration.status == "confirmed"
    assert registration.answers == ["Lambrate"]
    assert registration.code in text(client.get(f"/incontri/{meeting.slug}"))
    assert registration.code in Mailbox.body(mailbox.last_to("first@example.org"))

    second = make_user(db, email="second@example.org")
    other = client.application.test_client()
    log_in(other, second)
    assert submit(other, url, {"consent": "y"}).status_code == 302
    assert "Sei in lista d'attesa" in text(other.get(f"/incontri/{meeting.slug}"))

    mailbox.clear()
    post_with_token(client, f"/incontri/{meeting.slug}/iscrizione/annulla")
    promoted = mailbox.last_to("second@example.org")
    assert promoted["Subject"].startswith("Si è liberato un posto")
    assert "Hai un posto" in text(other.get(f"/incontri/{meeting.slug}"))


def test_a_malformed_registration_changes_nothing(client: FlaskClient, db: Session) -> None:
    meeting = _make(client.application, db, groups=(("Verde", 2),))
    log_in(client, make_user(db))
    url = f"/incontri/{meeting.slug}/iscrizione"
    for bad in ({"consent": "y", "group_id": "abc"}, {"consent": "y", "group_id": "0"}):
        response = submit(client, url, bad)
        assert response.status_code == 200
    assert "Scegli un gruppo tematico." in text(response)
    assert db.scalar(select(func.count()).select_from(Registration)) == 0
    assert client.get("/incontri/non-esiste").status_code == 404


def test_the_qr_code_is_only_for_the_person_registered(client: FlaskClient, db: Session) -> None:
    meeting = _make(client.application, db)
    person = make_user(db)
    _register(client.application, db, meeting, person)
    url = f"/incontri/{meeting.slug}/iscrizione/qr.svg"
    assert client.get(url).status_code == 302  # sign in first
    log_in(client, person)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
    stranger = client.application.test_client()
    log_in(stranger, make_user(db))
    assert stranger.get(url).status_code == 404


def test_staff_check_people_in_at_the_door(client: FlaskClient, db: Session) -> None:
    staff = make_staff(db)
    meeting = _make(client.application, db, staff=staff)
    registration = _register(client.application, db, meeting)
    log_in(client, staff)
    url = f"/gestione/incontri/{meeting.id}/accoglienza"
    prefilled = text(client.get(f"{url}?codice={registration.code}"))
    assert f'value="{registration.code}"' in prefilled
    wrong = submit(client, url, {"code": "XXXX9999"})
    assert "Nessuna iscrizione a questo incontro ha questo codice." in text(wrong)
    done = submit(client, url, {"code": registration.code.lower()})
    assert done.status_code == 302
    db.refresh(registration)
    assert registration.attended_at is not None
    again = submit(client, url, {"code": registration.code})
    assert "già stato registrato" in text(again)


def test_staff_create_a_meeting_from_the_form(client: FlaskClient, db: Session) -> None:
    log_in(client, make_staff(db))
    form = {
        "title": "Udienza pubblica: verso Milano Smart City",
        "kind": "hearing",
        "format": "hybrid",
        "call_id": "0",
        "area_id": "0",
        "day": "2027-10-31",
        "start": "10:00",
        "end": "13:00",
        "venue": "Palazzo Marino",
        "address": "Piazza della Scala 2, Milano",
        "online_url": "https://meet.example.org/udienza",
        "accessibility": ["captioning", "step_free"],
        "registration": "platform",
        "capacity": "120",
        "reserved_places": "20",
        "questions-0-question": "Organizzazione?",
        "questions-1-question": "",  # a blank row between is skipped
        "questions-2-question": "Tema preferito?",
        "retention_days": "90",
        "contribution_days": "15",
    }
    wrong = submit(client, "/gestione/incontri/nuovo", form | {"end": "09:00"})
    assert "L&#39;incontro deve terminare dopo l&#39;inizio." in text(wrong)
    malformed = submit(client, "/gestione/incontri/nuovo", form | {"capacity": "molti"})
    assert malformed.status_code == 200
    nairobi = submit(client, "/gestione/incontri/nuovo", form | {"lat": "-1.286", "lon": "36.817"})
    assert 'id="lat-error"' in text(nairobi)
    assert "Questo luogo è fuori dalla città" in text(nairobi)
    assert 'value="36.817"' in text(nairobi)
    half = submit(client, "/gestione/incontri/nuovo", form | {"lat": "45.466"})
    assert "Indica sia la latitudine sia la longitudine" in text(half)
    assert db.scalar(select(func.count()).select_from(Meeting)) == 0
    form |= {"lat": "45.4669", "lon": "9.1900"}  # Palazzo Marino
    created = submit(client, "/gestione/incontri/nuovo", form)
    assert created.status_code == 302
    meeting = db.scalar(select(Meeting))
    assert meeting is not None
    # 10:00 in Rome on the last Sunday of October 2027, after the clocks go back: 09:00 UTC.
    assert meeting.starts_at == datetime(2027, 10, 31, 9, 0, tzinfo=UTC)
    assert meeting.questions == ["Organizzazione?", "Tema preferito?"]
    assert (meeting.lat, meeting.lon) == (45.4669, 9.19)
    assert meeting.status == "draft"
    edit = text(client.get(f"/gestione/incontri/{meeting.id}/modifica"))
    assert 'value="10:00"' in edit


def _events(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_calendar_files_keep_the_hour_across_daylight_saving(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    # Both Sundays of a change in 2027: 28 March (clocks forward) and 31 October (back).
    spring = _make(
        client.application,
        db,
        title="Primavera",
        call_id=call.id,
        starts_at=datetime(2027, 3, 28, 8, 0, tzinfo=UTC),  # 10:00 in Rome (CEST)
    )
    autumn = _make(
        client.application,
        db,
        title="Autunno",
        starts_at=datetime(2027, 10, 31, 9, 0, tzinfo=UTC),  # 10:00 in Rome (CET)
    )
    one = client.get(f"/incontri/{spring.slug}/calendario.ics")
    assert one.mimetype == "text/calendar"
    assert b"BEGIN:VTIMEZONE" in one.data
    assert b"DTSTART;TZID=Europe/Rome:20270328T100000" in one.data
    event = _events(one.data)["Primavera"]
    assert event.decoded("dtstart") == spring.starts_at
    assert event.decoded("dtend") == spring.ends_at
    assert str(event["uid"]).startswith(f"meeting-{spring.id}@")

    feed = _events(client.get("/incontri/calendario.ics").data)
    assert set(feed) == {"Primavera", "Autunno"}
    assert feed["Autunno"].decoded("dtstart") == autumn.starts_at
    assert feed["Autunno"].decoded("dtstart").hour == 10  # wall clock in Rome
    assert feed["Primavera"].decoded("dtstart").hour == 10
    per_call = _events(client.get(f"/bandi/{call.slug}/incontri.ics").data)
    assert set(per_call) == {"Primavera"}


def test_speaking_contributions_and_minutes_on_the_web(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    staff = make_staff(db)
    meeting = _make(client.application, db, staff=staff, agenda=True)
    person = make_user(db, email="voice@example.org", full_name="Giulia Verdi")
    _register(client.application, db, meeting, person)
    log_in(client, person)
    page = f"/incontri/{meeting.slug}"
    asked = submit(
        client,
        f"{page}/interventi",
        {"item_id": str(meeting.agenda[0].id), "summary": "Piste ciclabili in via Padova"},
        form_page=page,
    )
    assert asked.status_code == 302
    contributed = submit(
        client, f"{page}/contributi", {"body": "Più **alberi**, meno asfalto"}, form_page=page
    )
    assert contributed.status_code == 302
    assert db.scalar(select(func.count()).select_from(Contribution)) == 1
    assert "<strong>alberi</strong>" in text(client.get(page))

    desk = client.application.test_client()
    log_in(desk, staff)
    request_id = db.scalar(select(SpeakerRequest.id))
    manage = f"/gestione/incontri/{meeting.id}"
    decided = submit(
        desk,
        f"{manage}/interventi/{request_id}",
        {f"r{request_id}-decision": "accept", f"r{request_id}-minutes": "4"},
        form_page=manage,
    )
    assert decided.status_code == 302
    assert "Giulia Verdi" in text(client.get(page))  # the running order is public
    assert "4 minuti" in Mailbox.body(mailbox.last_to("voice@example.org"))

    early = submit(desk, f"{manage}/verbale", {"body": "Verbale"}, form_page=manage)
    assert early.status_code == 302
    assert db.scalar(select(func.count()).select_from(MinutesRevision)) == 0
    with client.application.test_request_context("/"):
        services.publish_minutes(
            db, staff, meeting, "Prima <script>x()</script>**bozza**", "", now=meeting.ends_at
        )
        services.publish_minutes(
            db, staff, meeting, "Versione finale", "refuso", now=meeting.ends_at
        )
        db.commit()
    history = text(client.get(f"{page}/verbale"))
    assert "Versione finale" in history
    assert "<strong>bozza</strong>" in history
    assert "<script>x()" not in history
    assert "Revisione 2" in history


@pytest.mark.parametrize(
    "path", ["/gestione/incontri/999999", "/gestione/incontri/999999/modifica"]
)
def test_unknown_meetings_are_not_found_for_staff(
    client: FlaskClient, db: Session, path: str
) -> None:
    log_in(client, make_staff(db))
    assert client.get(path).status_code == 404


def test_staff_screens_turn_refusals_into_messages(client: FlaskClient, db: Session) -> None:
    staff = make_staff(db)
    meeting = _make(client.application, db, staff=staff)
    log_in(client, staff)
    manage = f"/gestione/incontri/{meeting.id}"
    response = submit(client, f"{manage}/pubblica", {}, form_page=manage)
    assert response.status_code == 302
    assert "già stato pubblicato" in text(client.get(manage))
    bad_item = submit(
        client,
        f"{manage}/agenda",
        {"start": "03:00", "minutes": "30", "title": "Notte"},
        form_page=manage,
    )
    assert bad_item.status_code == 302
    assert "rientrare negli orari" in text(client.get(manage))
    bad_report = submit(
        client, f"{manage}/resoconto", {"body": "R", "proposals": "1, due"}, form_page=manage
    )
    assert bad_report.status_code == 302
    assert meeting.report == ""
    unknown = submit(
        client, f"{manage}/interventi/424242", {"r424242-decision": "reject"}, form_page=manage
    )
    assert unknown.status_code == 302
    assert "Questa richiesta non esiste." in text(client.get(manage))
    assert utcnow() < meeting.starts_at
