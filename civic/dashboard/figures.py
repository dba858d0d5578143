"""The dashboard's figures and the lists behind them, from one set of scoped queries.

Each kind of record has one function that returns the query of its public records within a
scope (year of the call, Municipio, theme). The figures group that query by Municipio; the list a
figure links to runs the same query row by row, so the two always agree. Every figure takes one
grouped query, whatever the number of records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, case, distinct, exists, func, select
from sqlalchemy.orm import Session

from ..calls.models import Call, CallTheme
from ..core.db import sum_cents
from ..core.scope import Scope
from ..crowdfunding.models import Campaign, LedgerEntry
from ..execution.domain import Status
from ..execution.models import TrackedProject
from ..execution.queries import scoped as scoped_projects
from ..grants.models import GrantApplication
from ..grants.ranking import AWARDED
from ..proposals.domain import PUBLIC_STATES
from ..proposals.models import Proposal, Support
from ..voting.models import VoteResult

CITY = 0  # the key of records without a Municipio (a city-wide campaign or grant)


def _calls(statement: Select[Any], scope: Scope, call_id: Any) -> Select[Any]:
    statement = statement.join(Call, Call.id == call_id).where(Call.published_at.is_not(None))
    return scope.on_year(statement, Call.published_at)


def proposals(scope: Scope, statement: Any = None) -> Any:
    """Proposals in a public state, with their own Municipio and theme."""
    statement = _calls(
        select(Proposal) if statement is None else statement, scope, Proposal.call_id
    ).where(Proposal.status.in_([s.value for s in PUBLIC_STATES]))
    statement = scope.on_area(statement, Proposal.area_id)
    if scope.theme_id is not None:
        statement = statement.where(Proposal.theme_id == scope.theme_id)
    return statement


def _on_call_theme(scope: Scope, statement: Any, call_id: Any) -> Any:
    """Keep rows of calls that have the theme (for records without a theme of their own)."""
    if scope.theme_id is None:
        return statement
    return statement.where(
        exists(
            select(CallTheme.call_id).where(
                CallTheme.call_id == call_id, CallTheme.theme_id == scope.theme_id
            )
        )
    )


def results(scope: Scope, statement: Any = None) -> Any:
    """Published vote results, one per call and Municipio; a theme of the call counts."""
    statement = _calls(
        select(VoteResult) if statement is None else statement, scope, VoteResult.call_id
    ).where(VoteResult.published_at.is_not(None))
    statement = scope.on_area(statement, VoteResult.area_id)
    return _on_call_theme(scope, statement, VoteResult.call_id)


def campaigns(scope: Scope, statement: Any = None) -> Any:
    """Campaigns once open (the same ones the open data lists)."""
    statement = _calls(
        select(Campaign) if statement is None else statement, scope, Campaign.call_id
    ).where(Campaign.state != "draft")
    statement = scope.on_area(statement, Campaign.area_id)
    return _on_call_theme(scope, statement, Campaign.call_id)


def grants(scope: Scope, statement: Any = None) -> Any:
    statement = _calls(
        select(GrantApplication) if statement is None else statement,
        scope,
        GrantApplication.call_id,
    ).where(GrantApplication.state.in_(AWARDED))
    statement = scope.on_area(statement, GrantApplication.area_id)
    return _on_call_theme(scope, statement, GrantApplication.call_id)


def voters_total(scope: Scope) -> Any:
    """The query of how many people voted in the published results within the scope."""
    return results(scope, select(func.coalesce(func.sum(VoteResult.voters), 0)))


def granted_total(scope: Scope) -> Any:
    """The query of the money granted within the scope, in cents."""
    return grants(scope, select(sum_cents(GrantApplication.total_cents)))


@dataclass
class Row:
    """The figures of one Municipio (or of the city as a whole)."""

    proposals: int = 0
    supports: int = 0
    votes: int = 0  # published results (one per call and Municipio)
    voters: int = 0
    electorate: int = 0  # census residents old enough, summed over the votes whose tally had one
    electorate_voters: int = 0  # the voters of those votes
    projects: int = 0  # funded and not cancelled or revoked
    allocated_cents: int = 0
    spent_cents: int = 0
    cancelled: int = 0  # funded, then cancelled or revoked: apart
    cancelled_cents: int = 0  # what those had been allocated
    campaigns: int = 0
    raised_cents: int = 0
    matched_cents: int = 0
    grants: int = 0
    granted_cents: int = 0

    @property
    def turnout_permille(self) -> int | None:
        """Voters over the electorate, of the votes whose tally counted one (the census residents
        old enough on the vote's first day): per mille, rounded down."""
        if not self.electorate:
            return None
        return self.electorate_voters * 1000 // self.electorate

    def add(self, other: Row) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


FIELDS = tuple(Row.__dataclass_fields__)


@dataclass
class Figures:
    rows: dict[int, Row] = field(default_factory=dict)  # by Municipio id; CITY for none

    def row(self, area_id: int | None) -> Row:
        return self.rows.setdefault(area_id or CITY, Row())

    @property
    def total(self) -> Row:
        total = Row()
        for row in self.rows.values():
            total.add(row)
        return total


def compute(session: Session, scope: Scope) -> Figures:
    """Every figure of the dashboard, by Municipio: one grouped query per kind of figure."""
    found = Figures()
    for area_id, count in session.execute(
        proposals(scope, select(Proposal.area_id, func.count(Proposal.id))).group_by(
            Proposal.area_id
        )
    ):
        found.row(area_id).proposals = int(count)
    for area_id, count in session.execute(
        proposals(scope, select(Proposal.area_id, func.count(Support.id)))
        .join(Support, Support.proposal_id == Proposal.id)
        .group_by(Proposal.area_id)
    ):
        found.row(area_id).supports = int(count)
    for area_id, votes, voters, electorate, electorate_voters in session.execute(
        results(
            scope,
            select(
                VoteResult.area_id,
                func.count(VoteResult.id),
                func.sum(VoteResult.voters),
                func.sum(VoteResult.electorate),
                func.sum(case((VoteResult.electorate.is_not(None), VoteResult.voters), else_=0)),
            ),
        ).group_by(VoteResult.area_id)
    ):
        row = found.row(area_id)
        row.votes, row.voters = int(votes), int(voters or 0)
        row.electorate, row.electorate_voters = int(electorate or 0), int(electorate_voters or 0)
    # A cancelled or revoked project leaves "funded" and "allocated" and is counted apart.
    live = TrackedProject.status != Status.CANCELLED.value

    def live_only(value: Any) -> Any:
        return func.sum(case((live, value), else_=0))

    def cancelled_only(value: Any) -> Any:
        return func.sum(case((live, 0), else_=value))

    for area_id, count, allocated, spent, cancelled, withdrawn in session.execute(
        scoped_projects(
            scope,
            select(
                TrackedProject.area_id,
                live_only(1),
                live_only(TrackedProject.funded_cents),
                live_only(TrackedProject.spent_cents),
                cancelled_only(1),
                cancelled_only(TrackedProject.funded_cents),
            ),
        ).group_by(TrackedProject.area_id)
    ):
        row = found.row(area_id)
        row.projects, row.allocated_cents, row.spent_cents = (
            int(count or 0), int(allocated or 0), int(spent or 0)
        )  # fmt: skip
        row.cancelled, row.cancelled_cents = int(cancelled or 0), int(withdrawn or 0)
    for area_id, count in session.execute(
        campaigns(scope, select(Campaign.area_id, func.count(distinct(Campaign.id)))).group_by(
            Campaign.area_id
        )
    ):
        found.row(area_id).campaigns = int(count)
    for area_id, (raised_cents, matched_cents) in campaign_money(session, scope).items():
        row = found.row(area_id)
        row.raised_cents, row.matched_cents = raised_cents, matched_cents
    for area_id, count, granted in session.execute(
        grants(
            scope,
            select(
                GrantApplication.area_id,
                func.count(GrantApplication.id),
                func.sum(GrantApplication.total_cents),
            ),
        ).group_by(GrantApplication.area_id)
    ):
        row = found.row(area_id)
        row.grants, row.granted_cents = int(count), int(granted or 0)
    return found


def campaign_money(session: Session, scope: Scope) -> dict[int | None, tuple[int, int]]:
    """Per Municipio: raised (pledged plus charged, the backers' side negated) and matched (the
    city's side negated), from the ledger of the campaigns in scope; one grouped query."""
    raised = func.sum(
        case(
            (LedgerEntry.account == "pledged", LedgerEntry.amount_cents),
            (LedgerEntry.account == "backers", -LedgerEntry.amount_cents),
            else_=0,
        )
    )
    matched = func.sum(case((LedgerEntry.account == "city", -LedgerEntry.amount_cents), else_=0))
    return {
        area_id: (int(raised_cents or 0), int(matched_cents or 0))
        for area_id, raised_cents, matched_cents in session.execute(
            campaigns(scope, select(Campaign.area_id, raised, matched))
            .join(LedgerEntry, LedgerEntry.campaign_id == Campaign.id)
            .group_by(Campaign.area_id)
        )
    }


def supports_of(session: Session, proposal_ids: list[int]) -> dict[int, int]:
    """Supports per proposal, for a page of the list."""
    if not proposal_ids:
        return {}
    rows = session.execute(
        select(Support.proposal_id, func.count())
        .where(Support.proposal_id.in_(proposal_ids))
        .group_by(Support.proposal_id)
    )
    return {proposal_id: count for proposal_id, count in rows}


def total_supports(session: Session, scope: Scope) -> int:
    """Supports given to the public proposals within the scope."""
    statement = proposals(scope, select(func.count(Support.id)).select_from(Proposal)).join(
        Support, Support.proposal_id == Proposal.id
    )
    return int(session.scalar(statement) or 0)


def calls_by_id(session: Session, ids: set[int]) -> dict[int, Call]:
    """The calls with these ids."""
    return {c.id: c for c in session.scalars(select(Call).where(Call.id.in_(ids)))}
