"""Applying: the draft, the group and its invitations, attachments, and the submission."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...calls.models import Call
from ...calls.queries import windows_of
from ...core.db import add_once, count_up
from ...core.mail import queue_email
from ...core.refusals import PermissionDenied
from ...core.time import to_rome
from ...core.uploads import UploadRefused, store_pdf
from .. import application as rules
from .. import conflicts, sessions
from ..models import GrantApplication, GrantFile, GrantMember, GrantSettings, ProtocolCounter
from ..permissions import is_applicant
from ..states import State, move
from . import GrantRefused, _log, notify_applicant
from .rules import deadline


def start_application(
    session: Session,
    applicant: User,
    call: Call,
    settings: GrantSettings,
    *,
    kind: str,
    now: datetime,
) -> GrantApplication:
    if not getattr(applicant, "is_authenticated", False):
        raise PermissionDenied()
    if kind not in ("group", "organisation") or (
        kind == "organisation" and not settings.allow_organisations
    ):
        raise GrantRefused("kind_not_allowed")
    application = GrantApplication(
        call_id=call.id,
        lead_user_id=applicant.id,
        applicant_kind=kind,
        state=State.DRAFT.value,
        sections={},
        budget_lines=[],
        created_at=now,
        updated_at=now,
    )
    session.add(application)
    session.flush()
    return application


def _may_edit(application: GrantApplication, section: str | None, now: datetime) -> bool:
    if application.state == State.DRAFT.value:
        return True
    if application.state == State.INTEGRATION_REQUESTED.value:
        late = application.integration_deadline and now > application.integration_deadline
        return not late and (section is None or section in application.integration_sections)
    return False


@dataclass
class Draft:
    title: str
    group_name: str
    organisation_name: str
    legal_form: str
    tax_code: str
    area_id: int | None
    sections: dict[str, str]
    budget_lines: list[tuple[str, int]]
    cofunding_cents: int


def save_draft(
    session: Session,
    applicant: User,
    application: GrantApplication,
    call: Call,
    settings: GrantSettings,
    draft: Draft,
    *,
    now: datetime,
) -> None:
    """Save whatever is there, at any point; totals are computed, never typed. During an
    integration only the named sections change."""
    if not is_applicant(applicant, application):
        raise PermissionDenied()
    if not _may_edit(application, None, now):
        raise GrantRefused("not_editable")
    if application.state == State.INTEGRATION_REQUESTED.value:
        for name in application.integration_sections:
            if name in rules.SECTIONS:
                application.sections = {**application.sections, name: draft.sections.get(name, "")}
        if "budget" in application.integration_sections:
            _set_budget(application, draft, settings)
    else:
        if draft.area_id is not None and draft.area_id not in {a.area_id for a in call.areas}:
            raise GrantRefused("area_not_eligible")
        application.title = draft.title.strip()[:200]
        application.group_name = draft.group_name.strip()[:200]
        application.organisation_name = draft.organisation_name.strip()[:200]
        application.legal_form = draft.legal_form.strip()[:60]
        application.tax_code = draft.tax_code.strip().upper()[:16]
        application.area_id = draft.area_id
        application.sections = {
            name: (draft.sections.get(name) or "").strip()[:10000] for name in rules.SECTIONS
        }
        _set_budget(application, draft, settings)
    application.updated_at = now
    session.flush()
    conflicts.recuse_if_interested(session, applicant, now=now)  # an organisation's tax code


@dataclass(frozen=True)
class Saved:
    """What saving (and perhaps submitting) an application did: the protocol number when it
    was submitted, or the code of the rule that kept it from being submitted."""

    number: str | None = None
    not_submitted: str | None = None


def save_and_submit(
    session: Session,
    applicant: User,
    application: GrantApplication,
    call: Call,
    settings: GrantSettings,
    draft: Draft,
    *,
    submit_too: bool,
    now: datetime,
) -> Saved:
    """Save the draft and, when asked, submit it. The draft is kept even when the submission
    is refused: the submission runs in a savepoint of its own."""
    save_draft(session, applicant, application, call, settings, draft, now=now)
    if not submit_too:
        return Saved()
    try:
        with session.begin_nested():
            number = submit(session, applicant, application, call, settings, now=now)
    except GrantRefused as refused:
        return Saved(not_submitted=refused.code)
    return Saved(number=number)


def add_attachment(
    session: Session,
    applicant: User,
    application: GrantApplication,
    *,
    title: str,
    stream: IO[bytes] | None,
    folder: Path,
    now: datetime,
) -> GrantFile:
    """An attachment (a PDF) to an application its applicants may still edit; the file is
    kept only once the rules allow it."""
    if not is_applicant(applicant, application) or not _may_edit(application, None, now):
        raise PermissionDenied()
    if stream is None:
        raise UploadRefused("empty")
    stored = store_pdf(stream, folder)
    attachment = GrantFile(
        application_id=application.id,
        title=title,
        stored_name=stored.stored_name,
        size_bytes=stored.size_bytes,
        uploaded_at=now,
    )
    session.add(attachment)
    session.flush()
    return attachment


def _set_budget(application: GrantApplication, draft: Draft, settings: GrantSettings) -> None:
    lines = [rules.BudgetLine(w, c) for w, c in draft.budget_lines]
    application.budget_lines = [{"what": line.what.strip(), "cents": line.cents} for line in lines]
    application.cofunding_cents = max(0, draft.cofunding_cents)
    application.total_cents = sum(line.cents for line in lines)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_member(
    session: Session,
    applicant: User,
    application: GrantApplication,
    email: str,
    *,
    now: datetime,
) -> str:
    """The lead invites a resident by e-mail; returns the token sent in the link."""
    if not is_applicant(applicant, application):
        raise PermissionDenied()
    if application.state != State.DRAFT.value:
        raise GrantRefused("group_locked")
    address = email.strip().lower()
    if not address or "@" not in address or address == (applicant.email or "").lower():
        raise GrantRefused("member_email")
    token = secrets.token_urlsafe(24)
    member = GrantMember(
        application_id=application.id,
        email=address,
        token_hash=_token_hash(token),
        invited_at=now,
    )
    if not add_once(session, member):
        raise GrantRefused("already_invited")
    queue_email(
        session,
        address,
        "grant_member_invited",
        "it",
        lead=applicant,
        application=application,
        confirm_url=url_for("grants.confirm_member", token=token, _external=True),
    )
    return token


def confirm_member(session: Session, person: User, token: str, *, now: datetime) -> GrantMember:
    """The invited resident, signed in with the invited address, confirms joining the group."""
    member = session.scalar(select(GrantMember).where(GrantMember.token_hash == _token_hash(token)))
    if member is None:
        raise GrantRefused("invitation_unknown")
    if (person.email or "").lower() != member.email:
        raise GrantRefused("invitation_other_address")
    application = session.get(GrantApplication, member.application_id)
    if application is None or application.state != State.DRAFT.value:
        raise GrantRefused("group_locked")
    member.user_id, member.confirmed_at = person.id, member.confirmed_at or now
    session.flush()
    conflicts.recuse_if_interested(session, person, now=now)
    return member


def confirmed_members(session: Session, application: GrantApplication) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(GrantMember)
            .where(
                GrantMember.application_id == application.id,
                GrantMember.confirmed_at.is_not(None),
            )
        )
        or 0
    )


def submission_problems(
    session: Session,
    application: GrantApplication,
    call: Call,
    settings: GrantSettings,
    now: datetime,
) -> list[str]:
    end = deadline(call)
    budget = rules.budget(
        [rules.BudgetLine(line["what"], int(line["cents"])) for line in application.budget_lines],
        application.cofunding_cents,
        settings.max_grant_cents,
    )
    if application.applicant_kind == "group":
        group = rules.group_problem(confirmed_members(session, application))
    else:
        group = (
            rules.tax_code_problem(application.tax_code)
            if application.organisation_name
            else ("organisation_name")
        )
    found = rules.submission_problems(
        now=now,
        deadline=end or now,
        sections=application.sections,
        budget_check=budget,
        group_check=group,
    )
    if end is None or (windows_of(call) and now < min(w.starts_at for w in windows_of(call))):
        found.insert(0, "not_open")
    if settings.mode == "rolling" and sessions.session_of(now, settings.cutoffs) is None:
        found.insert(0, "after_last_cutoff")
    if not application.title.strip():
        found.append("title_missing")
    if application.area_id is None:
        found.append("area_missing")
    return found


def submit(
    session: Session,
    applicant: User,
    application: GrantApplication,
    call: Call,
    settings: GrantSettings,
    *,
    now: datetime,
) -> str:
    """Submit: refused after the deadline; the group is locked; a protocol number and a
    timestamped receipt (e-mail with a PDF)."""
    from ..pdf import receipt_pdf

    if not is_applicant(applicant, application):
        raise PermissionDenied()
    if application.state != State.DRAFT.value:
        raise GrantRefused("already_submitted")
    problems = submission_problems(session, application, call, settings, now)
    if problems:
        raise GrantRefused(problems[0])
    year = to_rome(now).year  # the year of the receipt, in Milan
    sequence = count_up(
        session, ProtocolCounter, "last", prefix=settings.protocol_prefix, year=year
    )
    number = rules.protocol_number(settings.protocol_prefix, year, sequence)
    application.protocol_number = number
    application.submitted_at = now
    application.state = move(application.state, State.SUBMITTED)
    application.updated_at = now
    session.flush()
    _log(session, applicant, "submit", application, now, protocol=number)
    pdf = receipt_pdf(application, call, applicant)
    notify_applicant(
        session,
        application,
        "grant_submitted",
        attachments=((f"ricevuta-{number}.pdf", "application/pdf", pdf),),
    )
    return number
