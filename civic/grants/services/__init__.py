"""Grant use cases, by stage in the modules of this package; what they share is here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from ...accounts.models import User
from ...core import audit
from ...core.mail import queue_email
from ...core.refusals import PermissionDenied, Refused
from .. import personal as _personal  # noqa: F401 (registers the grants share of personal data)
from ..models import GrantApplication
from ..permissions import can_manage_grants
from ..states import EDITABLE, State


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


def is_editable(application: GrantApplication) -> bool:
    return State(application.state) in EDITABLE


# Each use case lives in the module of its concern; callers import them from here.
from .applying import (  # noqa: E402
    Draft,
    Saved,
    _may_edit,
    add_attachment,
    confirm_member,
    confirmed_members,
    invite_member,
    save_and_submit,
    save_draft,
    start_application,
    submission_problems,
    submit,
)
from .award import (  # noqa: E402
    accept_report,
    add_report,
    award_step,
    closing_problem,
    instalments_of,
    mark_paid,
    plan_instalments,
    reports_of,
)
from .review import decide_formal_check, save_consensus_report, send_integration, start_formal_check  # noqa: E402
from .rules import SettingsData, deadline, frozen, save_settings  # noqa: E402

__all__ = [
    "Draft",
    "GrantRefused",
    "Saved",
    "SettingsData",
    "_may_edit",
    "accept_report",
    "add_attachment",
    "add_report",
    "award_step",
    "closing_problem",
    "confirm_member",
    "confirmed_members",
    "deadline",
    "decide_formal_check",
    "frozen",
    "instalments_of",
    "invite_member",
    "is_editable",
    "mark_paid",
    "notify_applicant",
    "plan_instalments",
    "reports_of",
    "save_and_submit",
    "save_consensus_report",
    "save_draft",
    "save_settings",
    "send_integration",
    "start_application",
    "start_formal_check",
    "submission_problems",
    "submit",
]
