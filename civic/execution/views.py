"""Execution tracking pages: the public list and project page, following; the staff screens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from flask import (
    Blueprint,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..calls.queries import list_themes, published_years
from ..core.actions import describe, run
from ..core.db import get_session
from ..core.money import parse_eur
from ..core.scope import Scope
from ..core.time import utcnow
from ..core.uploads import stored_path
from ..core.web import page_arg, require, signed_in
from ..places.queries import list_municipi
from . import permissions, queries, services
from .domain import ExecutionRefused, Progress, Source, Status
from .forms import PHOTO_SLOTS, MilestoneDoneForm, MilestoneForm, ProgressForm
from .labels import SOURCE_LABELS, STATUS_LABELS
from .models import TrackedProject

bp = Blueprint("execution", __name__)


@describe(ExecutionRefused)
def _words(refused: ExecutionRefused) -> str:
    return refusal_message(refused.code)


def refusal_message(code: str) -> str:
    messages = {
        "status_move": _("A completed or cancelled project cannot change status."),
        "percent_range": _("Progress goes from 0 to 100%."),
        "amount_range": _("Write an amount between zero and one billion euro."),
        "spent_over_committed": _("Money spent cannot be more than money committed."),
        "completed_not_full": _("A completed project is at 100%."),
        "planned_has_progress": _("A planned project has not started: its progress is 0%."),
        "nothing_changed": _(
            "Nothing to publish: change a figure, write an update or add a photo."
        ),
        "body_length": _("Write an update of up to 5,000 characters."),
        "too_many_photos": _("Add up to six photos per update."),
        "photo_description": _("Describe each photo for people who cannot see it."),
        "milestone_title": _("Give the milestone a title of up to 200 characters."),
        "milestone_date": _("Give the milestone's date."),
        "unknown_milestone": _("This milestone does not exist."),
        "milestone_done": _("This milestone has already been reached."),
        "unknown_project": _("This project does not exist."),
        "email_needed": _("Add an e-mail address to your account to follow a project."),
        "not_image": _("A photo must be a JPEG, PNG or WebP image."),
        "too_large": _("A photo can be up to 5 MB."),
        "empty": _("A photo file is empty."),
    }
    return str(messages.get(code, _("This is not possible.")))


def _labels() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS, "source_labels": SOURCE_LABELS}


def _project_or_404(project_id: int) -> TrackedProject:
    project = queries.get_project(get_session(), project_id)
    if project is None:
        abort(404)
    return project


# Public ---------------------------------------------------------------------------------------


def _choice(name: str, allowed: type[Status] | type[Source]) -> str | None:
    value = request.args.get(name, "")
    return value if value in {s.value for s in allowed} else None


@bp.route("/progetti-finanziati")
def list_projects() -> str:
    db = get_session()
    scope = Scope.from_args(request.args)
    status, source = _choice("stato", Status), _choice("fonte", Source)
    page = queries.list_projects(db, scope, status=status, source=source, page=page_arg())
    filters = scope.args(stato=status, fonte=source)
    return render_template(
        "execution/list_projects.html",
        page=page,
        scope=scope,
        status=status,
        source=source,
        filters=filters,
        can_manage=permissions.can_manage_execution(current_user),
        years=published_years(db),
        municipi=list_municipi(db),
        themes=list_themes(db),
        map_json=json.dumps(queries.map_points(db, scope)),
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        cancelled=queries.cancelled_count(db, scope) if status is None else 0,
        **_labels(),
    )


@bp.route("/progetti-finanziati/<int:project_id>")
def show_project(project_id: int) -> str:
    db = get_session()
    project = _project_or_404(project_id)
    following = current_user.is_authenticated and queries.is_following(
        db, current_user.id, project.id
    )
    points = []
    if project.lat is not None and project.lon is not None:
        points = [queries.point(project.id, project.title, project.lat, project.lon)]
    return render_template(
        "execution/show_project.html",
        project=project,
        updates=queries.updates_of(db, project.id),
        following=following,
        followers=queries.followers_count(db, project.id),
        can_manage=permissions.can_manage_execution(current_user),
        source_url=_source_url(project),
        map_json=json.dumps(points),
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        **_labels(),
    )


def _source_url(project: TrackedProject) -> str | None:
    """Where the funding decision is published."""
    db = get_session()
    if project.source == Source.BUDGET.value:
        return url_for("proposals.show_proposal", proposal_id=project.source_id)
    if project.source == Source.CAMPAIGN.value:
        from ..crowdfunding.models import Campaign

        campaign = db.get(Campaign, project.source_id)
        return url_for("crowdfunding.show_campaign", slug=campaign.slug) if campaign else None
    from ..calls.models import Call

    call = db.get(Call, project.call_id)
    return url_for("grants.public_ranking", slug=call.slug) if call else None


@bp.route("/progetti-finanziati/foto/<name>")
def photo(name: str) -> ResponseReturnValue:
    db = get_session()
    found = queries.photo_named(db, name)
    if found is None:
        abort(404)
    try:
        path = stored_path(services.photo_folder(), found.stored_name)
    except FileNotFoundError:
        abort(404)
    if not Path(path).is_file():
        abort(404)
    response = send_file(path, mimetype=found.mimetype, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/progetti-finanziati/<int:project_id>/segui", methods=["POST"])
@require(signed_in)
def follow(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    return run(
        lambda db: services.follow(db, current_user, project, now=utcnow()),
        to=url_for("execution.show_project", project_id=project.id),
        done=lambda added: (
            (_("You follow this project: we will write to you at each change."), "success")
            if added
            else (_("You already follow this project."), "info")
        ),
    )


@bp.route("/progetti-finanziati/<int:project_id>/non-seguire", methods=["POST"])
@require(signed_in)
def unfollow(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    return run(
        lambda db: services.unfollow(db, current_user, project),
        to=url_for("execution.show_project", project_id=project.id),
        done=_("You no longer follow this project."),
    )


# Staff ----------------------------------------------------------------------------------------


@bp.route("/gestione/progetti-finanziati")
@require(permissions.can_manage_execution)
def manage_list() -> str:
    db = get_session()
    scope = Scope.from_args(request.args)
    page = queries.list_projects(db, scope, status=None, source=None, page=page_arg())
    return render_template("execution/manage_list.html", page=page, **_labels())


@bp.route("/gestione/progetti-finanziati/aggiorna", methods=["POST"])
@require(permissions.can_manage_execution)
def track_new() -> ResponseReturnValue:
    return run(
        lambda db: services.track_funded(db, now=utcnow(), actor=current_user),
        to=url_for("execution.manage_list"),
        done=lambda started: _("Projects funded and not yet tracked: %(n)s added.", n=started),
    )


@bp.route("/gestione/progetti-finanziati/<int:project_id>")
@require(permissions.can_manage_execution)
def manage_project(project_id: int) -> str:
    project = _project_or_404(project_id)
    return _manage_page(project, _progress_form(project), MilestoneForm())


def _progress_form(project: TrackedProject) -> ProgressForm:
    """The progress form filled with the project's current figures."""
    return ProgressForm(
        formdata=None,
        data={
            "status": project.status,
            "percent": project.percent,
            "committed": _eur_text(project.committed_cents),
            "spent": _eur_text(project.spent_cents),
        },
    )


def _eur_text(cents: int) -> str:
    whole, part = divmod(cents, 100)
    return f"{whole},{part:02d}"


def _manage_page(project: TrackedProject, form: ProgressForm, milestone_form: MilestoneForm) -> str:
    return render_template(
        "execution/manage_project.html",
        project=project,
        form=form,
        milestone_form=milestone_form,
        done_forms={m.id: MilestoneDoneForm(prefix=f"m{m.id}") for m in project.milestones},
        updates=queries.updates_of(get_session(), project.id),
        photo_slots=range(1, PHOTO_SLOTS + 1),
        **_labels(),
    )


def _photos(form: ProgressForm) -> list[tuple[IO[bytes], str]]:
    found = []
    for slot in range(1, PHOTO_SLOTS + 1):
        upload = getattr(form, f"photo_{slot}").data
        if upload and getattr(upload, "filename", ""):
            found.append((upload.stream, getattr(form, f"alt_{slot}").data or ""))
    return found


@bp.route("/gestione/progetti-finanziati/<int:project_id>/aggiornamento", methods=["POST"])
@require(permissions.can_manage_execution)
def post_update(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    form = ProgressForm()
    return run(
        lambda db: services.report(
            db,
            current_user,
            project.id,
            _progress(form),
            body=form.body.data or "",
            photos=_photos(form),
            now=utcnow(),
        ),
        form=form,
        # read again: the refused report may have touched the project before it was undone
        again=lambda: _manage_page(_project_or_404(project_id), form, MilestoneForm()),
        to=url_for("execution.manage_project", project_id=project_id),
        done=_("The update is public and followers have been told."),
    )


def _progress(form: ProgressForm) -> Progress:
    return Progress(
        Status(form.status.data),
        int(form.percent.data or 0),
        parse_eur(form.committed.data or "0", "it"),
        parse_eur(form.spent.data or "0", "it"),
    )


@bp.route("/gestione/progetti-finanziati/<int:project_id>/tappe", methods=["POST"])
@require(permissions.can_manage_execution)
def add_milestone(project_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    form = MilestoneForm()
    return run(
        lambda db: services.add_milestone(
            db, current_user, project.id, form.title.data or "", form.due_on.data, now=utcnow()
        ),
        form=form,
        again=lambda: _manage_page(project, _progress_form(project), form),
        fields={"milestone_title": "title", "milestone_date": "due_on"},
        to=url_for("execution.manage_project", project_id=project_id, _anchor="tappe"),
        done=_("Milestone added."),
    )


@bp.route(
    "/gestione/progetti-finanziati/<int:project_id>/tappe/<int:milestone_id>", methods=["POST"]
)
@require(permissions.can_manage_execution)
def complete_milestone(project_id: int, milestone_id: int) -> ResponseReturnValue:
    project = _project_or_404(project_id)
    form = MilestoneDoneForm(prefix=f"m{milestone_id}")
    return run(
        lambda db: services.complete_milestone(
            db, current_user, project.id, milestone_id, form.done_on.data, now=utcnow()
        ),
        form=form,
        invalid=_("Give the date the milestone was reached."),
        to=url_for("execution.manage_project", project_id=project.id, _anchor="tappe"),
        done=_("Milestone marked as reached."),
    )
