"""`/gestione`: the staff home; `/gestione/bandi`: every call, drafts included, by status."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from ..calls import queries as call_queries
from ..calls.domain import CallStatus, call_status
from ..calls.permissions import can_manage_calls
from ..core.db import get_session
from ..core.time import utcnow
from ..core.web import page_arg, require
from ..crowdfunding.states import CampaignState
from ..proposals.queries import open_flags
from ..voting.queries import calls_with_results_to_publish
from . import bp, queries

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
