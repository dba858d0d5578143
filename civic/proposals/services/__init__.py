"""Proposal use cases. Each checks permission and phase, flushes, audits, and queues mail."""

from ...core.refusals import PermissionDenied
from . import personal as _personal  # noqa: F401 (registers the proposals' share of personal data)
from .common import NotAllowed, PhaseClosed, review_started
from .discussion import add_comment, appeal, decide_appeal, edit_comment, flag, resolve_flags
from .following import follow, mark_notifications_read, unfollow
from .review import ReviewData, assign_reviewer, record_review, reviewer_ids, start_review
from .submission import (
    ProposalData,
    add_file,
    create_proposal,
    remove_file,
    submit_proposal,
    update_proposal,
    withdraw_proposal,
)
from .supports import count_supports, support_proposal, withdraw_support

__all__ = [
    "NotAllowed",
    "PermissionDenied",
    "PhaseClosed",
    "ProposalData",
    "ReviewData",
    "add_comment",
    "add_file",
    "appeal",
    "assign_reviewer",
    "count_supports",
    "create_proposal",
    "decide_appeal",
    "edit_comment",
    "flag",
    "follow",
    "mark_notifications_read",
    "record_review",
    "remove_file",
    "resolve_flags",
    "review_started",
    "reviewer_ids",
    "start_review",
    "submit_proposal",
    "support_proposal",
    "unfollow",
    "update_proposal",
    "withdraw_proposal",
    "withdraw_support",
]
