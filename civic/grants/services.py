"""Grant use cases: call rules, applications and their group, submission with a protocol
number and a PDF receipt, the formal check, and what follows an award. Every transition goes
through ``states``, notifies the applicant and is logged."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..accounts.services import PermissionDenied
from ..calls.domain import CallKind, PhaseKind
from ..calls.models import Call
from ..calls.queries import windows_of
from ..core import audit
from ..core.db import add_once
from ..core.mail import queue_email
from ..core.refusals import Refused
from . import application as rules
from . import sessions
from .models import GrantApplication, GrantFile, GrantInstalment, GrantMember, GrantSettings
from .permissions import can_manage_grants, is_applicant
from .states import EDITABLE, State, move


class GrantRefused(Refused):
    """A grant request the rules do not allow; ``code`` names the reason."""


def _staff(actor: Any) -> None:
    if not can_manage_grants(actor):
        raise PermissionDenied()


def _log(
    session: Session,
    actor: User | None,
    action: str,
    application: GrantApplication,
    now: datetime,
    **after: Any,
) -> None:
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        action=f"grant.{action}",
        target_type="grant_application",
        target_id=application.id,
        now=now,
        after=after or None,
    )


def notify_applicant(
    session: Session, application: GrantApplication, template: str, **context: Any
) -> None:
    lead = session.get(User, application.lead_user_id) if application.lead_user_id else None
    if lead is None or not lead.email:
        return
    attachments = context.pop("attachments", ())
    queue_email(
        session,
        lead.email,
        template,
        lead.language,
        attachments,
        user=lead,
        application=application,
        application_url=url_for(
            "grants.show_application", application_id=application.id, _external=True
        ),
        **context,
    )


# Call rules -----------------------------------------------------------------------------------


@dataclass
class SettingsData:
    max_grant_cents: int
    criteria: list[dict[str, Any]]  # {"code", "label", "weight", "threshold_half"}
    overall_threshold_half: int = 0
    jurors_per_application: int = 2
    mode: str = "single"
    cutoffs: list[str] | None = None
    tie_break: str = "earlier"
    disagreement_half: int = 4
    blind: bool = False
    ranking_basis: str = "raw"
    allow_organisations: bool = False
    protocol_prefix: str = "SDQ"


def frozen(session: Session, call_id: int) -> bool:
    """The rules freeze once the first application is submitted."""
    return (
        session.scalar(
            select(GrantApplication.id)
            .where(GrantApplication.call_id == call_id, GrantApplication.state != "draft")
            .limit(1)
        )
        is not None
    )


def save_settings(
    session: Session, actor: User, call: Call, data: SettingsData, *, now: datetime
) -> GrantSettings:
    _staff(actor)
    if call.kind != CallKind.GRANTS.value:
        raise GrantRefused("not_grants")
    if frozen(session, call.id):
        raise GrantRefused("rules_frozen")
    codes = [c.get("code") for c in data.criteria]
    if (
        data.max_grant_cents <= 0
        or not data.criteria
        or len(set(codes)) != len(codes)
        or any(int(c.get("weight", 0)) < 1 for c in data.criteria)
        or any(not 0 <= int(c.get("threshold_half", 0)) <= 10 for c in data.criteria)
        or not 0 <= data.overall_threshold_half <= 10
        or data.jurors_per_application < 1
        or data.mode not in ("single", "rolling")
        or (data.mode == "rolling" and not sessions.valid(data.cutoffs or []))
        or data.ranking_basis not in ("raw", "normalised")
    ):
        raise GrantRefused("rules_invalid")
    settings = session.get(GrantSettings, call.id) or GrantSettings(call_id=call.id)
    for name, value in vars(data).items():
        setattr(settings, name, value if value is not None else [])
    session.add(settings)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="grant.rules",
        target_type="call",
        target_id=call.id,
        now=now,
        after={k: v for k, v in vars(data).items() if k != "criteria"} | {"criteria": codes},
    )
    return settings


def deadline(call: Call) -> datetime | None:
    """The end of the submission phase (server time; shown on Rome's clock)."""
    windows = [w for w in windows_of(call) if w.kind is PhaseKind.SUBMISSION]
    return windows[0].ends_at if windows else None


# Applications ---------------------------------------------------------------------------------


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
    from .pdf import receipt_pdf

    if not is_applicant(applicant, application):
        raise PermissionDenied()
    if application.state != State.DRAFT.value:
        raise GrantRefused("already_submitted")
    problems = submission_problems(session, application, call, settings, now)
    if problems:
        raise GrantRefused(problems[0])
    locked = session.scalar(
        select(GrantSettings).where(GrantSettings.call_id == call.id).with_for_update()
    )
    assert locked is not None
    number = rules.protocol_number(locked.protocol_prefix, now.year, locked.next_protocol)
    locked.next_protocol += 1
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


# Formal check ---------------------------------------------------------------------------------


def start_formal_check(
    session: Session, actor: User, application: GrantApplication, *, now: datetime
) -> None:
    _staff(actor)
    application.state = move(application.state, State.FORMAL_CHECK)
    application.updated_at = now
    _log(session, actor, "formal_check", application, now)
    notify_applicant(session, application, "grant_state", state=application.state)


def decide_formal_check(
    session: Session,
    actor: User,
    application: GrantApplication,
    *,
    outcome: str,
    reason: str = "",
    sections: list[str] | None = None,
    until: datetime | None = None,
    now: datetime,
) -> None:
    """Admissible (to the jury), inadmissible with a reason, or integration requested on named
    sections until a deadline."""
    _staff(actor)
    if outcome == "admissible":
        application.state = move(application.state, State.UNDER_REVIEW)
    elif outcome == "inadmissible":
        if not reason.strip():
            raise GrantRefused("reason_needed")
        application.state = move(application.state, State.INADMISSIBLE)
        application.decision_reason = reason.strip()
    elif outcome == "integration":
        named = [s for s in (sections or []) if s in (*rules.SECTIONS, "budget")]
        if not named or until is None or until <= now or not reason.strip():
            raise GrantRefused("integration_invalid")
        application.state = move(application.state, State.INTEGRATION_REQUESTED)
        application.integration_sections = named
        application.integration_deadline = until
        application.decision_reason = reason.strip()
    else:
        raise GrantRefused("outcome_unknown")
    application.updated_at = now
    _log(session, actor, f"formal.{outcome}", application, now, reason=reason.strip() or None)
    notify_applicant(session, application, "grant_state", state=application.state)


def send_integration(
    session: Session, applicant: User, application: GrantApplication, *, now: datetime
) -> None:
    """The applicant sends the integrated sections back to the formal check."""
    if not is_applicant(applicant, application):
        raise PermissionDenied()
    if not _may_edit(application, None, now) or application.state != State.INTEGRATION_REQUESTED:
        raise GrantRefused("not_editable")
    application.state = move(application.state, State.FORMAL_CHECK)
    application.updated_at = now
    _log(session, applicant, "integration_sent", application, now)
    notify_applicant(session, application, "grant_state", state=application.state)


# After the award ------------------------------------------------------------------------------


def award_step(
    session: Session,
    actor: User,
    application: GrantApplication,
    target: State,
    *,
    reason: str = "",
    now: datetime,
) -> None:
    """Agreement signed, reporting, closed, revoked (with a reason) or renounced."""
    _staff(actor)
    if target in (State.REVOKED, State.RENOUNCED) and not reason.strip():
        raise GrantRefused("reason_needed")
    moved = move(application.state, target)
    if target is State.CLOSED:
        problem = closing_problem(session, application)
        if problem:
            raise GrantRefused(problem)
    application.state = moved
    if reason.strip():
        application.decision_reason = reason.strip()
    application.updated_at = now
    _log(session, actor, f"award.{target.value}", application, now, reason=reason.strip() or None)
    notify_applicant(session, application, "grant_state", state=application.state)
    from ..execution import services as execution
    from ..execution.domain import Source

    if target is State.FUNDED:  # a reserve moved up when funds freed
        session.flush()
        execution.track_funded(session, now=now, call_id=application.call_id)
    elif target in (State.REVOKED, State.RENOUNCED):
        execution.funding_withdrawn(
            session, Source.GRANT, application.id, reason=reason.strip(), now=now
        )


def plan_instalments(
    session: Session,
    actor: User,
    application: GrantApplication,
    plan: list[tuple[int, date]],
    *,
    now: datetime,
) -> None:
    """Payments in instalments that add up exactly to the grant."""
    _staff(actor)
    if application.state not in (State.AGREEMENT.value, State.REPORTING.value):
        raise GrantRefused("no_agreement")
    if sum(amount for amount, _due in plan) != application.total_cents or any(
        amount <= 0 for amount, _due in plan
    ):
        raise GrantRefused("instalments_do_not_add_up")
    existing = session.scalar(
        select(func.count())
        .select_from(GrantInstalment)
        .where(GrantInstalment.application_id == application.id)
    )
    if existing:
        raise GrantRefused("instalments_exist")
    for number, (amount, due) in enumerate(plan, start=1):
        session.add(
            GrantInstalment(
                application_id=application.id, number=number, amount_cents=amount, due_on=due
            )
        )
    session.flush()
    _log(session, actor, "instalments", application, now, count=len(plan))


def instalments_of(session: Session, application_id: int) -> list[GrantInstalment]:
    return list(
        session.scalars(
            select(GrantInstalment)
            .where(GrantInstalment.application_id == application_id)
            .order_by(GrantInstalment.number)
        )
    )


def reports_of(session: Session, application_id: int) -> list[GrantFile]:
    return list(
        session.scalars(
            select(GrantFile)
            .where(GrantFile.application_id == application_id, GrantFile.kind == "report")
            .order_by(GrantFile.uploaded_at, GrantFile.id)
        )
    )


def mark_paid(
    session: Session,
    actor: User,
    application: GrantApplication,
    instalment: GrantInstalment,
    *,
    now: datetime,
) -> None:
    """Record that the city paid an instalment; the grantee is told. Instalments are paid in
    order, each once."""
    _staff(actor)
    if instalment.application_id != application.id:
        raise GrantRefused("instalment_unknown")
    if application.state not in (State.AGREEMENT.value, State.REPORTING.value):
        raise GrantRefused("no_agreement")
    if instalment.paid_at is not None:
        raise GrantRefused("instalment_paid")
    earlier = [
        i
        for i in instalments_of(session, application.id)
        if i.number < instalment.number and i.paid_at is None
    ]
    if earlier:
        raise GrantRefused("instalment_order")
    instalment.paid_at = now
    session.flush()
    _log(
        session,
        actor,
        "instalment_paid",
        application,
        now,
        number=instalment.number,
        cents=instalment.amount_cents,
    )
    notify_applicant(session, application, "grant_instalment_paid", instalment=instalment)


def add_report(
    session: Session,
    applicant: User,
    application: GrantApplication,
    *,
    title: str,
    stored_name: str,
    size_bytes: int,
    now: datetime,
) -> GrantFile:
    """The grantee uploads a periodic report (a PDF already stored) while the grant runs."""
    if not is_applicant(applicant, application):
        raise PermissionDenied()
    if application.state not in (State.AGREEMENT.value, State.REPORTING.value):
        raise GrantRefused("reports_closed")
    report = GrantFile(
        application_id=application.id,
        kind="report",
        title=title.strip()[:200] or "Relazione",
        stored_name=stored_name,
        size_bytes=size_bytes,
        uploaded_at=now,
    )
    session.add(report)
    session.flush()
    _log(session, applicant, "report_uploaded", application, now, file_id=report.id)
    return report


def accept_report(
    session: Session,
    actor: User,
    application: GrantApplication,
    report: GrantFile,
    *,
    now: datetime,
) -> None:
    _staff(actor)
    if report.application_id != application.id or report.kind != "report":
        raise GrantRefused("report_unknown")
    if report.accepted_at is not None:
        raise GrantRefused("report_accepted")
    report.accepted_at = now
    session.flush()
    _log(session, actor, "report_accepted", application, now, file_id=report.id)
    notify_applicant(session, application, "grant_report_accepted", report=report)


def closing_problem(session: Session, application: GrantApplication) -> str | None:
    """A grant closes once every instalment is paid and its reports are accepted."""
    instalments = instalments_of(session, application.id)
    if not instalments or any(i.paid_at is None for i in instalments):
        return "instalments_unpaid"
    reports = reports_of(session, application.id)
    if not reports or any(r.accepted_at is None for r in reports):
        return "reports_pending"
    return None


def is_editable(application: GrantApplication) -> bool:
    return State(application.state) in EDITABLE
