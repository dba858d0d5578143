"""Reading tracked projects: the public list (scope, status, source) and one project's page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..calls.models import Call
from ..core.pagination import Page, paginate
from ..core.scope import Scope
from .domain import Status
from .models import ProjectFollower, ProjectUpdate, TrackedProject, UpdatePhoto


def scoped(scope: Scope, statement: Any = None) -> Any:
    """Tracked projects of published calls within the scope. A project's theme is its own
    (a vote winner's proposal theme) or, for campaigns and grants, one of its call's themes."""
    if statement is None:
        statement = select(TrackedProject)
    statement = statement.join(Call, Call.id == TrackedProject.call_id).where(
        Call.published_at.is_not(None)
    )
    statement = scope.on_year(statement, Call.published_at)
    statement = scope.on_area(statement, TrackedProject.area_id)
    if scope.theme_id is not None:
        from ..calls.models import CallTheme

        statement = statement.where(
            or_(
                TrackedProject.theme_id == scope.theme_id,
                TrackedProject.theme_id.is_(None)
                & TrackedProject.call_id.in_(
                    select(CallTheme.call_id).where(CallTheme.theme_id == scope.theme_id)
                ),
            )
        )
    return statement


def list_projects(
    session: Session, scope: Scope, *, status: str | None, source: str | None, page: int
) -> Page[TrackedProject]:
    statement = scoped(scope)
    if status:
        statement = statement.where(TrackedProject.status == status)
    else:  # as the dashboard counts: cancelled or revoked projects are listed apart
        statement = statement.where(TrackedProject.status != Status.CANCELLED.value)
    if source:
        statement = statement.where(TrackedProject.source == source)
    return paginate(
        session, statement.order_by(TrackedProject.area_id, TrackedProject.id), page, per_page=25
    )


def cancelled_count(session: Session, scope: Scope) -> int:
    """How many projects in the scope were cancelled or revoked (listed apart)."""
    found = session.scalar(
        scoped(scope, select(func.count(TrackedProject.id))).where(
            TrackedProject.status == Status.CANCELLED.value
        )
    )
    return int(found or 0)


def map_points(session: Session, scope: Scope) -> list[dict[str, Any]]:
    rows = session.execute(
        scoped(
            scope,
            select(TrackedProject.id, TrackedProject.title, TrackedProject.lat, TrackedProject.lon),
        ).where(TrackedProject.lat.is_not(None), TrackedProject.lon.is_not(None))
    ).all()
    return [point(pid, title, lat, lon) for pid, title, lat, lon in rows]


def point(project_id: int, title: str, lat: float, lon: float) -> dict[str, Any]:
    """A funded project as the maps show it (static/js/map.js)."""
    return {
        "id": project_id,
        "title": title,
        "lat": lat,
        "lon": lon,
        "url": f"/progetti-finanziati/{project_id}",
    }


def get_project(session: Session, project_id: int) -> TrackedProject | None:
    return session.scalar(
        select(TrackedProject)
        .where(TrackedProject.id == project_id)
        .options(selectinload(TrackedProject.milestones))
    )


def updates_of(session: Session, project_id: int) -> list[ProjectUpdate]:
    return list(
        session.scalars(
            select(ProjectUpdate)
            .where(ProjectUpdate.project_id == project_id)
            .options(selectinload(ProjectUpdate.photos))
            .order_by(ProjectUpdate.created_at.desc(), ProjectUpdate.id.desc())
        )
    )


def is_following(session: Session, user_id: int, project_id: int) -> bool:
    return session.get(ProjectFollower, (user_id, project_id)) is not None


def followers_count(session: Session, project_id: int) -> int:
    return int(
        session.scalar(select(func.count()).where(ProjectFollower.project_id == project_id)) or 0
    )


def photo_named(session: Session, stored_name: str) -> UpdatePhoto | None:
    """An update's photo by the name it is stored under."""
    return session.scalar(select(UpdatePhoto).where(UpdatePhoto.stored_name == stored_name))
