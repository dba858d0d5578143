"""Calls and proposals for tests, made through the services the app uses."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import User
from civic.calls import services as call_services
from civic.calls.domain import CallKind, PhaseKind, Window, written_by
from civic.calls.models import Call
from civic.calls.queries import get_call, list_themes
from civic.core.time import utcnow
from civic.places.queries import list_municipi
from civic.proposals import services
from civic.proposals.models import Proposal
from tests.factories.accounts import make_user
from tests.factories.places import seed_municipi, seed_themes

DAY = timedelta(days=1)


def open_windows(now: datetime, *, review_in_days: int = 20) -> list[Window]:
    """Submissions and supports open now; review and voting later."""
    return [
        Window(PhaseKind.SUBMISSION, now - DAY, now + 10 * DAY),
        Window(PhaseKind.SUPPORTS, now - DAY, now + 15 * DAY),
        Window(PhaseKind.REVIEW, now + review_in_days * DAY, now + (review_in_days + 20) * DAY),
        Window(PhaseKind.VOTING, now + 60 * DAY, now + 75 * DAY),
    ]


def make_call(
    db: Session,
    *,
    staff: User | None = None,
    windows: list[Window] | None = None,
    threshold: int = 3,
    published: bool = True,
    title: str = "Bilancio partecipativo 2026",
) -> Call:
    """A published participatory-budget call on every Municipio but the first, all themes."""
    seed_municipi(db)
    seed_themes(db)
    staff = staff or make_user(db, roles=(Role.STAFF,), email=None)
    now = utcnow()
    data = call_services.CallData(
        kind=CallKind.PARTICIPATORY_BUDGET,
        title_it=title,
        title_en="Participatory budget 2026",
        description_it="Proponi un progetto per il tuo Municipio.",
        theme_ids=[t.id for t in list_themes(db)],
        area_budgets={a.id: 100_000_00 for a in list_municipi(db) if a.number != 1},
        total_budget_cents=800_000_00,
        support_threshold=threshold,
        windows=windows if windows is not None else open_windows(now),
    )
    call = call_services.create_call(db, staff, data, now=written_by(data.windows, now))
    if published:
        call_services.publish_call(db, staff, call, now=now)
    db.commit()
    loaded = get_call(db, call.id)
    assert loaded is not None
    return loaded


def proposal_data(call: Call, **changes: object) -> services.ProposalData:
    values: dict[str, object] = {
        "title": "Un giardino condiviso in via Padova",
        "body_md": "Un **orto** di quartiere aperto a tutti, con panchine e alberi.",
        "area_id": call.areas[0].area_id,
        "theme_id": call.themes[0].id,
        "cost_cents": 25_000_00,
        "lat": 45.4955,
        "lon": 9.2231,
    }
    values.update(changes)
    return services.ProposalData(**values)  # type: ignore[arg-type]


def make_proposal(
    db: Session, call: Call, author: User | None = None, *, submit: bool = True, **changes: object
) -> Proposal:
    author = author or make_user(db)
    now = utcnow()
    proposal = services.create_proposal(
        db, author, call, proposal_data(call, **changes), submit=False, now=now
    )
    if submit:  # sent in as the service does, less the author's receipt (it needs an app)
        proposal.status, proposal.submitted_at = "submitted", now
    db.commit()
    return proposal


def make_voting_call(
    db: Session,
    *,
    ballot_kind: str = "approval",
    rule: str = "greedy",
    extra_areas: int = 0,
    projects_per_area: int = 3,
    voting_open: bool = True,
    **settings: int,
) -> tuple[Call, dict[int, list[int]]]:
    """A call whose proposals were found feasible and whose vote is open (or just closed)."""
    from sqlalchemy import update

    from civic.calls.models import CallPhase
    from civic.voting.models import VoteSettings

    call = make_call(db, threshold=0)
    author = make_user(db)
    projects: dict[int, list[int]] = {}
    for area in call.areas[:2]:
        for n in range(projects_per_area):
            proposal = make_proposal(
                db,
                call,
                author,
                title=f"Progetto {n} area {area.area_id}",
                area_id=area.area_id,
                cost_cents=(30 + 10 * n) * 1_000_00,
            )
            proposal.status = "feasible"
            projects.setdefault(area.area_id, []).append(proposal.id)
    now = utcnow()
    start, end = (now - DAY, now + 5 * DAY) if voting_open else (now - 10 * DAY, now - DAY)
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call.id, CallPhase.kind == "voting")
        .values(starts_at=start, ends_at=end)
    )
    db.add(
        VoteSettings(
            call_id=call.id, ballot_kind=ballot_kind, rule=rule, extra_areas=extra_areas, **settings
        )
    )
    db.flush()
    from flask import has_app_context

    if settings.get("secrecy", "server") == "server" and has_app_context():
        from civic.voting.services import ensure_server_key

        ensure_server_key(db, call.id, now=now)  # as saving the settings does (else: first cast)
    db.commit()
    loaded = get_call(db, call.id)
    assert loaded is not None
    return loaded, projects


def make_voter(db: Session, area_id: int, *, birth_date: object = None, **kwargs: object) -> User:
    """A citizen whose residency in the area was verified at a desk (born in 1980 by default)."""
    from datetime import date

    from civic.accounts.models import User as UserModel
    from civic.residency.models import Residency

    voter = make_user(db, **kwargs)  # type: ignore[arg-type]
    db.get(UserModel, voter.id).municipio_id = area_id  # type: ignore[union-attr]
    db.add(
        Residency(
            user_id=voter.id,
            municipio_id=area_id,
            birth_date=birth_date or date(1980, 5, 17),
            method="desk",
            document_type="carta_identita",
            verified_at=utcnow(),
        )
    )
    db.commit()
    voter.municipio_id = area_id
    return voter


def open_now(db: Session, call: Call) -> None:
    """Close the call's vote and open its server-key box, as the count's job does."""
    from sqlalchemy import update

    from civic.calls.models import CallPhase
    from civic.voting import services as voting

    now = utcnow()
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call.id, CallPhase.kind == "voting")
        .values(starts_at=now - 3 * DAY, ends_at=now - DAY)
    )
    db.commit()
    db.expire_all()
    voting.open_with_server_key(db, None, call, now=now)
    db.commit()
