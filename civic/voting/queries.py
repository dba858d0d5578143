"""Reads of the voting feature, for its pages: results and turnout, the roll, trustees."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calls.models import Call
from ..proposals.models import BallotAmendment, Proposal
from ..residency.models import Residency
from .models import ElectionTrustee, VoteResult, VoterRoll


def results_of(session: Session, call_id: int) -> list[VoteResult]:
    """The call's tallied results, one per Municipio, in Municipio order."""
    return list(
        session.scalars(
            select(VoteResult).where(VoteResult.call_id == call_id).order_by(VoteResult.area_id)
        )
    )


def proposals_by_id(session: Session, ids: set[int]) -> dict[int, Proposal]:
    """The proposals with these ids."""
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Proposal).where(Proposal.id.in_(ids)))}


def turnout(session: Session, call_id: int) -> dict[int, dict[str, int]]:
    """Per Municipio: voters by channel, how many declared their residency themselves, and
    the residents known (the denominator of the turnout)."""
    counts: dict[int, dict[str, int]] = {}
    for area_id, channel, voters in session.execute(
        select(VoterRoll.area_id, VoterRoll.channel, func.count())
        .where(VoterRoll.call_id == call_id)
        .group_by(VoterRoll.area_id, VoterRoll.channel)
    ):
        counts.setdefault(area_id, {})[channel] = voters
    for area_id, declared in session.execute(
        select(VoterRoll.area_id, func.count())
        .where(VoterRoll.call_id == call_id, VoterRoll.residency_method == "self")
        .group_by(VoterRoll.area_id)
    ):
        counts.setdefault(area_id, {})["declared"] = declared
    for area_id, residents in session.execute(
        select(Residency.municipio_id, func.count()).group_by(Residency.municipio_id)
    ):
        counts.setdefault(area_id, {})["residents"] = residents
    return counts


def amendments_of(session: Session, call_id: int) -> list[BallotAmendment]:
    """Changes an admin made to the ballot after voting opened, with their public reasons."""
    return list(
        session.scalars(
            select(BallotAmendment)
            .where(BallotAmendment.call_id == call_id)
            .order_by(BallotAmendment.at)
        )
    )


def areas_voted_in(session: Session, call_id: int, user_id: int) -> set[int]:
    """The Municipi in which the person is on the call's roll."""
    return set(
        session.scalars(
            select(VoterRoll.area_id).where(
                VoterRoll.call_id == call_id, VoterRoll.user_id == user_id
            )
        )
    )


def people(session: Session, ids: list[int]) -> dict[int, User]:
    """Accounts by id (the trustees on the count page)."""
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def trustee_call_ids(session: Session, user_id: int) -> list[int]:
    """The calls in which the person is a trustee."""
    return list(
        session.scalars(select(ElectionTrustee.call_id).where(ElectionTrustee.user_id == user_id))
    )


def trustee_seat(session: Session, call_id: int, user_id: int) -> ElectionTrustee | None:
    """The person's trustee seat in the call, if any."""
    return session.scalar(
        select(ElectionTrustee).where(
            ElectionTrustee.call_id == call_id, ElectionTrustee.user_id == user_id
        )
    )


def publishable_ballot_files(session: Session, minimum: int) -> list[tuple[str, int, str]]:
    """(call slug, area id, call title) of every published result with at least ``minimum``
    ballots: the areas whose individual ballots may be published."""
    return [
        (slug, area_id, title)
        for slug, area_id, title in session.execute(
            select(Call.slug, VoteResult.area_id, Call.title_it)
            .join(Call, Call.id == VoteResult.call_id)
            .where(VoteResult.published_at.is_not(None), VoteResult.ballots >= minimum)
            .order_by(VoteResult.id)
        )
    ]


def calls_with_results_to_publish(session: Session) -> list[int]:
    """Calls counted whose results staff have not published yet (the back office's to-do)."""
    from .models import VoteResult

    return list(
        session.scalars(
            select(VoteResult.call_id).where(VoteResult.published_at.is_(None)).distinct()
        )
    )
