"""Reads of calls, with their collections loaded explicitly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..core.time import to_rome
from .domain import Window
from .models import Call, CallPhase, Theme


def _with_collections() -> tuple[Any, ...]:
    return (
        selectinload(Call.themes),
        selectinload(Call.areas),
        selectinload(Call.phases),
        selectinload(Call.documents),
    )


def get_call(session: Session, call_id: int) -> Call | None:
    """A call with its themes, areas, phases and documents."""
    return session.scalar(
        select(Call)
        .where(Call.id == call_id)
        .options(*_with_collections())
        .execution_options(populate_existing=True)
    )


def get_call_by_slug(session: Session, slug: str) -> Call | None:
    """A call by its address, with its collections."""
    return session.scalar(
        select(Call)
        .where(Call.slug == slug)
        .options(*_with_collections())
        .execution_options(populate_existing=True)
    )


def list_calls(session: Session, include_drafts: bool = False) -> list[Call]:
    """Calls, newest first, with phases and themes (for the status and the cards)."""
    statement = (
        select(Call)
        .options(selectinload(Call.phases), selectinload(Call.themes))
        .order_by(Call.created_at.desc(), Call.id.desc())
    )
    if not include_drafts:
        statement = statement.where(Call.published_at.is_not(None))
    return list(session.scalars(statement))


def list_themes(session: Session) -> list[Theme]:
    """Every theme, in the order they were loaded."""
    return list(session.scalars(select(Theme).order_by(Theme.id)))


def windows_of(call: Call) -> list[Window]:
    """The call's phases as pure windows (the phases must be loaded)."""
    from .domain import PhaseKind

    return [Window(PhaseKind(p.kind), p.starts_at, p.ends_at) for p in call.phases]


def call_in_use(session: Session, call_id: int) -> bool:
    """Whether anything uses the call (a proposal, say): its rules are then frozen. The
    features that use calls say what counts (``sections.add_use``)."""
    from .sections import in_use

    return in_use(session, call_id)


def get_phase(session: Session, call_id: int, kind: str) -> CallPhase | None:
    return session.scalar(
        select(CallPhase).where(CallPhase.call_id == call_id, CallPhase.kind == kind)
    )


def published_years(session: Session) -> list[int]:
    """The years (on Rome's calendar, by publication) that have published calls, latest first."""
    moments = session.scalars(select(Call.published_at).where(Call.published_at.is_not(None))).all()
    return sorted({to_rome(m).year for m in moments if m is not None}, reverse=True)
