"""Proposal pages: the blueprint and what its pages share; the pages live in submodules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    g,
    has_request_context,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.loader import load_with_person
from ...calls import queries as call_queries
from ...calls import sections as call_sections
from ...calls.domain import CallKind, PhaseKind
from ...calls.models import Call
from ...calls.views import upload_message
from ...core.actions import describe
from ...core.db import get_session
from ...core.time import utcnow
from ...core.uploads import UploadRefused
from .. import permissions, queries, services
from ..domain import IllegalMove, Status

bp = Blueprint("proposals", __name__)

# The header's count of unread notifications comes with the signed-in person's own query.
load_with_person("unread_notifications", queries.unread_count_of)

bp = Blueprint("proposals", __name__)


def status_label(status: str) -> str:
    labels = {
        Status.DRAFT: _("Draft"),
        Status.SUBMITTED: _("Submitted"),
        Status.IN_REVIEW: _("In review"),
        Status.FEASIBLE: _("Feasible"),
        Status.NOT_FEASIBLE: _("Not feasible"),
        Status.WITHDRAWN: _("Withdrawn"),
        Status.HIDDEN: _("Hidden"),
    }
    return str(labels[Status(status)])


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    helpers: dict[str, Any] = {"status_label": status_label, "unread_count": 0}
    if has_request_context() and current_user.is_authenticated:
        known = g.get("unread_notifications")  # read with the person at sign-in loading
        helpers["unread_count"] = (
            known if known is not None else queries.count_unread(get_session(), current_user.id)
        )
    return helpers


@describe(services.PhaseClosed)
@describe(services.NotAllowed)
@describe(IllegalMove)
def refusal(exc: Exception) -> str:
    """A clear sentence for a refused action."""
    return str(_refusal(exc))


def _refusal(exc: Exception) -> Any:
    if isinstance(exc, services.PhaseClosed):
        return {
            PhaseKind.SUBMISSION: _(
                "Proposals can be submitted only while the submission phase is open."
            ),
            PhaseKind.SUPPORTS: _(
                "Supports can be given or withdrawn only while the supports phase is open."
            ),
        }.get(exc.phase, _("This call is not in the right phase for this."))
    if isinstance(exc, IllegalMove):
        return _(
            "This proposal cannot go from “%(a)s” to “%(b)s”.",
            a=status_label(exc.source),
            b=status_label(exc.target),
        )
    if isinstance(exc, UploadRefused):
        return upload_message(exc.code)
    code = getattr(exc, "code", "")
    return {
        "area_not_eligible": _("This Municipio is not part of the call."),
        "theme_not_in_call": _("This theme is not part of the call."),
        "incomplete_location": _("Give both latitude and longitude, or neither."),
        "already_reviewed": _("This proposal's feasibility has already been decided."),
        "outside_city": _("This place is outside the city: choose it on the map of the city."),
        "outside_area": _("This place is outside the Municipio you chose."),
        "cost_missing": _("Give the project's estimated cost."),
        "cost_above_budget": _(
            "The cost cannot be more than the Municipio's budget (%(budget)s).",
            budget=getattr(exc, "params", {}).get("budget", ""),
        ),
        "not_editable": _("This proposal can no longer be changed: the review has started."),
        "too_many_files": _("A proposal can have at most 5 images and 5 PDF documents."),
        "not_supportable": _("This proposal cannot be supported now."),
        "edit_window_closed": _("Comments can be edited only in the first 15 minutes."),
        "bad_parent": _("Replies can only answer a comment of this proposal."),
        "reason_required": _("A public reason is required."),
        "ballot_frozen": _(
            "Voting has opened: the projects on the ballot are fixed. Only an administrator can "
            "change them, with a public reason shown on the results."
        ),
        "not_hidden": _("This content is not hidden."),
        "already_appealed": _("You have already appealed once."),
        "already_decided": _("This has already been decided."),
        "not_hideable": _("This proposal cannot be hidden."),
    }.get(code, _("This action is not possible now."))


def _call(slug: str) -> Call:
    call = call_queries.get_call_by_slug(get_session(), slug)
    if call is None or call.published_at is None or call.kind != "participatory_budget":
        abort(404)
    return call


def _proposal(proposal_id: int) -> tuple[Any, Call]:
    db = get_session()
    proposal = queries.get_proposal(db, proposal_id) or abort(404)
    if not permissions.can_view_proposal(current_user, proposal):
        abort(404)
    call = call_queries.get_call(db, proposal.call_id)
    assert call is not None
    return proposal, call


def _filters() -> queries.ProposalFilters:
    def number(name: str) -> int | None:
        raw = request.args.get(name, "")
        return int(raw) if raw.isdigit() and len(raw) < 10 else None

    raw_status = request.args.get("stato", "")
    sort = request.args.get("ordine", "newest")
    seed = session.setdefault("seed", utcnow().microsecond)
    return queries.ProposalFilters(
        area_id=number("municipio"),
        theme_id=number("tema"),
        status=Status(raw_status) if raw_status in {s.value for s in Status} else None,
        text=request.args.get("q", "")[:200],
        sort=sort if sort in queries.SORTS else "newest",
        seed=int(seed),
    )


def _page(proposal_id: int) -> str:
    """The proposal's page: where its actions come back to."""
    return url_for("proposals.show_proposal", proposal_id=proposal_id)


# The pages register their routes on bp when imported.
from . import authoring, participation, public, staff  # noqa: E402, F401  (they register routes)


def _call_page_part(db: Any, call: Call, _now: datetime) -> Any:
    """On a participatory budget's page: its six newest public proposals."""
    if call.kind != CallKind.PARTICIPATORY_BUDGET.value:
        return None
    return queries.list_proposals(db, call.id, queries.ProposalFilters(), 1, per_page=6)


call_sections.add_part("latest", _call_page_part)
call_sections.add_use(
    "proposals", queries.call_has_proposals
)  # a call with proposals has frozen rules
