"""`/gestione`: the staff home; `/gestione/bandi`: every call, drafts included, by status."""

from __future__ import annotations

import functools
from typing import Any

from flask import current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from wtforms import SelectChoice

from ..calls import queries as call_queries
from ..calls.domain import CallStatus, call_status
from ..calls.permissions import can_manage_calls
from ..core.actions import describe, run
from ..core.db import get_session
from ..core.time import utcnow
from ..core.web import page_arg, require
from ..crowdfunding.states import CampaignState
from ..places import services as places
from ..places.domain import BoundaryProblem
from ..places.models import Area
from ..places.queries import list_municipi
from ..proposals.queries import open_flags
from ..voting.queries import calls_with_results_to_publish
from . import bp, queries
from .forms import MAX_UPLOAD, BoundaryForm

# A call's status as one word (the public list's headings are plural: "Open" calls).
STATUS_LABELS = {
    CallStatus.DRAFT: lazy_pgettext("call status", "Draft"),
    CallStatus.UPCOMING: lazy_pgettext("call status", "Upcoming"),
    CallStatus.OPEN: lazy_pgettext("call status", "Open"),
    CallStatus.CLOSED: lazy_pgettext("call status", "Closed"),
}
PROGRAMMES = {"grant": _l("Grant"), "crowdfunding": _l("Crowdfunding")}


@bp.route("/gestione")
@require(can_manage_calls)
def home() -> str:
    db, now = get_session(), utcnow()
    calls = call_queries.list_calls(db, include_drafts=True)
    to_publish = set(calls_with_results_to_publish(db))
    return render_template(
        "backoffice/home.html",
        calls_by_id={c.id: c for c in calls},
        waiting=queries.waiting(db, now),
        flags=len(open_flags(db)),
        drafts=[c for c in calls if c.published_at is None],
        results=[c for c in calls if c.id in to_publish],
        open_calls=[
            c
            for c in calls
            if call_status(c.published_at is not None, call_queries.windows_of(c), now)
            is CallStatus.OPEN
        ],
    )


@bp.route("/gestione/bandi")
@require(can_manage_calls)
def calls() -> str:
    db, now = get_session(), utcnow()
    wanted = request.args.get("stato", "")
    rows = []
    for call in call_queries.list_calls(db, include_drafts=True):
        status = call_status(call.published_at is not None, call_queries.windows_of(call), now)
        if wanted in ("", status.value):
            rows.append((call, status))
    return render_template(
        "backoffice/calls.html",
        rows=rows,
        wanted=wanted,
        statuses=STATUS_LABELS,
    )


@bp.route("/gestione/campagne")
@require(can_manage_calls)
def campaigns() -> str:
    wanted = request.args.get("stato", "")
    state = wanted if wanted in {s.value for s in CampaignState} else None
    page = queries.campaigns(get_session(), state, page_arg())
    return render_template(
        "backoffice/campaigns.html", page=page, wanted=state or "", states=list(CampaignState)
    )


@bp.route("/gestione/domande")
@require(can_manage_calls)
def applications() -> str:
    db = get_session()
    programme = request.args.get("programma", "")
    programme = programme if programme in PROGRAMMES else ""
    state = request.args.get("stato", "")[:40]
    rows = queries.applications(db, programme or None, state or None)
    calls = {c.id: c for c in call_queries.list_calls(db, include_drafts=True)}
    return render_template(
        "backoffice/applications.html",
        rows=rows,
        calls=calls,
        programme=programme,
        programmes=PROGRAMMES,
        state=state,
    )


BOUNDARY_PROBLEMS = {
    "not_json": _l("This is not GeoJSON: the file could not be read as JSON."),
    "one_feature": _l("The collection must hold exactly one feature: the area's outline."),
    "not_polygon": _l("The outline must be a Polygon or a MultiPolygon."),
    "too_many_points": _l("The outline has too many points; simplify it first."),
    "not_degrees": _l("The coordinates must be longitude and latitude in degrees (WGS84)."),
    "outside_city": _l("The outline lies outside the city."),
}


@describe(BoundaryProblem)
def _boundary_words(refused: BoundaryProblem) -> str:
    if refused.code == "invalid":
        return str(_("The outline is not a valid area (%(why)s).", why=refused.params["detail"]))
    return str(BOUNDARY_PROBLEMS.get(refused.code, _l("This outline cannot be used.")))


@bp.route("/gestione/municipi", methods=["GET", "POST"])
@require(can_manage_calls)
def areas() -> ResponseReturnValue:
    """Each Municipio's outline: uploaded as GeoJSON, then places given in it must lie inside."""
    db = get_session()
    municipi = list_municipi(db)
    form = BoundaryForm()
    form.area_id.choices = [SelectChoice(a.id, a.label) for a in municipi]
    page = functools.partial(render_template, "backoffice/areas.html", municipi=municipi, form=form)
    if request.method == "GET":
        return page()

    def save(session: Any) -> None:
        area = session.get(Area, form.area_id.data)
        if area is None:
            raise BoundaryProblem("not_polygon", field="area_id")
        upload = form.file.data
        text = upload.read(MAX_UPLOAD).decode("utf-8", "replace") if upload else form.text.data
        places.set_boundary(
            session,
            current_user.id,
            area,
            text or "",
            bounds=current_app.config["CITY_BOUNDS"],
            now=utcnow(),
        )

    return run(
        save,
        form=form,
        again=page,
        fields={"*": "text"},
        to=url_for("backoffice.areas"),
        done=_("The outline is saved."),
    )
