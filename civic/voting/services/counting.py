"""Counting, reviewing, publishing, and Pabulib import and export."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import datetime
from fractions import Fraction

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...accounts.permissions import is_staff
from ...calls.domain import PhaseKind
from ...calls.models import Call
from ...calls.queries import windows_of
from ...core import audit, signals
from ...core.refusals import PermissionDenied
from ...core.time import to_rome
from ...proposals.models import Proposal
from ...residency import census
from .. import domain
from ..models import Ballot, ElectionKey, VoteResult, VoterRoll, VoteSettings
from ..rules import Ballot as RuleBallot
from ..rules import Election, Project
from ..rules.meta import tally
from ..rules.outcome import Outcome
from ..rules.pabulib import write
from ..snapshot import Rules
from .box import open_with_server_key, sealed_count
from .common import VoteRefused, ballot_rules, candidates, settings_of


def import_pb(
    session: Session, actor: User, call: Call, area_id: int, text: str, *, now: datetime
) -> dict[str, int]:
    """Load a Pabulib file as an area's profile: its projects as feasible proposals, its votes
    as imported ballots (no voter roll: the file names no one). Returns the new proposal id of
    each project id in the file."""
    from ..rules.election import VoteType
    from ..rules.pabulib import parse

    if not is_staff(actor):
        raise PermissionDenied
    if area_id not in {a.area_id for a in call.areas} or not call.themes:
        raise VoteRefused("area_not_open")
    if session.scalar(
        select(Ballot.id).where(Ballot.call_id == call.id, Ballot.area_id == area_id)
    ):
        raise VoteRefused("already_voted")
    election = parse(text)
    ids: dict[str, int] = {}
    for project in election.projects.values():
        proposal = Proposal(
            call_id=call.id,
            author_id=actor.id,
            area_id=area_id,
            theme_id=call.themes[0].id,
            title=(project.name or f"Progetto {project.id}")[:200],
            body_md="",
            body_html="",
            cost_cents=project.cost * 100,
            status="feasible",
            created_at=now,
            updated_at=now,
            submitted_at=now,
        )
        session.add(proposal)
        session.flush()
        ids[project.id] = proposal.id
    for ballot in election.ballots:
        if election.vote_type is VoteType.ORDINAL:
            choices = {str(ids[p]): rank for rank, p in enumerate(ballot.projects, start=1)}
        else:
            choices = {str(ids[p]): points for p, points in ballot.points}
        for _ in range(ballot.weight):
            # Public data naming no one: counted as it stands, nothing to seal.
            session.add(
                Ballot(id=secrets.token_hex(16), call_id=call.id, area_id=area_id, choices=choices)
            )
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="vote.import_pb",
        target_type="call",
        target_id=call.id,
        after={"area_id": area_id, "projects": len(ids), "ballots": election.voters},
        now=now,
    )
    return ids


def _units(cents: int) -> int:
    """Tallies count in whole euros (rounding a cost up), in the live tally and the .pb alike."""
    return -(-cents // 100)


def election_for(session: Session, call: Call, area_id: int) -> Election:
    """The area's ballots as an election for the rules (whole euros)."""
    settings = settings_of(session, call)
    rules = ballot_rules(settings, call, area_id)
    costs = candidates(session, call.id, area_id)
    projects = {str(p): Project(str(p), _units(c)) for p, c in costs.items()}
    ballots = [
        RuleBallot(
            tuple(
                (str(p), points)
                for p, points in domain.as_points(rules, {int(k): v for k, v in choices.items()})
            )
        )
        for choices in session.scalars(
            select(Ballot.choices).where(Ballot.call_id == call.id, Ballot.area_id == area_id)
        )
    ]
    vote_type = {
        "approval": "approval",
        "knapsack": "approval",
        "single": "choose-1",
        "cumulative": "cumulative",
        "ranked": "ordinal",
    }[settings.ballot_kind]
    meta = {
        "vote_type": vote_type,
        "rule": pabulib_rule_name(settings.rule),
        "budget": str(rules.budget_cents // 100),
    }
    if settings.rule == "greedy-custom":  # the file defines its step, as Poznań's do
        meta["comment"] = (
            "#1: Greedy by votes until the next project does not fit; that project is funded "
            f"too if the money left covers at least {settings.reserve_percent}% of that project."
        )
    from ..rules.election import Limits, VoteType, group_ballots

    if settings.min_score:
        meta["min_project_score_threshold"] = str(settings.min_score)
    return Election(
        rules.budget_cents // 100,
        projects,
        group_ballots(ballots),
        VoteType(vote_type),
        meta,
        limits=Limits(min_project_score_threshold=settings.min_score or None),
    )


def pabulib_rule_name(rule: str) -> str:
    """The name Pabulib files use for one of civic's rules (the export's META 'rule')."""
    from ..rules.meta import META_NAMES

    return next((name for name, ours in META_NAMES.items() if ours == rule), rule)


def run_rule(election: Election, settings: VoteSettings | Rules) -> Outcome:
    """The call's published rule on an area's ballots, with the call's own parameters."""
    reserve = Fraction(settings.reserve_percent, 100) if settings.rule == "greedy-custom" else None
    return tally(election, settings.rule, reserve=reserve)


def tally_call(
    session: Session, actor: User | None, call: Call, *, now: datetime
) -> list[VoteResult]:
    """Count every area once voting has closed; results wait for staff to publish them."""
    if actor is not None and not is_staff(actor):
        raise PermissionDenied
    voting = [w for w in windows_of(call) if w.kind is PhaseKind.VOTING]
    if not voting or now < voting[0].ends_at:
        raise VoteRefused("voting_not_closed")
    settings = settings_of(session, call)
    key = session.get(ElectionKey, call.id, populate_existing=True)
    if key is not None and key.opened_at is None and sealed_count(session, call.id):
        if key.mode != "server":
            raise VoteRefused("box_sealed")  # the trustees open it, at the count
        open_with_server_key(session, actor, call, now=now)
    first_day = to_rome(voting[0].starts_at).date()
    results = []
    for area in call.areas:
        existing = session.scalar(
            select(VoteResult).where(
                VoteResult.call_id == call.id, VoteResult.area_id == area.area_id
            )
        )
        if existing is not None and existing.published_at is not None:
            results.append(existing)
            continue
        if existing is not None:
            session.delete(existing)
            session.flush()
        election = election_for(session, call, area.area_id)
        outcome = run_rule(election, settings)
        explanation = {
            pid: {
                k: (
                    str(v)
                    if v is not None and k in ("price_per_supporter", "remaining_budget")
                    else v
                )
                for k, v in asdict(r).items()
            }
            for pid, r in outcome.results.items()
        }
        voters = (
            session.scalar(
                select(func.count())
                .select_from(VoterRoll)
                .where(VoterRoll.call_id == call.id, VoterRoll.area_id == area.area_id)
            )
            or 0
        )
        result = VoteResult(
            call_id=call.id,
            area_id=area.area_id,
            rule=outcome.rule,
            budget_cents=area.budget_cents,
            winners=[int(w) for w in outcome.winners],
            explanation=explanation,
            ballots=election.voters,
            voters=voters,
            electorate=census.electorate(session, area.area_id, first_day, settings.min_age),
            overrides=[],
            computed_at=now,
        )
        session.add(result)
        results.append(result)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action="vote.tally",
        target_type="call",
        target_id=call.id,
        after={"areas": len(results)},
        now=now,
    )
    return results


def voting_closed(call: Call, now: datetime) -> bool:
    """Whether the call's (last) voting window has ended."""
    voting = [w for w in windows_of(call) if w.kind is PhaseKind.VOTING]
    return bool(voting) and now >= voting[-1].ends_at


def check_countable(session: Session, actor: User, call: Call, *, now: datetime) -> None:
    """Staff may start the count once voting has closed and, in trustee mode, the trustees
    have opened the box."""
    if not is_staff(actor):
        raise PermissionDenied
    if not voting_closed(call, now):
        raise VoteRefused("voting_not_closed")
    key = session.scalar(select(ElectionKey).where(ElectionKey.call_id == call.id))
    if key is not None and key.mode == "trustees" and key.opened_at is None:
        raise VoteRefused("needs_trustees")


def result_of(session: Session, call: Call, area_id: int | None) -> VoteResult:
    """The area's tallied result, or a refusal when it has not been counted."""
    result = session.scalar(
        select(VoteResult).where(VoteResult.call_id == call.id, VoteResult.area_id == area_id)
    )
    if result is None:
        raise VoteRefused("not_tallied")
    return result


def override_winner(
    session: Session,
    actor: User,
    result: VoteResult,
    project_id: int,
    *,
    add: bool,
    reason: str,
    now: datetime,
) -> None:
    """Change a computed result: only with a reason, which is published with it."""
    if not is_staff(actor):
        raise PermissionDenied
    if not reason.strip():
        raise VoteRefused("reason_required")
    if result.published_at is not None:
        raise VoteRefused("already_published")
    winners = list(result.winners)
    if add and project_id not in winners:
        winners.append(project_id)
    elif not add and project_id in winners:
        winners.remove(project_id)
    else:
        raise VoteRefused("nothing_to_change")
    result.winners = winners
    result.overrides = [
        *result.overrides,
        {"project_id": project_id, "add": add, "reason": reason.strip()},
    ]
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="vote.override",
        target_type="call",
        target_id=result.call_id,
        after={"area_id": result.area_id, "project_id": project_id, "add": add},
        reason=reason.strip(),
        now=now,
    )


def publish_results(session: Session, actor: User, call: Call, *, now: datetime) -> None:
    if not is_staff(actor):
        raise PermissionDenied
    results = session.scalars(select(VoteResult).where(VoteResult.call_id == call.id)).all()
    if not results:
        raise VoteRefused("not_tallied")
    newly = [r for r in results if r.published_at is None]
    for result in results:
        result.published_at = result.published_at or now
    session.flush()
    _tell_authors(session, call, newly)
    # the winners' execution is public from today
    signals.ballot_count_published.send("voting", session=session, call_id=call.id, now=now)
    audit.record(
        session,
        actor_id=actor.id,
        action="vote.publish",
        target_type="call",
        target_id=call.id,
        now=now,
    )


def _tell_authors(session: Session, call: Call, results: list[VoteResult]) -> None:
    """Each author of a project on a ballot hears, once, whether it won."""
    from ...core.mail import queue_email

    ids = {int(p) for result in results for p in (result.explanation or {})}
    proposals = list(session.scalars(select(Proposal).where(Proposal.id.in_(ids))))
    authors = {
        user.id: user
        for user in session.scalars(
            select(User).where(User.id.in_({p.author_id for p in proposals}))
        )
    }
    for result in results:
        winners = set(result.winners)
        on_ballot = {int(p) for p in (result.explanation or {})}
        for proposal in (p for p in proposals if p.id in on_ballot):
            author = authors.get(proposal.author_id)
            if author is None or author.deleted_at is not None or not author.email:
                continue
            queue_email(
                session,
                author.email,
                "results_published",
                author.language,
                user=author,
                proposal=proposal,
                call=call,
                won=proposal.id in winners,
            )


def running_counts_hidden(session: Session, call: Call) -> bool:
    """Counts are shown only once results are published."""
    return (
        session.scalar(
            select(func.count())
            .select_from(VoteResult)
            .where(VoteResult.call_id == call.id, VoteResult.published_at.is_not(None))
        )
        == 0
    )


def min_published_ballots() -> int:
    from flask import current_app

    return int(current_app.config["MIN_PUBLISHED_BALLOTS"])


def too_few_to_publish(result: VoteResult) -> bool:
    """Where few voted, each ballot nearly names its voter: only totals are published."""
    return result.ballots < min_published_ballots()


def export_pb(session: Session, call: Call, area_id: int) -> str:
    """The area's anonymised ballots as a Pabulib file (after results are published, and only
    for areas with at least MIN_PUBLISHED_BALLOTS ballots)."""
    if running_counts_hidden(session, call):
        raise VoteRefused("not_published")
    result = session.scalar(
        select(VoteResult).where(VoteResult.call_id == call.id, VoteResult.area_id == area_id)
    )
    if result is None:
        raise VoteRefused("not_tallied")
    if too_few_to_publish(result):
        raise VoteRefused("too_few_to_publish")
    election = election_for(session, call, area_id)
    meta = {
        "description": call.title_it,
        "country": str(current_app.config["CITY_COUNTRY"]),
        "unit": str(current_app.config["CITY_NAME"]),
        "instance": str(call.created_at.year),
        "subunit": f"area {area_id}",
        "num_projects": str(len(election.projects)),
        "num_votes": str(election.voters),
        **election.meta,
        "currency": "EUR",
    }
    from ..rules.election import supporters
    from ..rules.outcome import MARKS

    votes = supporters(election)
    reasons = {pid: why.get("reason") for pid, why in (result.explanation or {}).items()}
    selected = {str(w): MARKS.get(str(reasons.get(str(w))), 1) for w in result.winners}
    return write(meta, election.projects.values(), election.ballots, votes, selected)
