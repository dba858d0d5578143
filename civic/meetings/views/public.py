"""Meeting pages for everyone: the list, a meeting, its minutes and calendars."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ...calls import queries as call_queries
from ...core.db import get_session
from ...core.links import public_url
from ...core.time import utcnow
from ...places.queries import list_municipi
from .. import calendar, permissions, queries, services
from ..domain import MeetingStatus, contributions_open
from ..forms import ContributionForm, SpeakerForm
from . import _labels, _meeting_or_404, bp
from .participant import _registration_open


@bp.route("/incontri")
def list_meetings() -> str:
    db, now = get_session(), utcnow()
    return render_template(
        "meetings/list_meetings.html",
        upcoming=queries.list_meetings(db, now=now, when="upcoming"),
        past=queries.list_meetings(db, now=now, when="past"),
        can_manage=permissions.can_manage_meetings(current_user),
        **_labels(),
    )


@bp.route("/incontri/<slug>")
def show_meeting(slug: str) -> str:
    db, now = get_session(), utcnow()
    meeting = _meeting_or_404(slug)
    registration = queries.registration_of(db, meeting, current_user)
    call = call_queries.get_call(db, meeting.call_id) if meeting.call_id else None
    area = next((a for a in list_municipi(db) if a.id == meeting.area_id), None)
    speaker_form = SpeakerForm()
    speaker_form.item_id.choices = [SelectChoice(i.id, i.title) for i in meeting.agenda]
    minutes = queries.minutes_revisions(db, meeting)
    return render_template(
        "meetings/show_meeting.html",
        meeting=meeting,
        call=call,
        area=area,
        registration=registration,
        places=queries.places(db, meeting),
        group_taken=queries.group_places(db, meeting),
        counts=queries.counts(db, meeting),
        running_order=queries.running_order(db, meeting),
        my_requests=queries.my_speaker_requests(db, meeting, current_user),
        contributions=queries.contributions(db, meeting),
        attendees=queries.public_attendees(db, meeting),
        minutes=minutes[0] if minutes else None,
        linked=queries.linked_proposal_ids(db, meeting),
        speaker_form=speaker_form,
        contribution_form=ContributionForm(),
        registration_open=_registration_open(meeting, now),
        contributions_open=contributions_open(
            published=meeting.status == MeetingStatus.PUBLISHED.value,
            ends_at=meeting.ends_at,
            days_after=meeting.contribution_days,
            now=now,
        ),
        contributions_until=meeting.ends_at + timedelta(days=meeting.contribution_days),
        speaking_open=meeting.status == MeetingStatus.PUBLISHED.value and now < meeting.ends_at,
        is_over=now >= meeting.ends_at,
        can_manage=permissions.can_manage_meetings(current_user),
        tile_url=current_app.config["MAP_TILE_URL"],
        **_labels(),
    )


@bp.route("/incontri/<slug>/verbale")
def minutes_history(slug: str) -> str:
    meeting = _meeting_or_404(slug)
    return render_template(
        "meetings/minutes_history.html",
        meeting=meeting,
        revisions=queries.minutes_revisions(get_session(), meeting),
    )


def _ics_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.route("/incontri/<slug>/calendario.ics")
def meeting_ics(slug: str) -> Response:
    meeting = _meeting_or_404(slug)
    return _ics_response(services.ics_for(meeting, meeting.updated_at), f"{meeting.slug}.ics")


def _feed(meetings: Any, name: str, filename: str) -> Response:
    host = urlsplit(public_url()).hostname or "civic"
    entries = [(m, url_for("meetings.show_meeting", slug=m.slug, _external=True)) for m in meetings]
    stamp = max((m.updated_at for m in meetings), default=utcnow())
    return _ics_response(calendar.feed_ics(name, entries, host, stamp), filename)


@bp.route("/incontri/calendario.ics")
def feed_all() -> Response:
    meetings = queries.list_meetings(get_session(), now=utcnow(), when="all")
    return _feed(meetings, _("Meetings"), "incontri.ics")


@bp.route("/bandi/<slug>/incontri.ics")
def feed_call(slug: str) -> Response:
    db = get_session()
    call = call_queries.get_call_by_slug(db, slug)
    if call is None or call.published_at is None:
        abort(404)
    meetings = queries.list_meetings(db, now=utcnow(), when="all", call_id=call.id)
    return _feed(meetings, call.title_it, f"{call.slug}-incontri.ics")
