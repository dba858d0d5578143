"""Milan demo data: people, the Municipi and themes (Milan's reference file), and a 2026
participatory-budget call.

Loaded by `flask seed-demo` (and `make run`); every part is added once. Never in production."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calls import services as call_services
from ..calls.domain import CallKind, PhaseKind, Window
from ..calls.models import Call
from ..calls.queries import get_call, list_themes
from ..places.queries import list_municipi
from ..reference import MILANO
from ..reference import load as load_reference
from ..reference import read as read_reference
from .budget import BODY, DEMO_CALL_SLUG, DESCRIPTION_EN, DESCRIPTION_IT, IDEAS, STATES, _past_vote
from .crowdfunding import _demo_crowdfunding
from .execution import _demo_execution
from .grants import _demo_grants
from .meetings import _demo_meetings
from .people import _people


def load_demo(
    session: Session, now: datetime, report: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Add whatever part of the demo is missing; return what was added. ``report`` is told
    what a person needs to try it (the demo trustees' shares)."""
    from ..accounts.queries import get_user
    from ..proposals import services as proposal_services
    from ..proposals.models import FeasibilityReview, Support
    from .ballot_box import trustee_vote

    reference = load_reference(session, read_reference(MILANO))
    added = {"municipi": reference["areas"], "themes": reference["themes"]}
    added["people"], staff_id, citizens = _people(session, now)
    added["calls"] = added["proposals"] = 0
    if session.scalar(select(Call.id).where(Call.slug == DEMO_CALL_SLUG)) is not None:
        staff_user = get_user(session, staff_id)
        assert staff_user is not None
        themes_now = {t.code: t.id for t in list_themes(session)}
        added["calls"] += trustee_vote(session, staff_user, citizens, themes_now, now, report)
        added["meetings"] = _demo_meetings(session, staff_id, citizens, now)
        added["campaigns"] = _demo_crowdfunding(session, staff_id, citizens, now)
        added["grant_applications"] = _demo_grants(session, staff_id, citizens, now)
        added["tracked_projects"] = _demo_execution(session, staff_id, now)
        return added
    staff = get_user(session, staff_id)
    assert staff is not None
    themes = {t.code: t.id for t in list_themes(session)}
    areas = [a for a in list_municipi(session) if a.number != 1]
    day = timedelta(days=1)
    data = call_services.CallData(
        kind=CallKind.PARTICIPATORY_BUDGET,
        title_it="Bilancio partecipativo 2026",
        title_en="Participatory budget 2026",
        description_it=DESCRIPTION_IT,
        description_en=DESCRIPTION_EN,
        theme_ids=list(themes.values()),
        area_budgets={a.id: 1_000_000_00 for a in areas},
        total_budget_cents=8_000_000_00,
        support_threshold=5,
        windows=[
            Window(PhaseKind.SUBMISSION, now - 30 * day, now + 40 * day),
            Window(PhaseKind.SUPPORTS, now - 30 * day, now + 50 * day),
            Window(PhaseKind.REVIEW, now + 55 * day, now + 100 * day),
            Window(PhaseKind.VOTING, now + 110 * day, now + 140 * day),
            Window(PhaseKind.RESULTS, now + 145 * day, now + 160 * day),
        ],
    )
    call = call_services.create_call(session, staff, data, now=now - 35 * day)
    call_services.publish_call(session, staff, call, now=now - 35 * day)
    loaded = get_call(session, call.id)
    assert loaded is not None
    call = loaded
    rng = random.Random(2026)  # the same demo every time  # noqa: S311 (not for security)  # nosec B311
    for n in range(40):
        title, theme = IDEAS[n % len(IDEAS)]
        area = areas[n % len(areas)]
        author = citizens[n % len(citizens)]
        proposal = proposal_services.create_proposal(
            session,
            author,
            call,
            proposal_services.ProposalData(
                title=f"{title} ({area.name.split(',')[0]})",
                body_md=f"Proponiamo: **{title.lower()}** nel Municipio {area.number}.{BODY}",
                area_id=area.id,
                theme_id=themes[theme],
                cost_cents=rng.randrange(20, 400) * 1_000_00,
                lat=45.42 + rng.random() * 0.1,
                lon=9.10 + rng.random() * 0.15,
            ),
            submit=STATES[n] != "draft",
            now=now - (40 - n) * day / 2,
        )
        status = STATES[n]
        if status not in ("draft", "submitted"):
            proposal.status = "in_review" if status != "withdrawn" else "withdrawn"
        if status in ("feasible", "not_feasible"):
            proposal.status = status
            session.add(
                FeasibilityReview(
                    proposal_id=proposal.id,
                    reviewer_id=staff.id,
                    outcome=status,
                    public_reason=(
                        "Realizzabile dagli uffici del Municipio entro un anno."
                        if status == "feasible"
                        else "L'area indicata non è di proprietà comunale."
                    ),
                    cost_estimate_cents=proposal.cost_cents,
                    running_cost_cents=proposal.cost_cents // 20,
                    duration_months=rng.randrange(3, 18),
                    decided_at=now - day,
                )
            )
        for fan in rng.sample(citizens, rng.randrange(0, 8)):
            if fan.id != author.id and status != "draft":
                session.add(Support(proposal_id=proposal.id, user_id=fan.id, created_at=now - day))
        added["proposals"] += 1
    session.flush()
    added["calls"] = 1
    added["calls"] += _past_vote(session, staff, citizens, themes, areas, now)
    added["calls"] += trustee_vote(session, staff, citizens, themes, now, report)
    added["meetings"] = _demo_meetings(session, staff_id, citizens, now)
    added["campaigns"] = _demo_crowdfunding(session, staff_id, citizens, now)
    added["grant_applications"] = _demo_grants(session, staff_id, citizens, now)
    added["tracked_projects"] = _demo_execution(session, staff_id, now)
    return added
