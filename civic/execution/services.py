"""Execution tracking: projects start being tracked when they are funded; staff report progress,
milestones and updates; followers hear of each change by e-mail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..core import audit
from ..core.jobs import enqueue_after_commit
from ..core.mail import queue_email
from ..core.refusals import PermissionDenied
from ..core.time import utcnow
from ..core.uploads import UploadRefused, store_image
from . import personal as _personal  # noqa: F401 (registers the funded projects share of personal data)
from .domain import ExecutionRefused, Progress, Source, Status, changed_fields, check_milestone
from .domain import check_progress as check_progress_rules
from .labels import STATUS_LABELS
from .models import (
    FollowerNotice,
    Milestone,
    ProjectFollower,
    ProjectUpdate,
    TrackedProject,
    UpdatePhoto,
)
from .permissions import can_follow, can_manage_execution

MAX_PHOTOS = 6
MAX_UPDATE_CHARS = 5000


# Funded projects enter tracking ----------------------------------------------------------------


@dataclass(frozen=True)
class Funded:
    source: Source
    source_id: int
    call_id: int
    area_id: int | None
    theme_id: int | None
    title: str
    funded_cents: int
    lat: float | None = None
    lon: float | None = None


def _funded_decisions(session: Session, call_id: int | None) -> Iterable[Funded]:
    """Every funding decision on record: published vote winners, campaigns that met their goal,
    grants awarded."""
    from ..crowdfunding import ledger
    from ..crowdfunding.models import Campaign
    from ..grants.models import GrantApplication
    from ..grants.ranking import AWARDED
    from ..proposals.models import Proposal
    from ..voting.models import VoteResult

    results = select(VoteResult).where(VoteResult.published_at.is_not(None))
    campaigns = select(Campaign).where(Campaign.state == "succeeded")
    grants = select(GrantApplication).where(GrantApplication.state.in_(AWARDED))
    if call_id is not None:
        results = results.where(VoteResult.call_id == call_id)
        campaigns = campaigns.where(Campaign.call_id == call_id)
        grants = grants.where(GrantApplication.call_id == call_id)
    winners = [int(w) for r in session.scalars(results) for w in r.winners]
    if winners:
        for p in session.scalars(select(Proposal).where(Proposal.id.in_(winners))):
            yield Funded(
                Source.BUDGET,
                p.id,
                p.call_id,
                p.area_id,
                p.theme_id,
                p.title,
                p.cost_cents,
                p.lat,
                p.lon,
            )
    succeeded = list(session.scalars(campaigns))
    balances = ledger.balances(session, [c.id for c in succeeded]) if succeeded else {}
    for c in succeeded:
        totals = ledger.totals_of(balances.get(c.id, {}))
        yield Funded(
            Source.CAMPAIGN,
            c.id,
            c.call_id,
            c.area_id,
            None,
            c.title,
            totals.charged + totals.city_match,
        )
    for a in session.scalars(grants):
        yield Funded(Source.GRANT, a.id, a.call_id, a.area_id, None, a.title, a.total_cents)


def track_funded(
    session: Session, *, now: datetime, call_id: int | None = None, actor: User | None = None
) -> int:
    """Start tracking every funded project not yet tracked (all calls, or one); idempotent.
    Returns how many started. Called when results are published, a campaign succeeds or a
    grant ranking decides, so the public sees the project from the day it is funded."""
    known = {
        (source, source_id)
        for source, source_id in session.execute(
            select(TrackedProject.source, TrackedProject.source_id)
        )
    }
    started = 0
    for funded in _funded_decisions(session, call_id):
        if (funded.source.value, funded.source_id) in known:
            continue
        session.add(
            TrackedProject(
                source=funded.source.value,
                source_id=funded.source_id,
                call_id=funded.call_id,
                area_id=funded.area_id,
                theme_id=funded.theme_id,
                title=funded.title,
                funded_cents=funded.funded_cents,
                status=Status.PLANNED.value,
                percent=0,
                committed_cents=0,
                spent_cents=0,
                lat=funded.lat,
                lon=funded.lon,
                funded_at=now,
                updated_at=now,
            )
        )
        known.add((funded.source.value, funded.source_id))
        started += 1
    session.flush()
    if started:
        audit.record(
            session,
            actor_id=actor.id if actor is not None else None,
            action="execution.track",
            target_type="call" if call_id is not None else "site",
            target_id=call_id if call_id is not None else "all",
            now=now,
            after={"started": started},
        )
    return started


def funding_withdrawn(
    session: Session, source: Source, source_id: int, *, reason: str, now: datetime
) -> None:
    """The funding was revoked or renounced: a project not yet completed becomes cancelled, with
    the reason as its update (followers are told)."""
    project = session.scalar(
        select(TrackedProject)
        .where(TrackedProject.source == source.value, TrackedProject.source_id == source_id)
        .with_for_update()
    )
    if project is None or project.status in (Status.COMPLETED.value, Status.CANCELLED.value):
        return
    changes: dict[str, list[Any]] = {"status": [project.status, Status.CANCELLED.value]}
    project.status = Status.CANCELLED.value
    project.updated_at = now
    update = ProjectUpdate(project_id=project.id, body=reason, changes=changes, created_at=now)
    session.add(update)
    session.flush()
    _tell_followers(session, project, update)


# Staff report progress -------------------------------------------------------------------------


def progress_of(project: TrackedProject) -> Progress:
    return Progress(
        Status(project.status), project.percent, project.committed_cents, project.spent_cents
    )


def _locked(session: Session, project_id: int) -> TrackedProject:
    found = session.scalar(
        select(TrackedProject)
        .where(TrackedProject.id == project_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise ExecutionRefused("unknown_project")
    return found


def photo_folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "execution"


def report(
    session: Session,
    actor: User,
    project_id: int,
    after: Progress | None,
    *,
    body: str = "",
    photos: Iterable[tuple[IO[bytes], str]] = (),
    now: datetime,
) -> ProjectUpdate:
    """One public update: a change of progress, a text, photos (each with its description), or
    any of these together. Followers get an e-mail once the transaction commits."""
    if not can_manage_execution(actor):
        raise PermissionDenied()
    project = _locked(session, project_id)
    body = body.strip()
    photos = list(photos)
    if len(body) > MAX_UPDATE_CHARS:
        raise ExecutionRefused("body_length")
    if len(photos) > MAX_PHOTOS:
        raise ExecutionRefused("too_many_photos")
    if any(not alt.strip() or len(alt) > 300 for _, alt in photos):
        raise ExecutionRefused("photo_description")
    before = progress_of(project)
    changes: dict[str, list[Any]] = {}
    if after is not None and after != before:
        check_progress_rules(before, after)
        for name in changed_fields(before, after):
            old, new = getattr(before, name), getattr(after, name)
            changes[name] = [str(old), str(new)] if name == "status" else [old, new]
        project.status = after.status.value
        project.percent = after.percent
        project.committed_cents = after.committed_cents
        project.spent_cents = after.spent_cents
    if not changes and not body and not photos:
        raise ExecutionRefused("nothing_changed")
    update = ProjectUpdate(
        project_id=project.id, body=body, changes=changes, author_id=actor.id, created_at=now
    )
    session.add(update)
    session.flush()
    stored: list[Path] = []
    try:
        for stream, alt in photos:
            kept = store_image(stream, photo_folder())
            stored.append(photo_folder() / kept.stored_name)
            session.add(
                UpdatePhoto(
                    update_id=update.id,
                    stored_name=kept.stored_name,
                    mimetype=kept.mimetype,
                    size_bytes=kept.size_bytes,
                    alt=alt.strip(),
                )
            )
    except UploadRefused as refused:
        for path in stored:  # nothing half-kept: the update is refused whole
            path.unlink(missing_ok=True)
        raise ExecutionRefused(refused.code) from refused  # worded for photos
    project.updated_at = now
    audit.record(
        session,
        actor_id=actor.id,
        action="execution.update",
        target_type="tracked_project",
        target_id=project.id,
        now=now,
        before={k: v[0] for k, v in changes.items()} or None,
        after={**{k: v[1] for k, v in changes.items()}, "photos": len(photos)},
    )
    _tell_followers(session, project, update, photos=len(photos))
    return update


def add_milestone(
    session: Session,
    actor: User,
    project_id: int,
    title: str,
    due_on: date | None,
    *,
    now: datetime,
) -> Milestone:
    if not can_manage_execution(actor):
        raise PermissionDenied()
    project = _locked(session, project_id)
    check_milestone(title, due_on)
    assert due_on is not None
    milestone = Milestone(project_id=project.id, title=title.strip(), due_on=due_on)
    session.add(milestone)
    project.updated_at = now
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="execution.milestone.add",
        target_type="tracked_project",
        target_id=project.id,
        now=now,
        after={"milestone": milestone.id, "title": milestone.title, "due_on": due_on.isoformat()},
    )
    _tell_followers(session, project, None, milestone=milestone)
    return milestone


def complete_milestone(
    session: Session,
    actor: User,
    project_id: int,
    milestone_id: int,
    done_on: date | None,
    *,
    now: datetime,
) -> Milestone:
    if not can_manage_execution(actor):
        raise PermissionDenied()
    project = _locked(session, project_id)
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        raise ExecutionRefused("unknown_milestone")
    if milestone.done_on is not None:
        raise ExecutionRefused("milestone_done")
    if done_on is None:
        raise ExecutionRefused("milestone_date")
    milestone.done_on = done_on
    project.updated_at = now
    audit.record(
        session,
        actor_id=actor.id,
        action="execution.milestone.done",
        target_type="tracked_project",
        target_id=project.id,
        now=now,
        after={"milestone": milestone.id, "done_on": done_on.isoformat()},
    )
    _tell_followers(session, project, None, milestone=milestone)
    return milestone


# The public follows ----------------------------------------------------------------------------


def follow(session: Session, user: User, project: TrackedProject, *, now: datetime) -> bool:
    """Follow a project; False when already following (nothing changes)."""
    if not can_follow(user):
        raise ExecutionRefused("email_needed")
    if session.get(ProjectFollower, (user.id, project.id)) is not None:
        return False
    session.add(ProjectFollower(user_id=user.id, project_id=project.id, created_at=now))
    session.flush()
    return True


def unfollow(session: Session, user: User, project: TrackedProject) -> bool:
    found = session.get(ProjectFollower, (user.id, project.id))
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


# How many followers a request tells itself; a job tells the rest, as many per transaction.
FOLLOWERS_PER_BATCH = 200


def _tell_followers(
    session: Session,
    project: TrackedProject,
    update: ProjectUpdate | None,
    *,
    milestone: Milestone | None = None,
    photos: int = 0,
) -> None:
    """E-mail the project's followers about this change, in the caller's transaction (a
    rollback sends nothing). The first batch is told now; if there are more, a notice records
    where to resume and a job tells the rest after the commit, so a project with thousands of
    followers never makes a staff request slow."""
    told = tell_batch(session, project, update, milestone, photos, after=0)
    if len(told) < FOLLOWERS_PER_BATCH:
        return
    notice = FollowerNotice(
        project_id=project.id,
        update_id=update.id if update else None,
        milestone_id=milestone.id if milestone else None,
        photos=photos,
        told_up_to=told[-1],
        created_at=utcnow(),
    )
    session.add(notice)
    session.flush()
    from .tasks import tell_followers_job

    enqueue_after_commit(session, tell_followers_job, notice.id)


def tell_batch(
    session: Session,
    project: TrackedProject,
    update: ProjectUpdate | None,
    milestone: Milestone | None,
    photos: int,
    *,
    after: int,
) -> list[int]:
    """Queue the e-mail of the next followers (those with an id above ``after``, in id order,
    at most a batch); returns their ids."""
    followers = session.scalars(
        select(User)
        .join(ProjectFollower, ProjectFollower.user_id == User.id)
        .where(ProjectFollower.project_id == project.id, User.id > after)
        .order_by(User.id)
        .limit(FOLLOWERS_PER_BATCH)
    ).all()
    if not followers:
        return []
    project_url = url_for("execution.show_project", project_id=project.id, _external=True)
    for user in followers:
        if not user.email:
            continue
        queue_email(
            session,
            user.email,
            "project_update",
            user.language,
            user=user,
            project=project,
            update=update,
            milestone=milestone,
            photos=photos,
            status_labels=STATUS_LABELS,
            project_url=project_url,
        )
    return [user.id for user in followers]
