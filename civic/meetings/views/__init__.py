"""Meeting pages: the public list and page, registration, calendars; the staff screens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user

from ...calls import sections as call_sections
from ...core.actions import describe
from ...core.db import get_session
from ...core.time import YEARS_AHEAD
from .. import permissions, queries, services
from ..forms import FORMAT_LABELS, KIND_LABELS, REGISTRATION_LABELS, SERVICE_LABELS
from ..models import Meeting

bp = Blueprint("meetings", __name__)


@describe(services.MeetingRefused)
def _words(refused: services.MeetingRefused) -> str:
    return refusal_message(refused.code)


def refusal_message(code: str) -> str:
    """Each refusal in words the person can act on."""
    messages = {
        "ends_before_start": _("The meeting must end after it starts."),
        "incomplete_location": _("Give both latitude and longitude, or neither."),
        "outside_city": _("This place is outside the city: choose it on the map of the city."),
        "outside_area": _("This place is outside the Municipio you chose."),
        "in_the_past": _("A new meeting cannot start in the past."),
        "too_far": _("Give a date within %(n)d years of today.", n=YEARS_AHEAD),
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
        "guest_unknown": _("No account has this address."),
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


def _call_page_part(db: Any, call: Any, now: datetime) -> Any:
    """On a call's page: its presentation meetings and hearings, in date order."""
    return queries.list_meetings(db, now=now, when="all", call_id=call.id)


call_sections.add_part("meetings", _call_page_part)


# The pages register their routes on bp when imported.
from . import participant, public, staff  # noqa: E402, F401
