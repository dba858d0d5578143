"""The home page."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..calls import queries as call_queries
from ..calls.domain import card_moment
from ..core.db import get_session
from ..core.time import utcnow
from ..meetings.forms import FORMAT_LABELS, KIND_LABELS
from . import queries

bp = Blueprint("home", __name__)


@bp.route("/")
def show() -> str:
    now, db = utcnow(), get_session()
    calls = queries.open_calls(db, now)
    return render_template(
        "home/show.html",
        calls=calls,
        moments={call.id: card_moment(call_queries.windows_of(call), now) for call in calls},
        meetings=queries.next_meetings(db, now),
        results=queries.latest_results(db),
        kind_labels=KIND_LABELS,
        format_labels=FORMAT_LABELS,
    )
