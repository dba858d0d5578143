"""Meeting pages for people taking part: registering, speaking, contributing."""

from __future__ import annotations

import functools
import io
from datetime import datetime
from typing import Any

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ...core.actions import run
from ...core.db import get_session
from ...core.time import utcnow
from ...core.web import require, signed_in
from .. import queries, services
from ..domain import MeetingStatus, RegistrationMode, RegistrationStatus
from ..forms import ContributionForm, SpeakerForm, registration_form
from ..models import Meeting
from . import _meeting_or_404, bp, refusal_message


def _registration_open(meeting: Meeting, now: datetime) -> bool:
    return (
        meeting.status == MeetingStatus.PUBLISHED.value
        and meeting.registration == RegistrationMode.PLATFORM.value
        and now < meeting.starts_at
    )


def _answers(form: Any, meeting: Meeting) -> list[str]:
    return [getattr(form, f"answer_{n}").data or "" for n in range(len(meeting.questions))]


@bp.route("/incontri/<slug>/iscrizione", methods=["GET", "POST"])
@require(signed_in)
def register(slug: str) -> ResponseReturnValue:
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
    if request.method == "GET":
        return render_template(
            "meetings/register.html", meeting=meeting, form=form, has_groups=bool(groups)
        )
    return _register(meeting, form, groups, now)


def _register(meeting: Meeting, form: Any, groups: list[Any], now: datetime) -> ResponseReturnValue:
    page = functools.partial(
        render_template,
        "meetings/register.html",
        meeting=meeting,
        form=form,
        has_groups=bool(groups),
    )
    return run(
        lambda db: services.register(
            db,
            current_user,
            meeting,
            now=now,
            consent=bool(form.consent.data),
            group_id=form.group_id.data if groups else None,
            organisation=form.organisation.data or "",
            needs=form.needs.data or "",
            answers=[
                getattr(form, f"answer_{n}").data or "" for n in range(len(meeting.questions))
            ],
            public_attendance=bool(form.public_attendance.data),
        ),
        form=form,
        again=page,
        fields={"group_needed": "group_id" if groups else "consent", "*": "consent"},
        to=url_for("meetings.show_meeting", slug=meeting.slug),
        done=lambda registration: (
            _("You are registered. We have sent you an e-mail with the details.")
            if registration.status == RegistrationStatus.CONFIRMED.value
            else _(
                "The meeting is full: you are on the waiting list. "
                "We will write if a place frees up."
            )
        ),
    )


@bp.route("/incontri/<slug>/iscrizione/annulla", methods=["POST"])
@require(signed_in)
def cancel_registration(slug: str) -> ResponseReturnValue:
    meeting = _meeting_or_404(slug)
    return run(
        lambda db: services.cancel_registration(db, current_user, meeting, now=utcnow()),
        to=url_for("meetings.show_meeting", slug=slug),
        done=_("Your registration has been cancelled."),
    )


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
def request_to_speak(slug: str) -> ResponseReturnValue:
    meeting = _meeting_or_404(slug)
    form = SpeakerForm()
    form.item_id.choices = [SelectChoice(i.id, i.title) for i in meeting.agenda]
    return run(
        lambda db: services.request_to_speak(
            db, current_user, meeting, form.item_id.data, form.summary.data or "", now=utcnow()
        ),
        form=form,
        to=url_for("meetings.show_meeting", slug=slug, _anchor="speak"),
        done=_("Your request to speak has been sent to the organisers."),
    )


@bp.route("/incontri/<slug>/contributi", methods=["POST"])
@require(signed_in)
def add_contribution(slug: str) -> ResponseReturnValue:
    meeting = _meeting_or_404(slug)
    form = ContributionForm()
    return run(
        lambda db: services.add_contribution(
            db,
            current_user,
            meeting,
            form.body.data or "",
            organisation=form.organisation.data or "",
            now=utcnow(),
        ),
        form=form,
        to=url_for("meetings.show_meeting", slug=slug, _anchor="contributions"),
        done=_("Thank you: your contribution is published."),
    )
