"""The public datasets: what open data exports and the JSON API serve, defined once.

Each dataset is a query over public records only (published calls, proposals in a public
state, published meetings, published results, campaigns once open, awarded grants) with
documented columns. Nothing personal leaves: no e-mail, no account id, no private person's
name; proposals carry no author, campaigns their totals only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def translatable(text: str) -> str:
    """Marks a dataset's English title or description for the translation catalogue (make
    extract-messages looks for it): the pages show it in the reader's language, the catalogue
    in both, and the API and the files keep it as written."""
    return text


LICENSE = "CC-BY-4.0"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer, number, string, boolean, date-time, array
    description: str  # English; the Italian is in the catalogue's translations (translatable)
    nullable: bool = False


@dataclass(frozen=True)
class Filter:
    name: str
    type: str  # integer or string
    description: str


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    # (session, filters, after id, limit) -> rows ordered by id, each a dict of the columns
    rows: Callable[[Session, dict[str, Any], int, int | None], list[dict[str, Any]]]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z") if moment.tzinfo else moment.isoformat() + "Z"


def _matching(statement: Select[Any], where: dict[str, Any], **columns: Any) -> Select[Any]:
    """Keep rows whose column equals each filter asked for (filter name -> column)."""
    for name, column in columns.items():
        if name in where:
            statement = statement.where(column == where[name])
    return statement


def _page(statement: Select[Any], id_column: Any, after: int, limit: int | None) -> Select[Any]:
    statement = statement.where(id_column > after).order_by(id_column)
    return statement.limit(limit) if limit is not None else statement


# Calls ----------------------------------------------------------------------------------------


def _calls(session: Session, where: dict[str, Any], after: int, limit: int | None) -> list[Any]:
    from ..calls.models import Call

    statement = _matching(select(Call).where(Call.published_at.is_not(None)), where, kind=Call.kind)
    if "year" in where:
        statement = statement.where(func.extract("year", Call.published_at) == where["year"])
    return [
        {
            "id": c.id,
            "slug": c.slug,
            "kind": c.kind,
            "title_it": c.title_it,
            "title_en": c.title_en,
            "total_budget_cents": c.total_budget_cents,
            "published_at": _iso(c.published_at),
        }
        for c in session.scalars(_page(statement, Call.id, after, limit))
    ]


# Proposals ------------------------------------------------------------------------------------


def _proposals(session: Session, where: dict[str, Any], after: int, limit: int | None) -> list[Any]:
    from ..calls.models import Call
    from ..proposals.domain import PUBLIC_STATES
    from ..proposals.models import Proposal, Support

    supports = (
        select(func.count())
        .select_from(Support)
        .where(Support.proposal_id == Proposal.id)
        .correlate(Proposal)
        .scalar_subquery()
    )
    statement = (
        select(Proposal, supports)
        .join(Call, Call.id == Proposal.call_id)
        .where(
            Call.published_at.is_not(None),
            Proposal.status.in_([s.value for s in PUBLIC_STATES]),
        )
    )
    statement = _matching(
        statement,
        where,
        call=Proposal.call_id,
        area=Proposal.area_id,
        status=Proposal.status,
        theme=Proposal.theme_id,
    )
    return [
        {
            "id": p.id,
            "call_id": p.call_id,
            "area_id": p.area_id,
            "theme_id": p.theme_id,
            "title": p.title,
            "status": p.status,
            "cost_cents": p.cost_cents,
            "supports": int(count or 0),
            "lat": p.lat,
            "lon": p.lon,
            "submitted_at": _iso(p.submitted_at),
        }
        for p, count in session.execute(_page(statement, Proposal.id, after, limit))
    ]


# Meetings -------------------------------------------------------------------------------------


def _meetings(session: Session, where: dict[str, Any], after: int, limit: int | None) -> list[Any]:
    from ..meetings.models import Meeting

    statement = select(Meeting).where(Meeting.status.in_(["published", "cancelled"]))
    statement = _matching(
        statement, where, call=Meeting.call_id, area=Meeting.area_id, kind=Meeting.kind
    )
    return [
        {
            "id": m.id,
            "slug": m.slug,
            "kind": m.kind,
            "format": m.format,
            "status": m.status,
            "title": m.title,
            "call_id": m.call_id,
            "area_id": m.area_id,
            "starts_at": _iso(m.starts_at),
            "ends_at": _iso(m.ends_at),
            "venue": m.venue,
            "address": m.address,
            "capacity": m.capacity,
        }
        for m in session.scalars(_page(statement, Meeting.id, after, limit))
    ]


# Results --------------------------------------------------------------------------------------


def _results(session: Session, where: dict[str, Any], after: int, limit: int | None) -> list[Any]:
    from ..voting.models import VoteResult

    statement = select(VoteResult).where(VoteResult.published_at.is_not(None))
    statement = _matching(statement, where, call=VoteResult.call_id, area=VoteResult.area_id)
    return [
        {
            "id": r.id,
            "call_id": r.call_id,
            "area_id": r.area_id,
            "rule": r.rule,
            "budget_cents": r.budget_cents,
            "ballots": r.ballots,
            "voters": r.voters,
            "electorate": r.electorate,
            "winners": [int(w) for w in r.winners],
            "published_at": _iso(r.published_at),
        }
        for r in session.scalars(_page(statement, VoteResult.id, after, limit))
    ]


# Campaigns ------------------------------------------------------------------------------------


def _campaigns(session: Session, where: dict[str, Any], after: int, limit: int | None) -> list[Any]:
    from ..crowdfunding import ledger
    from ..crowdfunding.models import Campaign, Pledge

    statement = select(Campaign).where(Campaign.state != "draft")
    statement = _matching(
        statement, where, call=Campaign.call_id, area=Campaign.area_id, state=Campaign.state
    )
    campaigns = list(session.scalars(_page(statement, Campaign.id, after, limit)))
    ids = [c.id for c in campaigns]
    balances = ledger.balances(session, ids) if ids else {}
    backers = dict(
        session.execute(
            select(Pledge.campaign_id, func.count())
            .where(Pledge.campaign_id.in_(ids), Pledge.state.in_(["active", "charged"]))
            .group_by(Pledge.campaign_id)
        ).all()
    )
    rows = []
    for c in campaigns:
        totals = ledger.totals_of(balances.get(c.id, {}))
        rows.append(
            {
                "id": c.id,
                "slug": c.slug,
                "call_id": c.call_id,
                "area_id": c.area_id,
                "title": c.title,
                "organisation": c.organisation,
                "state": c.state,
                "goal_cents": c.goal_cents,
                "city_match_cents": c.city_match_cents,
                "raised_cents": totals.raised,
                "matched_cents": totals.city_match,
                "backers": int(backers.get(c.id, 0)),
                "starts_at": _iso(c.starts_at),
                "ends_at": _iso(c.ends_at),
            }
        )
    return rows


# Grants ---------------------------------------------------------------------------------------


def _grants(session: Session, where: dict[str, Any], after: int, limit: int | None) -> list[Any]:
    from ..grants.models import GrantApplication
    from ..grants.ranking import AWARDED

    statement = select(GrantApplication).where(GrantApplication.state.in_(AWARDED))
    statement = _matching(
        statement, where, call=GrantApplication.call_id, area=GrantApplication.area_id
    )
    return [
        {
            "id": a.id,
            "call_id": a.call_id,
            "area_id": a.area_id,
            "protocol": a.protocol_number,
            "title": a.title,
            "beneficiary": a.organisation_name or a.group_name,
            "amount_cents": a.total_cents,
            "state": a.state,
        }
        for a in session.scalars(_page(statement, GrantApplication.id, after, limit))
    ]


# Execution of funded projects --------------------------------------------------------------


def _projects(session: Session, where: dict[str, Any], after: int, limit: int | None) -> list[Any]:
    from ..calls.models import Call
    from ..execution.models import Milestone, TrackedProject

    statement = (
        select(TrackedProject)
        .join(Call, Call.id == TrackedProject.call_id)
        .where(Call.published_at.is_not(None))
    )
    statement = _matching(
        statement,
        where,
        call=TrackedProject.call_id,
        area=TrackedProject.area_id,
        status=TrackedProject.status,
        source=TrackedProject.source,
    )
    projects = list(session.scalars(_page(statement, TrackedProject.id, after, limit)))
    ids = [p.id for p in projects]
    milestones: dict[int, list[int]] = {}
    if ids:
        for project_id, done, count in session.execute(
            select(Milestone.project_id, Milestone.done_on.is_not(None), func.count())
            .where(Milestone.project_id.in_(ids))
            .group_by(Milestone.project_id, Milestone.done_on.is_not(None))
        ):
            pair = milestones.setdefault(project_id, [0, 0])
            pair[0] += int(count)
            pair[1] += int(count) if done else 0
    return [
        {
            "id": p.id,
            "source": p.source,
            "source_id": p.source_id,
            "call_id": p.call_id,
            "area_id": p.area_id,
            "title": p.title,
            "status": p.status,
            "progress_percent": p.percent,
            "funded_cents": p.funded_cents,
            "committed_cents": p.committed_cents,
            "spent_cents": p.spent_cents,
            "milestones": milestones.get(p.id, [0, 0])[0],
            "milestones_reached": milestones.get(p.id, [0, 0])[1],
            "lat": p.lat,
            "lon": p.lon,
            "updated_at": _iso(p.updated_at),
        }
        for p in projects
    ]


_CALL = Filter("call", "integer", translatable("Only this call (its id)."))
_AREA = Filter("area", "integer", translatable("Only this Municipio (its id)."))
ID = Column("id", "integer", translatable("Identifier, stable."))
CALL_ID = Column("call_id", "integer", translatable("The call's id (see the calls dataset)."))
AREA_ID = Column("area_id", "integer", translatable("The Municipio's id."), nullable=True)

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "calls",
            translatable("Calls"),
            translatable(
                "Published calls: participatory budgets, calls for proposals, crowdfunding and "
                "grant calls."
            ),
            (
                ID,
                Column("slug", "string", translatable("The call's address on the site.")),
                Column("kind", "string", translatable("The kind of call.")),
                Column("title_it", "string", translatable("Title in Italian.")),
                Column("title_en", "string", translatable("Title in English.")),
                Column(
                    "total_budget_cents", "integer", translatable("Total budget, in euro cents.")
                ),
                Column(
                    "published_at", "date-time", translatable("When it was published (UTC)."), True
                ),
            ),
            (
                Filter("kind", "string", translatable("Only this kind of call.")),
                Filter("year", "integer", translatable("Only calls published in this year.")),
            ),
            _calls,
        ),
        Dataset(
            "proposals",
            translatable("Proposals"),
            translatable(
                "Proposals submitted by citizens, in a public state, with their supports."
            ),
            (
                ID,
                CALL_ID,
                Column("area_id", "integer", translatable("The Municipio's id.")),
                Column("theme_id", "integer", translatable("The theme's id.")),
                Column("title", "string", translatable("Title.")),
                Column(
                    "status",
                    "string",
                    translatable("submitted, in_review, feasible, not_feasible or withdrawn."),
                ),
                Column("cost_cents", "integer", translatable("Estimated cost, in euro cents.")),
                Column("supports", "integer", translatable("Number of supports.")),
                Column(
                    "lat", "number", translatable("Latitude (WGS84), if placed on the map."), True
                ),
                Column(
                    "lon", "number", translatable("Longitude (WGS84), if placed on the map."), True
                ),
                Column(
                    "submitted_at", "date-time", translatable("When it was submitted (UTC)."), True
                ),
            ),
            (
                _CALL,
                _AREA,
                Filter("status", "string", translatable("Only this status.")),
                Filter("theme", "integer", translatable("Only this theme (its id).")),
            ),
            _proposals,
        ),
        Dataset(
            "meetings",
            translatable("Meetings"),
            translatable("Presentation meetings and public hearings, published or cancelled."),
            (
                ID,
                Column("slug", "string", translatable("The meeting's address on the site.")),
                Column("kind", "string", translatable("presentation or hearing.")),
                Column("format", "string", translatable("in_person, online or hybrid.")),
                Column("status", "string", translatable("published or cancelled.")),
                Column("title", "string", translatable("Title.")),
                Column("call_id", "integer", translatable("The related call's id."), True),
                AREA_ID,
                Column("starts_at", "date-time", translatable("Start (UTC).")),
                Column("ends_at", "date-time", translatable("End (UTC).")),
                Column("venue", "string", translatable("Venue.")),
                Column("address", "string", translatable("Address.")),
                Column("capacity", "integer", translatable("Places (0: no registration limit).")),
            ),
            (_CALL, _AREA, Filter("kind", "string", translatable("Only this kind of meeting."))),
            _meetings,
        ),
        Dataset(
            "results",
            translatable("Results of the votes"),
            translatable(
                "Published results of participatory-budget votes, per call and Municipio."
            ),
            (
                ID,
                CALL_ID,
                Column("area_id", "integer", translatable("The Municipio's id.")),
                Column("rule", "string", translatable("The counting rule (greedy or mes).")),
                Column("budget_cents", "integer", translatable("The budget, in euro cents.")),
                Column("ballots", "integer", translatable("Ballots counted.")),
                Column("voters", "integer", translatable("Voters.")),
                Column(
                    "electorate",
                    "integer",
                    translatable(
                        "Census residents of the Municipio old enough to vote on the vote's first "
                        "day, counted with the tally (turnout = voters / electorate); null where "
                        "there was no census."
                    ),
                    nullable=True,
                ),
                Column("winners", "array", translatable("Ids of the winning proposals, in order.")),
                Column(
                    "published_at",
                    "date-time",
                    translatable("When the result was published (UTC)."),
                ),
            ),
            (_CALL, _AREA),
            _results,
        ),
        Dataset(
            "campaigns",
            translatable("Civic crowdfunding campaigns"),
            translatable(
                "Civic crowdfunding campaigns once open: goal, city match and totals (no backer "
                "is named)."
            ),
            (
                ID,
                Column("slug", "string", translatable("The campaign's address on the site.")),
                CALL_ID,
                AREA_ID,
                Column("title", "string", translatable("Title.")),
                Column("organisation", "string", translatable("The lead organisation.")),
                Column(
                    "state", "string", translatable("live, charging, grace, succeeded or failed.")
                ),
                Column("goal_cents", "integer", translatable("The citizens' goal, in euro cents.")),
                Column(
                    "city_match_cents",
                    "integer",
                    translatable("The city's match if the goal is met."),
                ),
                Column(
                    "raised_cents",
                    "integer",
                    translatable("Pledged and charged so far, in euro cents."),
                ),
                Column(
                    "matched_cents",
                    "integer",
                    translatable("The city's match recorded, in euro cents."),
                ),
                Column(
                    "backers", "integer", translatable("Backers with an active or charged pledge.")
                ),
                Column("starts_at", "date-time", translatable("Opening (UTC).")),
                Column("ends_at", "date-time", translatable("Deadline (UTC).")),
            ),
            (
                _CALL,
                _AREA,
                Filter("state", "string", translatable("Only campaigns in this state.")),
            ),
            _campaigns,
        ),
        Dataset(
            "grants",
            translatable("Grants awarded"),
            translatable(
                "Grants awarded (La Scuola dei Quartieri and other grant calls): beneficiary, "
                "amount and call."
            ),
            (
                ID,
                CALL_ID,
                AREA_ID,
                Column(
                    "protocol", "string", translatable("Protocol number of the application."), True
                ),
                Column("title", "string", translatable("The project's title.")),
                Column("beneficiary", "string", translatable("The group or organisation funded.")),
                Column("amount_cents", "integer", translatable("The grant, in euro cents.")),
                Column("state", "string", translatable("funded, agreement, reporting or closed.")),
            ),
            (_CALL, _AREA),
            _grants,
        ),
        Dataset(
            "projects",
            translatable("Funded projects and their execution"),
            translatable(
                "Every funded project (vote winner, successful campaign, grant) and the state of "
                "its execution: status, progress, money committed and spent, milestones."
            ),
            (
                ID,
                Column(
                    "source", "string", translatable("budget (vote winner), campaign or grant.")
                ),
                Column(
                    "source_id",
                    "integer",
                    translatable("The proposal, campaign or grant application."),
                ),
                CALL_ID,
                AREA_ID,
                Column("title", "string", translatable("Title.")),
                Column(
                    "status",
                    "string",
                    translatable("planned, in_progress, completed or cancelled."),
                ),
                Column("progress_percent", "integer", translatable("Progress, 0 to 100.")),
                Column(
                    "funded_cents", "integer", translatable("What the funding decision allocated.")
                ),
                Column(
                    "committed_cents",
                    "integer",
                    translatable("Money committed so far, in euro cents."),
                ),
                Column(
                    "spent_cents", "integer", translatable("Money spent so far, in euro cents.")
                ),
                Column("milestones", "integer", translatable("Milestones set.")),
                Column("milestones_reached", "integer", translatable("Milestones reached.")),
                Column(
                    "lat", "number", translatable("Latitude (WGS84), if placed on the map."), True
                ),
                Column(
                    "lon", "number", translatable("Longitude (WGS84), if placed on the map."), True
                ),
                Column("updated_at", "date-time", translatable("Last change (UTC).")),
            ),
            (
                _CALL,
                _AREA,
                Filter("status", "string", translatable("Only projects in this status.")),
                Filter("source", "string", translatable("Only projects funded this way.")),
            ),
            _projects,
        ),
    )
}


def parse_filters(dataset: Dataset, args: Any) -> dict[str, Any]:
    """The filters asked for in a query string; ValueError names a bad one."""
    found: dict[str, Any] = {}
    for item in dataset.filters:
        raw = args.get(item.name)
        if raw is None or raw == "":
            continue
        if item.type == "integer":
            if not raw.isdigit() or len(raw) > 9:
                raise ValueError(item.name)
            found[item.name] = int(raw)
        else:
            if len(raw) > 40 or "\x00" in raw:
                raise ValueError(item.name)
            found[item.name] = raw
    return found
