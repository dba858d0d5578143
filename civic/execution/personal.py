"""A person's share of funded projects: the ones they follow. Erased with the account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..core import personal_data
from ..core.personal_data import Activity
from .models import ProjectFollower, TrackedProject


def _followed(user: Any) -> Any:
    return (
        select(ProjectFollower.created_at, TrackedProject)
        .join(TrackedProject, TrackedProject.id == ProjectFollower.project_id)
        .where(ProjectFollower.user_id == user.id)
        .order_by(ProjectFollower.created_at)
    )


def _export(session: Session, user: Any) -> dict[str, Any]:
    return {
        "follows": [
            {"project_id": project.id, "project": project.title, "since": since.isoformat()}
            for since, project in session.execute(_followed(user))
        ]
    }


def _erase(session: Session, user: Any, now: datetime) -> None:
    session.execute(delete(ProjectFollower).where(ProjectFollower.user_id == user.id))


def _activity(session: Session, user: Any) -> list[Activity]:
    return [
        Activity(
            "project_follow",
            project.title,
            since,
            "execution.show_project",
            (("project_id", project.id),),
        )
        for since, project in session.execute(_followed(user))
    ]


personal_data.register("funded_projects", _export, _erase, _activity)
