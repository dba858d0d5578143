"""What the voting use cases share: refusals, the ballot rules of an area, eligibility."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...calls.domain import PhaseKind, is_phase_open
from ...calls.models import Call
from ...core.identity import keyed_hash
from ...core.refusals import Refused
from .. import domain
from ..models import VoterRoll, VoteSettings
from ..snapshot import Rules, VotingCall
from ..snapshot import build as build_snapshot


class VoteRefused(Refused):
    """The vote cannot be taken; ``code`` says why, ``problems`` lists what is wrong with it."""

    def __init__(
        self,
        code: str,
        problems: list[domain.Problem] | None = None,
        *,
        detail: str = "",
        field: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code, field=field, **params)
        self.problems = problems or []
        self.detail = detail  # what the message names: an address, a word's position


def _key() -> str:
    return str(current_app.config["IDENTITY_HASH_KEY"])


def person_hash(voter: User) -> str:
    """Who the voter is, as the roll remembers them across accounts: their fiscal number (from
    SPID/CIE or the census) where known, else their e-mail address, under the identity key."""
    from ...accounts.domain import normalise_email

    if voter.fiscal_number_hash:
        who = f"fiscal:{voter.fiscal_number_hash}"
    elif voter.email:
        who = f"email:{normalise_email(voter.email)}"
    else:
        who = f"account:{voter.id}"
    return keyed_hash(_key(), "voter", who)


def settings_of(session: Session, call: Call | VotingCall) -> VoteSettings | Rules:
    settings = call.settings if isinstance(call, VotingCall) else session.get(VoteSettings, call.id)
    if settings is None:
        raise VoteRefused("no_vote")
    return settings


def ballot_rules(
    settings: VoteSettings | Rules, call: Call | VotingCall, area_id: int
) -> domain.BallotRules:
    budget = next((a.budget_cents for a in call.areas if a.area_id == area_id), 0)
    return domain.BallotRules(
        domain.BallotKind(settings.ballot_kind),
        settings.min_choices,
        settings.max_choices,
        settings.points,
        settings.max_ranked,
        budget,
    )


def candidates(session: Session, call_id: int, area_id: int) -> dict[int, int]:
    """The projects on the ballot of an area with their costs in cents, read now: the same
    definition the ballot pages and the cast use (voting.snapshot), so the count and the
    ballot can never disagree on what was on it."""
    seen = build_snapshot(session, call_id)
    area = seen.area(area_id) if seen is not None else None
    return area.costs() if area is not None else {}


def _check_open(call: VotingCall, now: datetime) -> None:
    if not is_phase_open(list(call.windows), PhaseKind.VOTING, now):
        raise VoteRefused("voting_closed")


_VOTED = select(VoterRoll.area_id).where(
    VoterRoll.call_id == bindparam("call_id"),
    or_(VoterRoll.user_id == bindparam("user_id"), VoterRoll.person_hash == bindparam("person")),
)


@functools.cache
def _residency_statement() -> Any:
    from ...residency.models import Residency

    return select(Residency.municipio_id, Residency.birth_date, Residency.method).where(
        Residency.user_id == bindparam("user_id")
    )


def _check_eligible(
    session: Session, settings: Rules, call: VotingCall, voter: User, area_id: int, person: str
) -> str:
    """A verified resident of the call's areas, of the call's minimum age on the first day of the
    vote, voting in their own Municipio plus as many others as the call allows."""
    from ...core.time import to_rome
    from ...residency.domain import age_on

    # Read on the session's connection (Core): two of the three reads of every cast.
    session.flush()
    connection = session.connection()
    residency: Any = connection.execute(_residency_statement(), {"user_id": voter.id}).one_or_none()
    if residency is None:
        from ...core.time import utcnow
        from ...residency.census import verify_from_census

        residency = verify_from_census(session, voter, now=utcnow())
    if residency is None:
        raise VoteRefused("not_verified")
    if residency.method == "self" and not settings.allow_self_declared:
        raise VoteRefused("not_verified")  # a declaration counts only where the call accepts it
    voting = call.voting_windows()
    first_day = to_rome(voting[0].starts_at).date() if voting else None
    if first_day is not None and age_on(residency.birth_date, first_day) < settings.min_age:
        raise VoteRefused("too_young")
    voted = set(
        connection.execute(
            _VOTED, {"call_id": call.id, "user_id": voter.id, "person": person}
        ).scalars()
    )
    if area_id in voted:
        raise VoteRefused("already_voted")
    eligible = [a.area_id for a in call.areas]
    if not domain.areas_open_to(
        residency.municipio_id, eligible, settings.extra_areas, [*voted, area_id]
    ):
        raise VoteRefused("area_not_open")
    return str(residency.method)


def _check_ballot(
    settings: Rules, call: VotingCall, area_id: int, choices: dict[int, int]
) -> dict[int, int]:
    """The ballot as it will be sealed, if it can be cast (normalised: approvals weigh 1)."""
    area = call.area(area_id)
    rules = ballot_rules(settings, call, area_id)
    found = domain.problems(rules, choices, area.costs() if area else {})
    if found:
        raise VoteRefused("invalid_ballot", found)
    return domain.normalised(rules, choices)
