"""The demo's meetings: a public hearing and presentation meetings."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calls.models import Call
from ..places.queries import list_municipi
from .budget import DEMO_CALL_SLUG

HEARING_TITLE = "Public Hearing: verso Milano Smart City"


def _demo_meetings(session: Session, staff_id: int, citizens: list[User], now: datetime) -> int:
    """Three presentation meetings of the 2026 call and a hearing with three thematic groups."""
    from ..accounts.queries import get_user
    from ..meetings import services as meeting_services
    from ..meetings.domain import (
        MeetingFormat,
        MeetingKind,
        RegistrationMode,
        RegistrationStatus,
        new_code,
    )
    from ..meetings.models import Meeting, Registration

    if session.scalar(select(Meeting.id).where(Meeting.title == HEARING_TITLE)) is not None:
        return 0
    staff = get_user(session, staff_id)
    call_id = session.scalar(select(Call.id).where(Call.slug == DEMO_CALL_SLUG))
    assert staff is not None
    municipi = {area.number: area for area in list_municipi(session)}
    day = timedelta(days=1)
    at_six = (now + day).replace(hour=17, minute=0, second=0, microsecond=0)  # evening in Rome
    venues = [
        (2, "Casa di Quartiere Greco", "Via Francesco Massimo Ferrari 17, Milano", 45.500, 9.213),
        (5, "Biblioteca Chiesa Rossa", "Via San Domenico Savio 3, Milano", 45.427, 9.178),
        (8, "Mare Culturale Urbano", "Via Giuseppe Gabetti 15, Milano", 45.494, 9.119),
    ]
    meetings = []
    for offset, (number, venue, address, lat, lon) in zip((4, 9, 15), venues, strict=True):
        starts = at_six + offset * day
        meetings.append(
            meeting_services.create_meeting(
                session,
                staff,
                meeting_services.MeetingData(
                    kind=MeetingKind.PRESENTATION,
                    format=MeetingFormat.IN_PERSON,
                    title=f"Presentazione del Bilancio partecipativo 2026 nel Municipio {number}",
                    description=(
                        "Come presentare una proposta, come raccogliere i sostegni e come si "
                        "vota. Porta la tua idea: gli uffici del Municipio rispondono alle "
                        "domande."
                    ),
                    call_id=call_id,
                    area_id=municipi[number].id,
                    starts_at=starts,
                    ends_at=starts + 2 * timedelta(hours=1),
                    venue=venue,
                    address=address,
                    lat=lat,
                    lon=lon,
                    accessibility=["step_free", "sign_language"] if number == 5 else ["step_free"],
                    registration=RegistrationMode.PLATFORM,
                    capacity=8 if number == 2 else 60,
                    reserved_places=2,
                    questions=["Hai già un'idea di proposta?"],
                ),
                now=now - 20 * day,
            )
        )
    hearing = meeting_services.create_meeting(
        session,
        staff,
        meeting_services.MeetingData(
            kind=MeetingKind.HEARING,
            format=MeetingFormat.HYBRID,
            title=HEARING_TITLE,
            description=(
                "Cittadini, organizzazioni e università sono invitati a intervenire sul futuro "
                "di Milano come città intelligente. Dopo la plenaria si lavora in tre gruppi "
                "tematici; i contributi scritti sono accolti fino a 15 giorni dopo."
            ),
            starts_at=at_six - 8 * timedelta(hours=1) + 20 * day,  # morning in Rome
            ends_at=at_six - 3 * timedelta(hours=1) + 20 * day,
            venue="Palazzo Marino, Sala Alessi",
            address="Piazza della Scala 2, Milano",
            lat=45.4671,
            lon=9.1897,
            online_url="https://meet.example.org/udienza-smart-city",
            accessibility=["sign_language", "captioning", "step_free"],
            registration=RegistrationMode.PLATFORM,
            capacity=120,
            reserved_places=15,
        ),
        now=now - 20 * day,
    )
    for title in ("Mobilità sostenibile", "Ambiente ed energia", "Inclusione sociale"):
        meeting_services.add_group(session, staff, hearing, title, 40, now=now - 20 * day)
    plan = [
        (
            0,
            30,
            "Apertura: la strategia Milano Smart City",
            "Assessore alla Trasformazione digitale",
        ),
        (30, 60, "Interventi dal pubblico", ""),
        (90, 150, "Gruppi di lavoro tematici", "Facilitatori dei laboratori"),
        (240, 60, "Restituzione in plenaria", ""),
    ]
    for minute, length, title, speakers in plan:
        meeting_services.add_agenda_item(
            session,
            staff,
            hearing,
            starts_at=hearing.starts_at + minute * timedelta(minutes=1),
            minutes=length,
            title=title,
            speakers=speakers,
            now=now - 20 * day,
        )
    for meeting in [*meetings, hearing]:
        meeting_services.publish_meeting(session, staff, meeting, now=now - 19 * day)
    # A few registrations, written directly so that loading the demo sends no e-mail; the
    # first meeting is full, with two people waiting.
    first = meetings[0]
    for n, person in enumerate(citizens[:8]):
        full = n >= first.capacity - first.reserved_places
        session.add(
            Registration(
                meeting_id=first.id,
                user_id=person.id,
                status=(RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED).value,
                code=new_code(),
                consent_at=now - (10 - n) * day,
                waiting_since=now - (10 - n) * day if full else None,
                created_at=now - (10 - n) * day,
                updated_at=now - (10 - n) * day,
            )
        )
    session.flush()
    return len(meetings) + 1
