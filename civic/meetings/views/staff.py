"""Meeting pages for city staff: editing, the agenda, guests, speakers, minutes, the door."""

from __future__ import annotations

import functools
from datetime import datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ...calls import queries as call_queries
from ...core.actions import run
from ...core.db import get_session
from ...core.rows import edit_rows, fill, filled
from ...core.time import rome_to_utc, to_rome, utcnow
from ...core.web import require
from ...places import address_search
from ...places.queries import list_municipi
from .. import permissions, queries, services
from ..domain import MeetingFormat, MeetingKind, RegistrationMode
from ..forms import (
    AgendaForm,
    CancelMeetingForm,
    CheckInForm,
    GroupForm,
    GuestForm,
    MeetingForm,
    MinutesForm,
    ReportForm,
    SpeakerDecisionForm,
)
from ..models import Meeting
from . import _labels, _staff_meeting, bp, refusal_message


@bp.route("/gestione/incontri")
@require(permissions.can_manage_meetings)
def manage_list() -> str:
    meetings = queries.list_meetings(get_session(), now=utcnow(), when="all", include_drafts=True)
    return render_template("meetings/manage_list.html", meetings=meetings, **_labels())


def _meeting_form(meeting: Meeting | None = None) -> MeetingForm:
    db = get_session()
    form = MeetingForm(obj=meeting) if meeting is not None else MeetingForm()
    form.call_id.choices = [SelectChoice(0, _("None: a standalone meeting"))] + [
        SelectChoice(c.id, c.title_it) for c in call_queries.list_calls(db, include_drafts=True)
    ]
    form.area_id.choices = [SelectChoice(0, _("Whole city"))] + [
        SelectChoice(a.id, a.label) for a in list_municipi(db)
    ]
    if meeting is not None and request.method == "GET":
        start, end = to_rome(meeting.starts_at), to_rome(meeting.ends_at)
        form.day.data, form.start.data, form.end.data = start.date(), start.time(), end.time()
        form.call_id.data = meeting.call_id or 0
        form.area_id.data = meeting.area_id or 0
        fill(form.questions, [{"question": q} for q in meeting.questions])
        form.accessibility.data = list(meeting.accessibility)
    return form


def _data(form: MeetingForm) -> services.MeetingData:
    starts = rome_to_utc(datetime.combine(form.day.data, form.start.data))
    ends = rome_to_utc(datetime.combine(form.day.data, form.end.data))
    return services.MeetingData(
        kind=MeetingKind(form.kind.data),
        format=MeetingFormat(form.format.data),
        title=form.title.data or "",
        description=form.description.data or "",
        call_id=form.call_id.data or None,
        area_id=form.area_id.data or None,
        starts_at=starts,
        ends_at=ends,
        venue=form.venue.data or "",
        address=form.address.data or "",
        lat=form.lat.data,
        lon=form.lon.data,
        online_url=form.online_url.data or "",
        accessibility=list(form.accessibility.data or []),
        registration=RegistrationMode(form.registration.data),
        external_url=form.external_url.data or "",
        capacity=form.capacity.data or 0,
        reserved_places=form.reserved_places.data or 0,
        questions=[row["question"] for row in filled(form.questions)],
        retention_days=form.retention_days.data or 0,
        contribution_days=form.contribution_days.data or 0,
        bounds=current_app.config["CITY_BOUNDS"],
    )


_FIELD_OF = {
    "ends_before_start": "end",
    "incomplete_location": "lat",
    "outside_city": "lat",
    "outside_area": "lat",
    "in_the_past": "start",
    "too_far": "start",
    "address_needed": "address",
    "link_needed": "online_url",
    "external_link_needed": "external_url",
    "capacity_needed": "capacity",
    "reserved_over_capacity": "reserved_places",
    "unknown_service": "accessibility",
}


def _save(form: MeetingForm, meeting: Meeting | None) -> ResponseReturnValue:
    """Create or update; a refusal goes beside its field on the form shown again."""
    page = functools.partial(
        render_template,
        "meetings/edit_meeting.html",
        form=form,
        meeting=meeting,
        find_address=address_search.available(),
    )
    if request.method == "GET" or edit_rows(form):
        return page()
    if request.form.get("action") == address_search.FIND:
        address_search.fill_in(form)
        return page()
    return run(
        lambda db: services.save_meeting(db, current_user, meeting, _data(form), now=utcnow()),
        form=form,
        again=page,
        fields={**_FIELD_OF, "*": "title"},
        to=lambda saved: url_for("meetings.manage_meeting", meeting_id=saved.id),
        done=_("Meeting saved."),
    )


@bp.route("/gestione/incontri/nuovo", methods=["GET", "POST"])
@require(permissions.can_manage_meetings)
def new_meeting() -> ResponseReturnValue:
    form = _meeting_form()
    if request.method == "GET" and request.args.get("bando", "").isdigit():
        form.call_id.data = int(request.args["bando"])
    return _save(form, None)


@bp.route("/gestione/incontri/<int:meeting_id>/modifica", methods=["GET", "POST"])
@require(permissions.can_manage_meetings)
def edit_meeting(meeting_id: int) -> ResponseReturnValue:
    meeting = _staff_meeting(meeting_id)
    return _save(_meeting_form(meeting), meeting)


@bp.route("/gestione/incontri/<int:meeting_id>")
@require(permissions.can_manage_meetings)
def manage_meeting(meeting_id: int) -> str:
    db = get_session()
    meeting = _staff_meeting(meeting_id)
    minutes = queries.minutes_revisions(db, meeting)
    minutes_form = MinutesForm(data={"body": minutes[0].body} if minutes else None)
    linked = queries.linked_proposal_ids(db, meeting)
    report_form = ReportForm(
        data={"body": meeting.report, "proposals": ", ".join(str(p) for p in linked)}
    )
    requests = queries.speaker_requests(db, meeting)
    return render_template(
        "meetings/manage_meeting.html",
        meeting=meeting,
        registrations=queries.registrations(db, meeting),
        counts=queries.counts(db, meeting),
        places=queries.places(db, meeting),
        requests=requests,
        items={i.id: i for i in meeting.agenda},
        decision_forms={r.id: SpeakerDecisionForm(obj=r, prefix=f"r{r.id}") for r in requests},
        group_form=GroupForm(),
        agenda_form=AgendaForm(),
        guest_form=GuestForm(),
        cancel_form=CancelMeetingForm(),
        minutes_form=minutes_form,
        report_form=report_form,
        is_over=utcnow() >= meeting.ends_at,
        **_labels(),
    )


def _back(meeting: Meeting, anchor: str | None = None) -> str:
    """The meeting's staff page, at the section an action belongs to."""
    return url_for("meetings.manage_meeting", meeting_id=meeting.id, _anchor=anchor)


@bp.route("/gestione/incontri/<int:meeting_id>/pubblica", methods=["POST"])
@require(permissions.can_manage_meetings)
def publish_meeting(meeting_id: int) -> ResponseReturnValue:
    meeting = _staff_meeting(meeting_id)
    return run(
        lambda db: services.publish_meeting(db, current_user, meeting, now=utcnow()),
        to=_back(meeting),
        done=_("The meeting is published."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/annulla", methods=["POST"])
@require(permissions.can_manage_meetings)
def cancel_meeting(meeting_id: int) -> ResponseReturnValue:
    meeting = _staff_meeting(meeting_id)
    form = CancelMeetingForm()
    return run(
        lambda db: services.cancel_meeting(
            db, current_user, meeting, form.reason.data or "", now=utcnow()
        ),
        form=form,
        to=_back(meeting),
        done=_("The meeting is cancelled and everyone registered has been told."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/gruppi", methods=["POST"])
@require(permissions.can_manage_meetings)
def add_group(meeting_id: int) -> ResponseReturnValue:
    meeting = _staff_meeting(meeting_id)
    form = GroupForm()
    return run(
        lambda db: services.add_group(
            db, current_user, meeting, form.title.data or "", form.capacity.data or 0, now=utcnow()
        ),
        form=form,
        to=_back(meeting, "groups"),
        done=_("Group added."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/agenda", methods=["POST"])
@require(permissions.can_manage_meetings)
def add_agenda_item(meeting_id: int) -> ResponseReturnValue:
    meeting = _staff_meeting(meeting_id)
    form = AgendaForm()
    day = to_rome(meeting.starts_at).date()
    return run(
        lambda db: services.add_agenda_item(
            db,
            current_user,
            meeting,
            starts_at=rome_to_utc(datetime.combine(day, form.start.data)),
            minutes=form.minutes.data or 0,
            title=form.title.data or "",
            speakers=form.speakers.data or "",
            now=utcnow(),
        ),
        form=form,
        to=_back(meeting, "agenda"),
        done=_("Agenda item added."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/ospiti", methods=["POST"])
@require(permissions.can_manage_meetings)
def add_guest(meeting_id: int) -> ResponseReturnValue:
    meeting = _staff_meeting(meeting_id)
    form = GuestForm()
    return run(
        lambda db: services.reserve_for_guest(
            db,
            current_user,
            meeting,
            form.email.data or "",
            organisation=form.organisation.data or "",
            now=utcnow(),
        ),
        form=form,
        to=_back(meeting, "registrations"),
        done=_("The guest has a reserved place."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/interventi/<int:request_id>", methods=["POST"])
@require(permissions.can_manage_meetings)
def decide_speaker(meeting_id: int, request_id: int) -> ResponseReturnValue:
    meeting = _staff_meeting(meeting_id)
    form = SpeakerDecisionForm(prefix=f"r{request_id}")
    return run(
        lambda db: services.decide_speaker(
            db,
            current_user,
            meeting,
            request_id,
            accept=form.decision.data == "accept",
            minutes=form.minutes.data,
            position=form.position.data,
            now=utcnow(),
        ),
        form=form,
        to=_back(meeting, "speakers"),
        done=_("Decision saved; the person has been told."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/verbale", methods=["POST"])
@require(permissions.can_manage_meetings)
def publish_minutes(meeting_id: int) -> ResponseReturnValue:
    meeting = _staff_meeting(meeting_id)
    form = MinutesForm()
    return run(
        lambda db: services.publish_minutes(
            db, current_user, meeting, form.body.data or "", form.note.data or "", now=utcnow()
        ),
        form=form,
        to=_back(meeting, "minutes"),
        done=_("Minutes published."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/resoconto", methods=["POST"])
@require(permissions.can_manage_meetings)
def publish_report(meeting_id: int) -> ResponseReturnValue:
    meeting = _staff_meeting(meeting_id)
    form = ReportForm()
    raw = [p.strip().lstrip("#") for p in (form.proposals.data or "").split(",") if p.strip()]
    if not all(p.isdigit() and len(p) < 10 for p in raw):
        flash(refusal_message("unknown_proposal"), "warning")
        return redirect(_back(meeting, "report"))
    return run(
        lambda db: services.publish_report(
            db, current_user, meeting, form.body.data or "", [int(p) for p in raw], now=utcnow()
        ),
        form=form,
        to=_back(meeting, "report"),
        done=_("Closing report published."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/accoglienza", methods=["GET", "POST"])
@require(permissions.can_manage_meetings)
def check_in(meeting_id: int) -> ResponseReturnValue:
    """The door: type or scan a code; made for a phone."""
    db = get_session()
    meeting = _staff_meeting(meeting_id)
    form = CheckInForm()
    if request.method == "GET" and request.args.get("codice"):
        form.code.data = request.args["codice"][:32]
    page = functools.partial(
        render_template,
        "meetings/check_in.html",
        meeting=meeting,
        form=form,
        counts=queries.counts(db, meeting),
    )
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.check_in(db, current_user, meeting, form.code.data or "", now=utcnow()),
        form=form,
        again=page,
        fields={"*": "code"},
        to=url_for("meetings.check_in", meeting_id=meeting.id),
        done=lambda checked: _("Welcome, %(name)s: checked in.", name=checked[1].display_name),
    )
