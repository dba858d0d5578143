"""`/gestione`: the staff home; `/gestione/bandi`: every call, drafts included, by status."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from ..calls import queries as call_queries
from ..calls.domain import CallStatus, call_status
from ..calls.permissions import can_manage_calls
from ..core.db import get_session
from ..core.time import utcnow
from ..core.web import require
from ..proposals.queries import open_flags
from ..voting.queries import calls_with_results_to_publish
from . import bp, queries

STATUS_LABELS = {
    CallStatus.DRAFT: _l("Draft"),
    CallStatus.UPCOMING: _l("Upcoming"),
    CallStatus.OPEN: _l("Open"),
    CallStatus.CLOSED: _l("Closed"),
}


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
