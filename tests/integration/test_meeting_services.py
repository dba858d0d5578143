"""Meeting use cases against a real database and a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.core.audit import AuditEntry
from civic.core.refusals import PermissionDenied
from civic.core.time import to_rome, utcnow
from civic.meetings import queries, services, tasks
from civic.meetings.models import MinutesRevision, Registration
from tests.factories.accounts import PASSWORD, make_user
from tests.factories.calls import make_call, make_proposal
from tests.factories.meetings import make_meeting, make_staff, meeting_data, register
from tests.support import Mailbox


def _status(db: Session, registration: Registration) -> str:
    db.refresh(registration)
    return registration.status


def test_the_meeting_fills_then_people_wait_in_order(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    meeting = make_meeting(db, capacity=2)
    first, second = register(db, meeting), register(db, meeting)
    third_person = make_user(db, email="third@example.org")
    third = register(db, meeting, third_person)
    fourth = register(db, meeting)
    assert [first.status, second.status, third.status, fourth.status] == [
        "confirmed",
        "confirmed",
        "waiting",
        "waiting",
    ]
    assert "lista d'attesa" in Mailbox.body(mailbox.last_to("third@example.org")).lower()
    assert queries.places(db, meeting).public_left == 0


def test_a_cancellation_promotes_the_first_in_line_and_emails_them_the_event(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    meeting = make_meeting(db, capacity=1)
    holder = make_user(db)
    register(db, meeting, holder)
    waiting_first = make_user(db, email="first-in-line@example.org")
    waiting_second = make_user(db, email="second-in-line@example.org")
    first = register(db, meeting, waiting_first)
    second = register(db, meeting, waiting_second)
    mailbox.clear()
    promoted = services.cancel_registration(db, holder, meeting, now=utcnow())
    db.commit()
    assert [r.id for r in promoted] == [first.id]
    assert _status(db, first) == "confirmed"
    assert _status(db, second) == "waiting"
    message = mailbox.last_to("first-in-line@example.org")
    assert first.code in Mailbox.body(message)
    attachments = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(attachments) == 1
    event = next(iter(Calendar.from_ical(attachments[0].get_payload(decode=True)).walk("VEVENT")))
    assert event.decoded("dtstart") == meeting.starts_at
    assert mailbox.to("second-in-line@example.org") == [] or all(
        "liberato" not in Mailbox.body(m) for m in mailbox.to("second-in-line@example.org")
    )
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(meeting.id)))
    assert "meeting.promote" in set(actions)


def test_someone_waiting_for_a_full_group_keeps_their_turn_but_does_not_block_others(
    app_ctx: Flask, db: Session
) -> None:
    meeting = make_meeting(db, capacity=3, groups=(("Mobilità", 1), ("Verde", 2)))
    mobility, green = (g.id for g in meeting.groups)
    holder_a, holder_b = make_user(db), make_user(db)
    register(db, meeting, holder_a, group_id=mobility)
    register(db, meeting, holder_b, group_id=green)
    wants_mobility = register(db, meeting, group_id=mobility)  # group full: waits
    assert wants_mobility.status == "waiting"
    wants_green = register(db, meeting, group_id=green)  # a place in green and in the meeting
    assert wants_green.status == "confirmed"
    late = register(db, meeting, group_id=green)  # the meeting is full now
    assert late.status == "waiting"
    services.cancel_registration(db, holder_b, meeting, now=utcnow())  # frees a green place
    db.commit()
    assert _status(db, wants_mobility) == "waiting"  # its group is still full
    assert _status(db, late) == "confirmed"


def test_the_confirmation_carries_the_event_and_only_opted_in_attendees_are_public(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    staff = make_staff(db)
    meeting = make_meeting(db, staff, capacity=5)
    public = make_user(db, email="public@example.org", full_name="Paola Pubblica")
    private = make_user(db, full_name="Riccardo Riservato")
    absent = make_user(db, full_name="Assunta Assente")
    shown = register(db, meeting, public, public_attendance=True, organisation="Legambiente")
    hidden = register(db, meeting, private, public_attendance=False)
    register(db, meeting, absent, public_attendance=True)
    message = mailbox.last_to("public@example.org")
    ics = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    event = next(iter(Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")))
    assert str(event["summary"]) == meeting.title
    for registration in (shown, hidden):
        services.check_in(db, staff, meeting, registration.code, now=utcnow())
    assert queries.public_attendees(db, meeting) == ["Paola Pubblica (Legambiente)"]


def test_a_group_must_be_chosen_when_the_meeting_has_groups(app_ctx: Flask, db: Session) -> None:
    meeting = make_meeting(db, groups=(("Mobilità", 5),))
    with pytest.raises(services.MeetingRefused, match="group_needed"):
        register(db, meeting)
    with pytest.raises(services.MeetingRefused, match="group_needed"):
        register(db, meeting, group_id=999_999)


def test_reserved_places_are_for_guests_that_staff_register(app_ctx: Flask, db: Session) -> None:
    staff = make_staff(db)
    meeting = make_meeting(db, staff, capacity=2, reserved_places=1)
    assert register(db, meeting).status == "confirmed"
    assert register(db, meeting).status == "waiting"  # the last place is reserved
    guest = register(db, meeting, reserved_by=staff)
    assert guest.status == "confirmed"
    assert guest.reserved
    with pytest.raises(services.MeetingRefused, match="no_reserved_place"):
        register(db, meeting, reserved_by=staff)
    with pytest.raises(PermissionDenied):
        register(db, meeting, reserved_by=make_user(db))


def test_registration_needs_consent_a_published_meeting_and_a_future_start(
    app_ctx: Flask, db: Session
) -> None:
    meeting = make_meeting(db)
    with pytest.raises(services.MeetingRefused, match="consent_needed"):
        register(db, meeting, consent=False)
    draft = make_meeting(db, publish=False)
    with pytest.raises(services.MeetingRefused, match="not_open"):
        register(db, draft)
    with pytest.raises(services.MeetingRefused, match="started"):
        register(db, meeting, now=meeting.starts_at)
    count = db.scalar(select(func.count()).select_from(Registration))
    assert count == 0


def test_one_registration_per_person_and_coming_back_after_cancelling(
    app_ctx: Flask, db: Session
) -> None:
    meeting = make_meeting(db)
    person = make_user(db)
    registration = register(db, meeting, person)
    with pytest.raises(services.MeetingRefused, match="already_registered"):
        register(db, meeting, person)
    services.cancel_registration(db, person, meeting, now=utcnow())
    db.commit()
    again = register(db, meeting, person)
    assert again.id == registration.id
    assert again.status == "confirmed"


def test_check_in_by_code(app_ctx: Flask, db: Session) -> None:
    staff = make_staff(db)
    meeting = make_meeting(db, staff, capacity=1)
    confirmed = register(db, meeting)
    waiting = register(db, meeting)
    now = utcnow()
    with pytest.raises(services.MeetingRefused, match="unknown_code"):
        services.check_in(db, staff, meeting, "ZZZZZZZZ", now=now)
    with pytest.raises(services.MeetingRefused, match="on_waiting_list"):
        services.check_in(db, staff, meeting, waiting.code, now=now)
    lowered = f" {confirmed.code[:4].lower()}-{confirmed.code[4:]} "
    registration, _person = services.check_in(db, staff, meeting, lowered, now=now)
    assert registration.attended_at == now
    with pytest.raises(services.MeetingRefused, match="already_checked_in"):
        services.check_in(db, staff, meeting, confirmed.code, now=now)
    with pytest.raises(PermissionDenied):
        services.check_in(db, make_user(db), meeting, confirmed.code, now=now)
    other = make_meeting(db, staff)
    with pytest.raises(services.MeetingRefused, match="unknown_code"):
        services.check_in(db, staff, other, confirmed.code, now=now)  # codes are per meeting


def test_speakers_ask_staff_decide_and_the_running_order_follows(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    staff = make_staff(db)
    meeting = make_meeting(db, staff, agenda=True)
    item = meeting.agenda[0]
    outsider = make_user(db)
    with pytest.raises(services.MeetingRefused, match="register_first"):
        services.request_to_speak(db, outsider, meeting, item.id, "Due parole", now=utcnow())
    people = [make_user(db, email=f"speaker{n}@example.org") for n in range(3)]
    requests = []
    for person in people:
        register(db, meeting, person)
        requests.append(
            services.request_to_speak(db, person, meeting, item.id, "Sul verde", now=utcnow())
        )
    with pytest.raises(services.MeetingRefused, match="already_requested"):
        services.request_to_speak(db, people[0], meeting, item.id, "Ancora", now=utcnow())
    now = utcnow()
    services.decide_speaker(
        db, staff, meeting, requests[0].id, accept=True, minutes=5, position=2, now=now
    )
    services.decide_speaker(
        db, staff, meeting, requests[1].id, accept=True, minutes=3, position=1, now=now
    )
    services.decide_speaker(
        db, staff, meeting, requests[2].id, accept=False, minutes=None, position=None, now=now
    )
    with pytest.raises(services.MeetingRefused, match="minutes_needed"):
        services.decide_speaker(
            db, staff, meeting, requests[2].id, accept=True, minutes=None, position=None, now=now
        )
    db.commit()
    order = queries.running_order(db, meeting)[item.id]
    assert [r.id for r in order] == [requests[1].id, requests[0].id]
    assert "5 minuti" in Mailbox.body(mailbox.last_to("speaker0@example.org"))
    assert "contributo scritto" in Mailbox.body(mailbox.last_to("speaker2@example.org"))


def test_contributions_are_taken_until_n_days_after_the_meeting(
    app_ctx: Flask, db: Session
) -> None:
    meeting = make_meeting(db, contribution_days=3)
    person = make_user(db)
    services.add_contribution(db, person, meeting, "Più alberi", now=utcnow())
    services.add_contribution(db, person, meeting, "Dopo", now=meeting.ends_at + timedelta(days=3))
    with pytest.raises(services.MeetingRefused, match="contributions_closed"):
        services.add_contribution(
            db, person, meeting, "Tardi", now=meeting.ends_at + timedelta(days=3, seconds=1)
        )
    with pytest.raises(services.MeetingRefused, match="body_length"):
        services.add_contribution(db, person, meeting, "  ", now=utcnow())
    assert [c.body for c in queries.contributions(db, meeting)] == ["Più alberi", "Dopo"]


def test_minutes_keep_every_revision_and_only_after_the_start(app_ctx: Flask, db: Session) -> None:
    staff = make_staff(db)
    meeting = make_meeting(db, staff)
    with pytest.raises(services.MeetingRefused, match="minutes_too_early"):
        services.publish_minutes(db, staff, meeting, "Verbale", "", now=utcnow())
    after = meeting.ends_at + timedelta(hours=1)
    services.publish_minutes(db, staff, meeting, "Prima versione", "", now=after)
    services.publish_minutes(db, staff, meeting, "Seconda <script>x</script>", "refuso", now=after)
    with pytest.raises(PermissionDenied):
        services.publish_minutes(db, make_user(db), meeting, "No", "", now=after)
    revisions = queries.minutes_revisions(db, meeting)
    assert [(r.number, r.body) for r in revisions] == [
        (2, "Seconda <script>x</script>"),
        (1, "Prima versione"),
    ]
    assert db.scalar(select(func.count()).select_from(MinutesRevision)) == 2


def test_the_closing_report_lists_organisations_present_and_linked_proposals(
    app_ctx: Flask, db: Session
) -> None:
    staff = make_staff(db)
    meeting = make_meeting(db, staff, capacity=5)
    came = register(db, meeting, organisation="Legambiente Milano")
    register(db, meeting, organisation="Assente APS")
    services.check_in(db, staff, meeting, came.code, now=utcnow())
    proposal = make_proposal(db, make_call(db))
    with pytest.raises(services.MeetingRefused, match="report_too_early"):
        services.publish_report(db, staff, meeting, "Resoconto", [proposal.id], now=utcnow())
    after = meeting.ends_at + timedelta(hours=1)
    with pytest.raises(services.MeetingRefused, match="unknown_proposal"):
        services.publish_report(db, staff, meeting, "Resoconto", [999_999], now=after)
    services.publish_report(db, staff, meeting, "Resoconto", [proposal.id], now=after)
    assert meeting.report_organisations == ["Legambiente Milano"]
    assert queries.linked_proposal_ids(db, meeting) == [proposal.id]
    assert queries.counts(db, meeting)["attended"] == 1


def test_reminders_go_once_the_day_before(app_ctx: Flask, db: Session, mailbox: Mailbox) -> None:
    tomorrow = utcnow().replace(microsecond=0) + timedelta(days=1)
    meeting = make_meeting(db, starts_at=tomorrow, capacity=1)
    register(db, meeting, make_user(db, email="reminded@example.org"))
    register(db, meeting, make_user(db, email="waiting-not-reminded@example.org"))
    later = make_meeting(db, starts_at=tomorrow + timedelta(days=3))
    register(db, later, make_user(db, email="not-yet@example.org"))
    mailbox.clear()
    # The periodic job, as the worker runs it (immediate mode in tests).
    now = utcnow()
    sent = services.send_reminders(db, now=now)
    db.commit()
    if to_rome(meeting.starts_at).date() != to_rome(now).date() + timedelta(days=1):
        pytest.skip("24 hours from now is not tomorrow in Rome (the night clocks change)")
    assert sent == 1
    assert "domani" in Mailbox.body(mailbox.last_to("reminded@example.org"))
    assert mailbox.to("waiting-not-reminded@example.org") == []
    assert mailbox.to("not-yet@example.org") == []
    assert services.send_reminders(db, now=now) == 0  # once only


def test_the_periodic_reminder_job_runs_in_its_own_transaction(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    assert tasks.run_reminders() == 0
    assert tasks.run_erasure() == 0


def test_personal_data_is_deleted_after_the_retention_period_keeping_counts(
    app_ctx: Flask, db: Session
) -> None:
    staff = make_staff(db)
    meeting = make_meeting(db, staff, capacity=1, retention_days=30)
    came = register(db, meeting, public_attendance=True)
    register(db, meeting)
    services.check_in(db, staff, meeting, came.code, now=utcnow())
    db.commit()
    assert services.erase_expired(db, now=meeting.ends_at + timedelta(days=29)) == 0
    assert services.erase_expired(db, now=meeting.ends_at + timedelta(days=30)) == 1
    db.commit()
    left = db.scalar(
        select(func.count()).select_from(Registration).where(Registration.meeting_id == meeting.id)
    )
    assert left == 0
    assert queries.counts(db, meeting) == {"confirmed": 1, "waiting": 1, "attended": 1}
    assert queries.public_attendees(db, meeting) == []
    assert services.erase_expired(db, now=meeting.ends_at + timedelta(days=31)) == 0


def test_deleting_an_account_frees_its_place_for_the_waiting_list(
    app_ctx: Flask, db: Session
) -> None:
    from civic.accounts.services import delete_account

    meeting = make_meeting(db, capacity=1)
    leaver = make_user(db)
    register(db, meeting, leaver)
    waiting = register(db, meeting)
    assert delete_account(db, leaver, password=PASSWORD, now=utcnow())
    db.commit()
    assert _status(db, waiting) == "confirmed"


def test_changing_the_time_tells_registrants_and_more_places_promote(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    staff = make_staff(db)
    meeting = make_meeting(db, staff, capacity=1)
    register(db, meeting, make_user(db, email="holder@example.org"))
    waiting = register(db, meeting, make_user(db, email="waiter@example.org"))
    mailbox.clear()
    later = meeting.starts_at + timedelta(days=1)
    data = meeting_data(starts_at=later, capacity=2)
    services.update_meeting(db, staff, meeting, data, now=utcnow())
    db.commit()
    assert _status(db, waiting) == "confirmed"
    assert meeting.sequence == 1
    changed = mailbox.last_to("holder@example.org")
    assert changed["Subject"].startswith("Modificato")


def test_cancelling_the_meeting_tells_everyone(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    staff = make_staff(db)
    meeting = make_meeting(db, staff)
    register(db, meeting, make_user(db, email="told@example.org"))
    with pytest.raises(services.MeetingRefused, match="reason_needed"):
        services.cancel_meeting(db, staff, meeting, " ", now=utcnow())
    services.cancel_meeting(db, staff, meeting, "Maltempo", now=utcnow())
    db.commit()
    message = mailbox.last_to("told@example.org")
    assert "Maltempo" in Mailbox.body(message)
    ics = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    event = next(iter(Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")))
    assert str(event["status"]) == "CANCELLED"
    with pytest.raises(services.MeetingRefused, match="not_open"):
        register(db, meeting)


def test_meeting_data_is_checked(app_ctx: Flask, db: Session) -> None:
    staff = make_staff(db)
    bad = {
        "ends_before_start": {"ends_at": utcnow()},
        "reserved_over_capacity": {"capacity": 2, "reserved_places": 3},
        "capacity_needed": {"capacity": 0},
        "address_needed": {"address": " "},
    }
    for code, overrides in bad.items():
        with pytest.raises(services.MeetingRefused, match=code):
            services.create_meeting(db, staff, meeting_data(**overrides), now=utcnow())
    with pytest.raises(PermissionDenied):
        services.create_meeting(db, make_user(db), meeting_data(), now=utcnow())


def test_a_new_meeting_cannot_start_in_the_past_or_decades_ahead(
    app_ctx: Flask, db: Session
) -> None:
    from civic.meetings.models import Meeting

    staff = make_staff(db)
    now = utcnow()
    cases = ((now - timedelta(days=1), "in_the_past"), (now + timedelta(days=4000), "too_far"))
    for starts, code in cases:
        with pytest.raises(services.MeetingRefused, match=code):
            services.create_meeting(db, staff, meeting_data(starts_at=starts), now=now)
        db.rollback()
    assert db.scalar(select(func.count()).select_from(Meeting)) == 0
