"""The demo's grants call, La Scuola dei Quartieri, with applications at every stage."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.services import get_user_by_email
from ..calls import services as call_services
from ..calls.domain import CallKind, PhaseKind, Window, written_by
from ..calls.models import Call
from ..core.db import count_up
from ..core.time import to_rome
from ..grants.application import protocol_number
from ..grants.models import GrantSettings, ProtocolCounter
from ..grants.services import SettingsData, save_settings
from ..places.queries import list_municipi

GRANTS_SLUG = "la-scuola-dei-quartieri-2024-25"


GRANT_IDEAS = (
    "Sartoria sociale",
    "Cucina di quartiere",
    "Ciclofficina popolare",
    "Biblioteca degli attrezzi",
    "Doposcuola nel cortile",
    "Orto sul tetto",
    "Radio di quartiere",
    "Banco del riuso",
    "Palestra all'aperto",
    "Cinema in piazza",
)


# The funnel of the 2024-25 edition, in small: how many applications end in each state.
FUNNEL = (
    ("submitted", 5),
    ("inadmissible", 4),
    ("integration_requested", 3),
    ("under_review", 6),
    ("funded", 6),
    ("reserve", 3),
    ("not_admitted", 3),
)


def _demo_grants(session: Session, staff_id: int, citizens: list[User], now: datetime) -> int:
    """La Scuola dei Quartieri 2024-25: 30 applications spread over the funnel, jurors' scores
    for those ranked, and the final ranking published. Rows are written directly: demo only."""
    from ..accounts.queries import get_user
    from ..grants import ranking as grant_ranking
    from ..grants import services as grant_services
    from ..grants.models import GrantApplication, JuryAssignment, JuryScore

    if session.scalar(select(Call.id).where(Call.slug == GRANTS_SLUG)) is not None:
        return 0
    staff = get_user(session, staff_id)
    juror = get_user_by_email(session, "giurato@demo.example.org")
    assert staff is not None
    assert juror is not None
    day = timedelta(days=1)
    areas = [a for a in list_municipi(session) if a.number != 1]
    call, settings = scuola_call(
        session,
        staff,
        grant_services.SettingsData(
            max_grant_cents=30_000_00,
            criteria=[
                {
                    "code": "need",
                    "label": "Bisogno del quartiere",
                    "weight": 3,
                    "threshold_half": 4,
                },
                {"code": "novelty", "label": "Novità", "weight": 2, "threshold_half": 0},
                {
                    "code": "sustainability",
                    "label": "Sostenibilità",
                    "weight": 2,
                    "threshold_half": 4,
                },
                {"code": "team", "label": "Gruppo", "weight": 1, "threshold_half": 0},
            ],
            overall_threshold_half=5,
            jurors_per_application=1,
        ),
        budget_cents=150_000_00,
        windows=[Window(PhaseKind.SUBMISSION, now - 120 * day, now + 20 * day)],
        now=now - 130 * day,
    )
    rng = random.Random(2425)  # noqa: S311 (a repeatable demo)  # nosec B311
    leads = [c for c in citizens if c.id != juror.id]  # a juror never judges their own project
    number = 0
    year = to_rome(now - 100 * day).year
    for state, count in FUNNEL:
        for _ in range(count):
            number += 1
            lead = leads[number % len(leads)]
            total = rng.randrange(12, 31) * 1_000_00
            area = areas[number % len(areas)]
            application = GrantApplication(
                call_id=call.id,
                lead_user_id=lead.id,
                applicant_kind="group",
                group_name=f"Residenti del Municipio {area.number} ({number})",
                title=f"{GRANT_IDEAS[number % len(GRANT_IDEAS)]} nel Municipio {area.number}",
                area_id=area.id,
                sections={
                    "idea": "Un luogo aperto a tutti, gestito dai residenti.",
                    "need": "Nel quartiere mancano spazi di incontro tra generazioni.",
                    "novelty": "Nessuna attività simile nel raggio di un chilometro.",
                    "sustainability": "Quote associative, servizi a pagamento, volontariato.",
                    "team": "Un gruppo di vicini con competenze diverse.",
                    "timeline": "Dodici mesi, dalla fondazione dell'associazione all'apertura.",
                },
                budget_lines=[
                    {"what": "Allestimento", "cents": total // 2},
                    {"what": "Attività del primo anno", "cents": total - total // 2},
                ],
                total_cents=total,
                cofunding_cents=rng.randrange(0, 5) * 500_00,
                state=state
                if state in ("submitted", "inadmissible", "integration_requested")
                else "under_review",
                protocol_number=protocol_number(
                    "SDQ", year, count_up(session, ProtocolCounter, "last", prefix="SDQ", year=year)
                ),
                submitted_at=now - (100 - number) * day,
                integration_sections=["budget"] if state == "integration_requested" else [],
                integration_deadline=now + 7 * day if state == "integration_requested" else None,
                decision_reason={
                    "inadmissible": "Il gruppo comprende un'associazione già esistente.",
                    "integration_requested": "Dettagliate le voci di spesa del primo anno.",
                }.get(state, ""),
                created_at=now - (110 - number) * day,
                updated_at=now - (100 - number) * day,
            )
            session.add(application)
            session.flush()
            if state in ("under_review", "funded", "reserve", "not_admitted"):
                assignment = JuryAssignment(
                    application_id=application.id,
                    juror_id=juror.id,
                    assigned_at=now - 60 * day,
                    declared_at=now - 59 * day,
                    submitted_at=None if state == "under_review" else now - 40 * day,
                )
                session.add(assignment)
                session.flush()
                if state != "under_review":
                    base = {"funded": 9, "reserve": 7, "not_admitted": 3}[state]
                    for code in ("need", "novelty", "sustainability", "team"):
                        session.add(
                            JuryScore(
                                assignment_id=assignment.id,
                                criterion=code,
                                half_points=min(10, base + rng.randrange(0, 2)),
                                comment="Valutazione motivata della giuria.",
                            )
                        )
    session.flush()
    # The ranked ones get their final ranking, as staff would publish it.
    ranked = session.scalars(
        select(GrantApplication).where(
            GrantApplication.call_id == call.id, GrantApplication.state == "under_review"
        )
    ).all()
    scored = {
        a.application_id
        for a in session.scalars(
            select(JuryAssignment).where(JuryAssignment.submitted_at.is_not(None))
        )
    }
    waiting = [a for a in ranked if a.id not in scored]
    for application in waiting:
        application.state = "submitted"  # hidden from the ranking while it waits for its score
    session.flush()
    board = grant_ranking.board(session, call.id, settings)
    from ..grants.models import GrantRanking

    rows = grant_ranking._published_rows(session, board)
    session.add(
        GrantRanking(
            call_id=call.id,
            kind="final",
            rows=rows,
            agreement=board.agreement,
            published_by_id=staff.id,
            published_at=now - 20 * day,
        )
    )
    outcome = {row["application_id"]: row["outcome"] for row in rows}
    for application in ranked:
        if application.id in outcome:
            application.state = {"funded": "funded", "reserve": "reserve"}.get(
                outcome[application.id], "not_admitted"
            )
    for application in waiting:
        application.state = "under_review"
    # The first funded group has signed its agreement: two instalments, the first one paid.
    from ..grants.models import GrantInstalment

    first_funded = next((a for a in ranked if a.state == "funded"), None)
    if first_funded is not None:
        first_funded.state = "reporting"
        advance = first_funded.total_cents * 6 // 10
        session.add_all(
            [
                GrantInstalment(
                    application_id=first_funded.id,
                    number=1,
                    amount_cents=advance,
                    due_on=(now - 10 * day).date(),
                    paid_at=now - 9 * day,
                ),
                GrantInstalment(
                    application_id=first_funded.id,
                    number=2,
                    amount_cents=first_funded.total_cents - advance,
                    due_on=(now + 170 * day).date(),
                ),
            ]
        )
    session.flush()
    return number


def scuola_call(
    session: Session,
    staff: User,
    rules: SettingsData,
    *,
    budget_cents: int,
    windows: list[Window],
    now: datetime,
) -> tuple[Call, GrantSettings]:
    """A published La Scuola dei Quartieri call on every Municipio but the first (the centre
    is not in the programme), with these rules. The tests' factories build theirs with it."""
    areas = [a for a in list_municipi(session) if a.number != 1]
    call = call_services.create_call(
        session,
        staff,
        call_services.CallData(
            kind=CallKind.GRANTS,
            title_it="La Scuola dei Quartieri 2024-25",
            title_en="La Scuola dei Quartieri 2024-25",
            description_it=(
                "Contributi fino a 30.000 euro per gruppi di almeno due residenti che fondano "
                "un nuovo ente non profit di quartiere, con mesi di formazione e tutoraggio."
            ),
            description_en=(
                "Grants up to 30,000 euro for groups of at least two residents founding a new "
                "neighbourhood non-profit, with months of training and mentoring."
            ),
            area_budgets={a.id: 0 for a in areas},
            total_budget_cents=budget_cents,
            windows=windows,
        ),
        now=written_by(windows, now),
    )
    call_services.publish_call(session, staff, call, now=now)
    return call, save_settings(session, staff, call, rules, now=now)
