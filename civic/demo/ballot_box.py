"""The demo's vote in trustee mode: closed yesterday, its box sealed, waiting for two of its
three trustees to bring their shares to the count. The loader prints the shares (a demo only:
seed-demo refuses to run in production), as if each trustee had collected theirs on paper."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.services import get_user_by_email
from ..calls import services as call_services
from ..calls.domain import CallKind, PhaseKind, Window
from ..calls.models import Call
from ..calls.queries import get_call
from ..proposals.models import Proposal

TRUSTEE_CALL_TITLE = "Voto con i garanti 2026 (dimostrazione)"
TRUSTEES = ("admin@demo.example.org", "staff@demo.example.org", "lucia@demo.example.org")
IDEAS = ("Panchine all'ombra", "Fontanella pubblica", "Rastrelliere per bici", "Orto di scuola")


def trustee_vote(
    session: Session,
    staff: User,
    citizens: list[User],
    themes: dict[str, int],
    now: datetime,
    report: Callable[[str], None] | None = None,
) -> int:
    """Add the trustee-mode vote once; ``report`` is told each trustee's share."""
    from ..voting import services as voting
    from ..voting.models import VoteSettings

    if session.scalar(select(Call.id).where(Call.title_it == TRUSTEE_CALL_TITLE)) is not None:
        return 0
    day = timedelta(days=1)
    areas = sorted({c.municipio_id for c in citizens if c.municipio_id})[:2]
    data = call_services.CallData(
        kind=CallKind.PARTICIPATORY_BUDGET,
        title_it=TRUSTEE_CALL_TITLE,
        title_en="Vote with trustees 2026 (demonstration)",
        description_it=(
            "Una votazione di prova la cui urna si apre solo quando due dei tre garanti "
            "inseriscono insieme la propria quota della chiave."
        ),
        description_en=(
            "A demonstration vote whose ballot box opens only when two of its three trustees "
            "enter their shares of the key together."
        ),
        theme_ids=list(themes.values()),
        area_budgets=dict.fromkeys(areas, 100_000_00),
        total_budget_cents=100_000_00 * len(areas),
        windows=[
            Window(PhaseKind.SUBMISSION, now - 120 * day, now - 90 * day),
            Window(PhaseKind.REVIEW, now - 80 * day, now - 40 * day),
            Window(PhaseKind.VOTING, now - 10 * day, now - day),
            Window(PhaseKind.RESULTS, now + day, now + 60 * day),
        ],
    )
    call = call_services.create_call(session, staff, data, now=now - 130 * day)
    call_services.publish_call(session, staff, call, now=now - 130 * day)
    session.add(
        VoteSettings(
            call_id=call.id, ballot_kind="approval", min_choices=1, max_choices=2,
            rule="greedy", secrecy="trustees",
        )
    )  # fmt: skip
    projects = _projects(session, call, citizens[0], themes, areas, now - 95 * day)
    people = [p for p in (get_user_by_email(session, e) for e in TRUSTEES) if p is not None]
    loaded = get_call(session, call.id)
    assert loaded is not None
    voting.set_up_box(
        session, staff, loaded, mode="trustees", trustee_emails=[p.email or "" for p in people],
        threshold=2, now=now - 20 * day,
    )  # fmt: skip
    pickups = [voting.declare_ready(session, p, call.id, now=now - 20 * day) for p in people]
    shares = [
        voting.collect_share(session, p, call.id, key, now=now - 20 * day)
        for p, key in zip(people, pickups, strict=True)
    ]
    loaded = get_call(session, call.id)
    assert loaded is not None
    for n, voter in enumerate(c for c in citizens if c.municipio_id in projects):
        chosen = projects[voter.municipio_id or 0]
        picks = {chosen[n % len(chosen)]: 1, chosen[(n + 1) % len(chosen)]: 1}
        voting.cast_ballot(
            session, voter, loaded, voter.municipio_id or 0, picks, now=now - 5 * day
        )
    if report is not None:
        report(f"demo trustee vote «{TRUSTEE_CALL_TITLE}»: 2 of these 3 shares open its box")
        for person, share in zip(people, shares, strict=True):
            report(f"  {person.email}: {share}")
    return 1


def _projects(
    session: Session,
    call: Call,
    author: User,
    themes: dict[str, int],
    areas: list[int],
    when: datetime,
) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    theme = next(iter(themes.values()))
    for area_id in areas:
        for n, title in enumerate(IDEAS):
            proposal = Proposal(
                call_id=call.id, author_id=author.id, area_id=area_id, theme_id=theme,
                title=title, body_md=title, body_html=f"<p>{title}</p>",
                cost_cents=(20 + 10 * n) * 1_000_00, status="feasible",
                created_at=when, updated_at=when, submitted_at=when,
            )  # fmt: skip
            session.add(proposal)
            session.flush()
            found.setdefault(area_id, []).append(proposal.id)
    return found
