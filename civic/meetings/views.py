"""Meeting pages: the public list and page, registration, calendars; the staff screens."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from ..accounts.services import PermissionDenied, get_user_by_email
from ..calls import queries as call_queries
from ..core.db import get_session
from ..core.time import rome_to_utc, to_rome, utcnow
from ..core.web import require, signed_in
from ..places.queries import list_municipi
from . import calendar, permissions, queries, services
from .domain import (
    MeetingFormat,
    MeetingKind,
    MeetingStatus,
    RegistrationMode,
    RegistrationStatus,
    contributions_open,
)
from .forms import (
    FORMAT_LABELS,
    KIND_LABELS,
    REGISTRATION_LABELS,
    SERVICE_LABELS,
    AgendaForm,
    CancelMeetingForm,
    CheckInForm,
    ContributionForm,
    GroupForm,
    GuestForm,
    MeetingForm,
    MinutesForm,
    ReportForm,
    SpeakerDecisionForm,
    SpeakerForm,
    registration_form,
)
from .models import Meeting

bp = Blueprint("meetings", __name__)


def refusal_message(code: str) -> str:
    """Each refusal in words the person can act on."""
    messages = {
        "ends_before_start": _("The meeting must end after it starts."),
        "address_needed": _("A meeting in person needs an address."),
        "link_needed": _("An online meeting needs the link to join."),
        "external_link_needed": _("Give the link of the site where people register."),
        "capacity_needed": _("Registration on this site needs at least one place."),
        "reserved_over_capacity": _("Reserved places cannot be more than all the places."),
        "unknown_service": _("Choose accessibility services from the list."),
        "not_draft": _("This meeting has already been published."),
        "not_cancellable": _("Only a published meeting that has not ended can be cancelled."),
        "reason_needed": _("Give a reason."),
        "group_invalid": _("A group needs a theme and at least one place."),
        "agenda_invalid": _("An agenda item needs a title and a length."),
        "agenda_outside_meeting": _("The item must fall within the meeting's times."),
        "not_open": _("This meeting is not taking registrations or requests now."),
        "no_registration_here": _("This meeting does not take registrations on this site."),
        "started": _("The meeting has already started."),
        "consent_needed": _("Please agree to the processing of your registration."),
        "group_needed": _("Choose a thematic group."),
        "already_registered": _("You are already registered for this meeting."),
        "no_reserved_place": _("All the reserved places are taken."),
        "not_registered": _("You are not registered for this meeting."),
        "unknown_code": _("No registration for this meeting has this code."),
        "on_waiting_list": _("This person is on the waiting list, without a place."),
        "registration_cancelled": _("This registration was cancelled."),
        "already_checked_in": _("This person has already been checked in."),
        "register_first": _("Only people with a confirmed place can ask to speak."),
        "unknown_item": _("Choose an item of the agenda."),
        "summary_length": _("Write a summary of up to 1,000 characters."),
        "already_requested": _("You have already asked to speak on this item."),
        "unknown_request": _("This request does not exist."),
        "minutes_needed": _("Give the minutes allotted (1 to 120)."),
        "position_invalid": _("The place in the running order must be 1 or more."),
        "contributions_closed": _("Written contributions for this meeting are closed."),
        "body_length": _("Write some text (up to the maximum length)."),
        "minutes_too_early": _("Minutes can be published once the meeting has started."),
        "edited_meanwhile": _("Someone published a revision meanwhile: please try again."),
        "report_too_early": _("The closing report can be published after the meeting."),
        "unknown_proposal": _("One of the proposal numbers does not exist."),
    }
    return str(messages.get(code, _("This is not possible.")))


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "format_labels": FORMAT_LABELS,
        "registration_labels": REGISTRATION_LABELS,
        "service_labels": SERVICE_LABELS,
    }


def _meeting_or_404(slug: str) -> Meeting:
    meeting = queries.get_meeting_by_slug(get_session(), slug)
    if meeting is None or not permissions.can_view_meeting(current_user, meeting):
        abort(404)
    return meeting


def _staff_meeting(meeting_id: int) -> Meeting:
    meeting = queries.get_meeting(get_session(), meeting_id)
    if meeting is None:
        abort(404)
    return meeting


# Public ---------------------------------------------------------------------------------------


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


def _registration_open(meeting: Meeting, now: datetime) -> bool:
    return (
        meeting.status == MeetingStatus.PUBLISHED.value
        and meeting.registration == RegistrationMode.PLATFORM.value
        and now < meeting.starts_at
    )


@bp.route("/incontri/<slug>/iscrizione", methods=["GET", "POST"])
@require(signed_in)
def register(slug: str) -> str | BaseResponse:
    db, now = get_session(), utcnow()
    meeting = _meeting_or_404(slug)
    existing = queries.registration_of(db, meeting, current_user)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED.value:
        return redirect(url_for("meetings.show_meeting", slug=slug))
    if not _registration_open(meeting, now):
        flash(refusal_message("not_open"), "warning")
        return redirect(url_for("meetings.show_meeting", slug=slug))
    groups = [(g.id, g.title) for g in meeting.groups]
    form = registration_form(meeting.questions, groups)
    if form.validate_on_submit():
        answers = [getattr(form, f"answer_{n}").data or "" for n in range(len(meeting.questions))]
        try:
            registration = services.register(
                db,
                current_user,
                meeting,
                now=now,
                consent=bool(form.consent.data),
                group_id=form.group_id.data if groups else None,
                organisation=form.organisation.data or "",
                needs=form.needs.data or "",
                answers=answers,
                public_attendance=bool(form.public_attendance.data),
            )
        except services.MeetingRefused as refused:
            db.rollback()
            target = form.group_id if groups and refused.code == "group_needed" else form.consent
            target.errors = [*target.errors, refusal_message(refused.code)]
        else:
            db.commit()
            if registration.status == RegistrationStatus.CONFIRMED.value:
                flash(
                    _("You are registered. We have sent you an e-mail with the details."), "success"
                )
            else:
                flash(
                    _(
                        "The meeting is full: you are on the waiting list. "
                        "We will write if a place frees up."
                    ),
                    "info",
                )
            return redirect(url_for("meetings.show_meeting", slug=slug))
    return render_template(
        "meetings/register.html", meeting=meeting, form=form, has_groups=bool(groups)
    )


@bp.route("/incontri/<slug>/iscrizione/annulla", methods=["POST"])
@require(signed_in)
def cancel_registration(slug: str) -> BaseResponse:
    db = get_session()
    meeting = _meeting_or_404(slug)
    try:
        services.cancel_registration(db, current_user, meeting, now=utcnow())
    except services.MeetingRefused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    else:
        db.commit()
        flash(_("Your registration has been cancelled."), "success")
    return redirect(url_for("meetings.show_meeting", slug=slug))


@bp.route("/incontri/<slug>/iscrizione/qr.svg")
@require(signed_in)
def registration_qr(slug: str) -> Response:
    """The QR code of one's own registration: it opens the check-in page for staff."""
    db = get_session()
    meeting = _meeting_or_404(slug)
    registration = queries.registration_of(db, meeting, current_user)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED.value:
        abort(404)
    target = url_for(
        "meetings.check_in", meeting_id=meeting.id, codice=registration.code, _external=True
    )
    buffer = io.BytesIO()
    segno.make(target, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/incontri/<slug>/interventi", methods=["POST"])
@require(signed_in)
def request_to_speak(slug: str) -> BaseResponse:
    db = get_session()
    meeting = _meeting_or_404(slug)
    form = SpeakerForm()
    form.item_id.choices = [SelectChoice(i.id, i.title) for i in meeting.agenda]
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "warning")
        return redirect(url_for("meetings.show_meeting", slug=slug, _anchor="speak"))
    try:
        services.request_to_speak(
            db, current_user, meeting, form.item_id.data, form.summary.data or "", now=utcnow()
        )
    except services.MeetingRefused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    else:
        db.commit()
        flash(_("Your request to speak has been sent to the organisers."), "success")
    return redirect(url_for("meetings.show_meeting", slug=slug, _anchor="speak"))


@bp.route("/incontri/<slug>/contributi", methods=["POST"])
@require(signed_in)
def add_contribution(slug: str) -> BaseResponse:
    db = get_session()
    meeting = _meeting_or_404(slug)
    form = ContributionForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "warning")
        return redirect(url_for("meetings.show_meeting", slug=slug, _anchor="contributions"))
    try:
        services.add_contribution(
            db,
            current_user,
            meeting,
            form.body.data or "",
            organisation=form.organisation.data or "",
            now=utcnow(),
        )
    except services.MeetingRefused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    else:
        db.commit()
        flash(_("Thank you: your contribution is published."), "success")
    return redirect(url_for("meetings.show_meeting", slug=slug, _anchor="contributions"))


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
    host = request.host.split(":")[0] or "civic"
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


# Staff ----------------------------------------------------------------------------------------


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
        form.questions.data = "\n".join(meeting.questions)
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
        questions=(form.questions.data or "").splitlines(),
        retention_days=form.retention_days.data or 0,
        contribution_days=form.contribution_days.data or 0,
    )


_FIELD_OF = {
    "ends_before_start": "end",
    "address_needed": "address",
    "link_needed": "online_url",
    "external_link_needed": "external_url",
    "capacity_needed": "capacity",
    "reserved_over_capacity": "reserved_places",
    "unknown_service": "accessibility",
}


def _save(form: MeetingForm, meeting: Meeting | None) -> BaseResponse | None:
    """Create or update from a valid form; on a refusal, put the message on its field."""
    db, now = get_session(), utcnow()
    try:
        if meeting is None:
            meeting = services.create_meeting(db, current_user, _data(form), now=now)
        else:
            services.update_meeting(db, current_user, meeting, _data(form), now=now)
    except services.MeetingRefused as refused:
        db.rollback()
        field = getattr(form, _FIELD_OF.get(refused.code, "title"))
        field.errors = [*field.errors, refusal_message(refused.code)]
        return None
    db.commit()
    flash(_("Meeting saved."), "success")
    return redirect(url_for("meetings.manage_meeting", meeting_id=meeting.id))


@bp.route("/gestione/incontri/nuovo", methods=["GET", "POST"])
@require(permissions.can_manage_meetings)
def new_meeting() -> str | BaseResponse:
    form = _meeting_form()
    if request.method == "GET" and request.args.get("bando", "").isdigit():
        form.call_id.data = int(request.args["bando"])
    if form.validate_on_submit() and (done := _save(form, None)) is not None:
        return done
    return render_template("meetings/edit_meeting.html", form=form, meeting=None)


@bp.route("/gestione/incontri/<int:meeting_id>/modifica", methods=["GET", "POST"])
@require(permissions.can_manage_meetings)
def edit_meeting(meeting_id: int) -> str | BaseResponse:
    meeting = _staff_meeting(meeting_id)
    form = _meeting_form(meeting)
    if form.validate_on_submit() and (done := _save(form, meeting)) is not None:
        return done
    return render_template("meetings/edit_meeting.html", form=form, meeting=meeting)


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


def _back(meeting: Meeting, anchor: str | None = None) -> BaseResponse:
    return redirect(url_for("meetings.manage_meeting", meeting_id=meeting.id, _anchor=anchor))


def _form_errors(form: Any) -> None:
    flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "warning")


def _run(meeting: Meeting, action: Any, done: str, anchor: str | None = None) -> BaseResponse:
    """Run a staff action in one transaction; a refusal becomes a message and changes nothing."""
    db = get_session()
    try:
        action(db)
    except services.MeetingRefused as refused:
        db.rollback()
        flash(refusal_message(refused.code), "warning")
    except PermissionDenied:
        db.rollback()
        abort(403)
    else:
        db.commit()
        flash(done, "success")
    return _back(meeting, anchor)


@bp.route("/gestione/incontri/<int:meeting_id>/pubblica", methods=["POST"])
@require(permissions.can_manage_meetings)
def publish_meeting(meeting_id: int) -> BaseResponse:
    meeting = _staff_meeting(meeting_id)
    return _run(
        meeting,
        lambda db: services.publish_meeting(db, current_user, meeting, now=utcnow()),
        _("The meeting is published."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/annulla", methods=["POST"])
@require(permissions.can_manage_meetings)
def cancel_meeting(meeting_id: int) -> BaseResponse:
    meeting = _staff_meeting(meeting_id)
    form = CancelMeetingForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(meeting)
    return _run(
        meeting,
        lambda db: services.cancel_meeting(
            db, current_user, meeting, form.reason.data or "", now=utcnow()
        ),
        _("The meeting is cancelled and everyone registered has been told."),
    )


@bp.route("/gestione/incontri/<int:meeting_id>/gruppi", methods=["POST"])
@require(permissions.can_manage_meetings)
def add_group(meeting_id: int) -> BaseResponse:
    meeting = _staff_meeting(meeting_id)
    form = GroupForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(meeting, "groups")
    return _run(
        meeting,
        lambda db: services.add_group(
            db, current_user, meeting, form.title.data or "", form.capacity.data or 0, now=utcnow()
        ),
        _("Group added."),
        "groups",
    )


@bp.route("/gestione/incontri/<int:meeting_id>/agenda", methods=["POST"])
@require(permissions.can_manage_meetings)
def add_agenda_item(meeting_id: int) -> BaseResponse:
    meeting = _staff_meeting(meeting_id)
    form = AgendaForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(meeting, "agenda")
    day = to_rome(meeting.starts_at).date()
    starts = rome_to_utc(datetime.combine(day, form.start.data))
    return _run(
        meeting,
        lambda db: services.add_agenda_item(
            db,
            current_user,
            meeting,
            starts_at=starts,
            minutes=form.minutes.data or 0,
            title=form.title.data or "",
            speakers=form.speakers.data or "",
            now=utcnow(),
        ),
        _("Agenda item added."),
        "agenda",
    )


@bp.route("/gestione/incontri/<int:meeting_id>/ospiti", methods=["POST"])
@require(permissions.can_manage_meetings)
def add_guest(meeting_id: int) -> BaseResponse:
    meeting = _staff_meeting(meeting_id)
    form = GuestForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(meeting, "registrations")
    guest = get_user_by_email(get_session(), form.email.data or "")
    if guest is None:
        flash(_("No account has this address."), "warning")
        return _back(meeting, "registrations")
    return _run(
        meeting,
        lambda db: services.register(
            db,
            guest,
            meeting,
            now=utcnow(),
            consent=True,
            organisation=form.organisation.data or "",
            reserved_by=current_user,
            group_id=meeting.groups[0].id if meeting.groups else None,
        ),
        _("The guest has a reserved place."),
        "registrations",
    )


@bp.route("/gestione/incontri/<int:meeting_id>/interventi/<int:request_id>", methods=["POST"])
@require(permissions.can_manage_meetings)
def decide_speaker(meeting_id: int, request_id: int) -> BaseResponse:
    meeting = _staff_meeting(meeting_id)
    form = SpeakerDecisionForm(prefix=f"r{request_id}")
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(meeting, "speakers")
    return _run(
        meeting,
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
        _("Decision saved; the person has been told."),
        "speakers",
    )


@bp.route("/gestione/incontri/<int:meeting_id>/verbale", methods=["POST"])
@require(permissions.can_manage_meetings)
def publish_minutes(meeting_id: int) -> BaseResponse:
    meeting = _staff_meeting(meeting_id)
    form = MinutesForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(meeting, "minutes")
    return _run(
        meeting,
        lambda db: services.publish_minutes(
            db, current_user, meeting, form.body.data or "", form.note.data or "", now=utcnow()
        ),
        _("Minutes published."),
        "minutes",
    )


@bp.route("/gestione/incontri/<int:meeting_id>/resoconto", methods=["POST"])
@require(permissions.can_manage_meetings)
def publish_report(meeting_id: int) -> BaseResponse:
    meeting = _staff_meeting(meeting_id)
    form = ReportForm()
    if not form.validate_on_submit():
        _form_errors(form)
        return _back(meeting, "report")
    raw = [p.strip().lstrip("#") for p in (form.proposals.data or "").split(",") if p.strip()]
    if not all(p.isdigit() and len(p) < 10 for p in raw):
        flash(refusal_message("unknown_proposal"), "warning")
        return _back(meeting, "report")
    return _run(
        meeting,
        lambda db: services.publish_report(
            db, current_user, meeting, form.body.data or "", [int(p) for p in raw], now=utcnow()
        ),
        _("Closing report published."),
        "report",
    )


@bp.route("/gestione/incontri/<int:meeting_id>/accoglienza", methods=["GET", "POST"])
@require(permissions.can_manage_meetings)
def check_in(meeting_id: int) -> str | BaseResponse:
    """The door: type or scan a code; made for a phone."""
    db = get_session()
    meeting = _staff_meeting(meeting_id)
    form = CheckInForm()
    if request.method == "GET" and request.args.get("codice"):
        form.code.data = request.args["codice"][:32]
    if form.validate_on_submit():
        try:
            _registration, person = services.check_in(
                db, current_user, meeting, form.code.data or "", now=utcnow()
            )
        except services.MeetingRefused as refused:
            db.rollback()
            form.code.errors = [*form.code.errors, refusal_message(refused.code)]
        else:
            db.commit()
            flash(_("Welcome, %(name)s: checked in.", name=person.display_name), "success")
            return redirect(url_for("meetings.check_in", meeting_id=meeting.id))
    return render_template(
        "meetings/check_in.html", meeting=meeting, form=form, counts=queries.counts(db, meeting)
    )
