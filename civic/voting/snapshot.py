"""What a ballot needs to know of its call, read once per process and reused while it holds.

On voting day every ballot page and every cast needs the same facts: the call's phases, its
areas and budgets, the vote's rules and the projects on each ballot. Reading them with the ORM
took six queries a request. Here they are read once into frozen values and kept per process,
keyed by the call's address; each request checks them with one cheap query of the call's
``revision`` stamp, which changes (to a new random value, so a stamp is never reused, not even
after a rolled-back transaction) in the same transaction as any change to the call, its phases,
areas, vote settings, the Municipi, or a proposal's ballot-facing fields. A stale copy can
therefore never be used: whoever reads a new stamp rebuilds the snapshot from the database.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from ..calls.domain import PhaseKind, Window
from ..calls.models import Call, CallArea, CallPhase
from ..places.models import Area, area_label
from ..proposals.models import Proposal
from .models import ElectionKey, VoteSettings

CACHE_SIZE = 64


def new_revision() -> str:
    """A fresh stamp for a call's revision column."""
    return secrets.token_hex(8)


@dataclass(frozen=True)
class Rules:
    """The vote's settings, as fixed values (the same names as VoteSettings)."""

    ballot_kind: str
    min_choices: int
    max_choices: int
    points: int
    max_ranked: int
    extra_areas: int
    min_age: int
    allow_self_declared: bool
    rule: str
    secrecy: str = "server"
    min_score: int = 0
    reserve_percent: int = 0


@dataclass(frozen=True)
class BallotProject:
    id: int
    title: str
    cost_cents: int


@dataclass(frozen=True)
class BallotArea:
    """An area of the call: its budget, its name and the feasible projects, by title."""

    area_id: int
    budget_cents: int
    label: str
    projects: tuple[BallotProject, ...]

    def costs(self) -> dict[int, int]:
        """Project id -> cost in cents, in id order (what the ballot rules check against)."""
        return {p.id: p.cost_cents for p in sorted(self.projects, key=lambda p: p.id)}


@dataclass(frozen=True)
class VotingCall:
    """A call as its ballots see it."""

    id: int
    slug: str
    title_it: str
    title_en: str
    published: bool
    revision: str
    windows: tuple[Window, ...]
    settings: Rules | None
    areas: tuple[BallotArea, ...]
    public_key: bytes | None = None  # what ballots are sealed to; None: no key yet

    def ballot_size(self) -> int:
        """The one size every sealed ballot of this call is padded to."""
        from .sealing import padded_size

        return padded_size(max((len(a.projects) for a in self.areas), default=1))

    def title(self, language: str) -> str:
        return (self.title_en or self.title_it) if language == "en" else self.title_it

    def area(self, area_id: int) -> BallotArea | None:
        return next((a for a in self.areas if a.area_id == area_id), None)

    def voting_windows(self) -> list[Window]:
        return [w for w in self.windows if w.kind is PhaseKind.VOTING]


_cache: dict[str, VotingCall] = {}
_STAMP = select(Call.id, Call.revision).where(Call.slug == bindparam("slug"))
_lock = threading.Lock()


def build(session: Session, call_id: int) -> VotingCall | None:
    """The snapshot of one call, read now from the database (in the caller's transaction)."""
    row = session.execute(
        select(
            Call.id, Call.slug, Call.title_it, Call.title_en, Call.published_at, Call.revision
        ).where(Call.id == call_id)
    ).one_or_none()
    if row is None:
        return None
    windows = tuple(
        Window(PhaseKind(kind), starts, ends)
        for kind, starts, ends in session.execute(
            select(CallPhase.kind, CallPhase.starts_at, CallPhase.ends_at)
            .where(CallPhase.call_id == call_id)
            .order_by(CallPhase.starts_at)
        )
    )
    stored = session.scalar(
        select(VoteSettings)
        .where(VoteSettings.call_id == call_id)
        .execution_options(populate_existing=True)
    )
    rules = (
        Rules(
            stored.ballot_kind,
            stored.min_choices,
            stored.max_choices,
            stored.points,
            stored.max_ranked,
            stored.extra_areas,
            stored.min_age,
            stored.allow_self_declared,
            stored.rule,
            stored.secrecy,
            stored.min_score,
            stored.reserve_percent,
        )
        if stored is not None
        else None
    )
    projects: dict[int, list[BallotProject]] = {}
    for pid, area_id, title, cost in session.execute(
        select(Proposal.id, Proposal.area_id, Proposal.title, Proposal.cost_cents)
        .where(Proposal.call_id == call_id, Proposal.status == "feasible")
        .order_by(Proposal.title, Proposal.id)
    ):
        projects.setdefault(area_id, []).append(BallotProject(pid, title, cost))
    areas = tuple(
        BallotArea(
            area_id, budget, area_label(kind, number, name), tuple(projects.get(area_id, []))
        )
        for area_id, budget, kind, number, name in session.execute(
            select(CallArea.area_id, CallArea.budget_cents, Area.kind, Area.number, Area.name)
            .join(Area, Area.id == CallArea.area_id)
            .where(CallArea.call_id == call_id)
            .order_by(CallArea.area_id)
        )
    )
    public_key = session.scalar(
        select(ElectionKey.public_key)
        .where(ElectionKey.call_id == call_id)
        .execution_options(populate_existing=True)
    )
    return VotingCall(
        public_key=public_key,
        id=row.id,
        slug=row.slug,
        title_it=row.title_it,
        title_en=row.title_en,
        published=row.published_at is not None,
        revision=row.revision,
        windows=windows,
        settings=rules,
        areas=areas,
    )


def voting_call(session: Session, slug: str) -> VotingCall | None:
    """The call at this address as its ballots see it: the kept copy if its stamp is still the
    database's (one query), else a fresh one."""
    # Core on the session's connection, a statement built once: building and the ORM's result
    # machinery cost more than the query itself.
    row = session.connection().execute(_STAMP, {"slug": slug}).one_or_none()
    if row is None:
        return None
    kept = _cache.get(slug)
    if kept is not None and kept.id == row.id and kept.revision == row.revision:
        return kept
    fresh = build(session, row.id)
    if fresh is not None and fresh.revision == row.revision:
        with _lock:
            if len(_cache) >= CACHE_SIZE:
                _cache.clear()
            _cache[slug] = fresh
    return fresh


def of(session: Session, call: Call | VotingCall) -> VotingCall:
    """A snapshot for a call given either way (staff pages and tests hold ORM calls)."""
    if isinstance(call, VotingCall):
        return call
    session.flush()
    made = build(session, call.id)
    if made is None:
        raise LookupError(call.id)
    return made


def forget() -> None:
    """Drop every kept copy (tests that rebuild the schema)."""
    with _lock:
        _cache.clear()


# What a ballot shows of a proposal: a change to these moves the call's stamp.
_PROPOSAL_FIELDS = ("status", "cost_cents", "title", "area_id", "call_id")


def _touched_calls(session: Session) -> tuple[set[int], bool]:
    """The calls whose snapshot this flush changes, and whether it changes every call's."""
    from sqlalchemy import inspect

    calls: set[int] = set()
    everything = False
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Call):
            calls.add(obj.id)
        elif isinstance(obj, (CallArea, CallPhase, VoteSettings, ElectionKey)):
            calls.add(obj.call_id)
        elif isinstance(obj, Area):
            everything = everything or obj not in session.new
        elif isinstance(obj, Proposal):
            state = inspect(obj)
            if obj in session.new:
                if obj.status == "feasible":
                    calls.add(obj.call_id)
                continue
            if obj in session.deleted or any(
                state.attrs[name].history.has_changes() for name in _PROPOSAL_FIELDS
            ):
                calls.add(obj.call_id)
                old_call = state.attrs["call_id"].history.deleted
                calls.update(c for c in old_call if c is not None)
    return calls, everything


def _after_flush(session: Session, _context: Any) -> None:
    calls, everything = _touched_calls(session)
    if not calls and not everything:
        return
    statement = update(Call).values(revision=new_revision())
    if not everything:
        statement = statement.where(Call.id.in_(sorted(c for c in calls if c is not None)))
    session.connection().execute(statement)


_TRACKED = (Call, CallArea, CallPhase, VoteSettings, ElectionKey, Proposal, Area)


def _on_execute(state: ORMExecuteState) -> None:
    """A bulk INSERT, UPDATE or DELETE of what a ballot shows (rare: staff replacing a call's
    phases, an import) moves every call's stamp, since which calls it touches is not known."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, _TRACKED):
        state.session.connection().execute(update(Call).values(revision=new_revision()))


def install() -> None:
    """Move the stamps on every session's flushes and bulk statements (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
