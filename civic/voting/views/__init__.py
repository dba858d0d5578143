"""Voting pages: the ballot, the receipt, changing a vote, the paper desk, counting, results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...calls import queries as call_queries
from ...calls import sections as call_sections
from ...calls.domain import PhaseKind, is_phase_open
from ...calls.models import Call
from ...calls.views import language
from ...core.actions import describe
from ...core.db import get_session
from ...places.queries import list_municipi
from .. import domain, forms, queries, services, snapshot
from ..models import VoteSettings
from ..snapshot import VotingCall

bp = Blueprint("voting", __name__)


PROBLEMS = {
    domain.Problem.EMPTY: _l("Choose at least one project."),
    domain.Problem.UNKNOWN_PROJECT: _l("One of the projects is not on this ballot."),
    domain.Problem.REPEATED: _l("Each rank can be used once."),
    domain.Problem.TOO_FEW: _l("Choose more projects (ranks must be 1, 2, 3 … without gaps)."),
    domain.Problem.TOO_MANY: _l("Choose fewer projects."),
    domain.Problem.OVER_BUDGET: _l("The projects chosen cost more than the budget."),
    domain.Problem.NEGATIVE_POINTS: _l("Points cannot be negative."),
    domain.Problem.POINTS_NOT_ALL_USED: _l("Use all your points."),
    domain.Problem.TOO_MANY_POINTS: _l("You have used more points than you have."),
}


@describe(services.VoteRefused)
def _words(refused: services.VoteRefused) -> str:
    return " ".join(refusal(refused))


def refusal(exc: Any) -> list[str]:
    """Clear sentences for a refused vote."""
    codes = {
        "voting_closed": _("Voting is not open now."),
        "no_such_voter": _("No account has this address."),
        "already_voted": _("This person has already voted in this Municipio."),
        "not_verified": _(
            "To vote, sign in with SPID or CIE (residents in the census are verified at once) "
            "or have your residency verified at a city desk."
        ),
        "too_young": _("You are younger than the minimum age this vote sets."),
        "area_not_open": _(
            "You cannot vote in this Municipio: check the Municipio in your profile."
        ),
        "bad_receipt": _("This receipt code is not valid for this ballot."),
        "no_online_ballot": _("There is no online ballot of yours to change here."),
        "no_vote": _("This call has no vote."),
        "desk_required": _("Say which desk the paper ballot comes from."),
        "voting_not_closed": _("The votes can be counted only after voting has closed."),
        "reason_required": _("A public reason is required."),
        "already_published": _("Published results cannot be changed."),
        "not_tallied": _("Count the votes first."),
        "nothing_to_change": _("Nothing to change."),
        "not_published": _("The results are not published yet."),
        "rules_frozen": _("Ballots exist already: the vote's rules are frozen."),
        "min_above_max": _("The minimum cannot be more than the maximum."),
        "min_score_needed": _("Give the votes a project needs: this rule funds none below it."),
        "reserve_needed": _(
            "Give the share of the next project the reserve step needs (1 to 100)."
        ),
        "min_above_projects": _(
            "The minimum cannot be more than the projects on the smallest ballot (%(n)s).",
            n=getattr(exc, "params", {}).get("count", ""),
        ),
        "max_above_projects": _(
            "The maximum cannot be more than the projects on the largest ballot (%(n)s).",
            n=getattr(exc, "params", {}).get("count", ""),
        ),
        "trustee_count": _("Name between 1 and 16 trustees, one e-mail address per line."),
        "bad_threshold": _(
            "The trustees needed to count must be between 1 and the trustees named."
        ),
        "box_not_ready": _(
            "The ballot box is not ready: the trustees have not all received their shares yet."
        ),
        "box_sealed": _("The ballot box has not been opened yet: open it to count."),
        "box_opened": _("The ballot box has already been opened."),
        "needs_trustees": _("This box opens only with the trustees' shares."),
        "wrong_key": _("The shares do not rebuild this call's key."),
        "already_handed_out": _("The shares have already been handed out."),
        "share_collected": _("You have already collected your share: it is shown only once."),
        "share_not_ready": _("Your share is not ready yet: every trustee must be ready first."),
        "pickup_lost": _(
            "This browser no longer holds the key to collect your share (you signed out or "
            "used another browser). Staff must set up the trustees again."
        ),
        "share_word_count": _("A share has exactly 33 words."),
        "share_checksum": _(
            "The words do not form a valid share: one of them is mistyped or out of order."
        ),
        "share_not_yours": _("This is not your share for this call."),
        "too_few_to_publish": _(
            "Too few ballots in this area to publish them one by one: only totals are public."
        ),
    }
    if exc.code == "invalid_ballot":
        return [str(PROBLEMS[p]) for p in exc.problems]
    if exc.code == "no_such_trustee":
        return [_("No account has the address %(email)s.", email=exc.detail)]
    if exc.code == "trustee_twice":
        return [_("%(email)s is named twice.", email=exc.detail)]
    if exc.code == "share_unknown_word":
        return [_("Word %(n)s is not a word of the share list: check its spelling.", n=exc.detail)]
    return [codes.get(exc.code, _("This action is not possible now."))]


def _call(slug: str) -> Call:
    call = call_queries.get_call_by_slug(get_session(), slug)
    if (
        call is None
        or call.published_at is None
        or get_session().get(VoteSettings, call.id) is None
    ):
        abort(404)
    return call


def _voting_call(slug: str) -> VotingCall:
    """The call as its ballots see it (kept per process while its revision stamp holds)."""
    call = snapshot.voting_call(get_session(), slug)
    if call is None or not call.published or call.settings is None:
        abort(404)
    return call


def _results(call: Call) -> dict[str, Any]:
    db = get_session()
    results = queries.results_of(db, call.id)
    proposals = queries.proposals_by_id(db, {int(p) for r in results for p in r.explanation})
    turnout = queries.turnout(db, call.id)
    spent = {
        r.area_id: sum(proposals[w].cost_cents for w in r.winners if w in proposals)
        for r in results
    }
    municipi = {a.id: a for a in list_municipi(db)}
    minimum = services.min_published_ballots()
    amendments = queries.amendments_of(db, call.id)
    proposals.update(
        queries.proposals_by_id(db, {a.proposal_id for a in amendments} - set(proposals))
    )
    settings = db.get(VoteSettings, call.id)
    return {
        "results": results,
        "rule_text": _rule_text(settings),
        "proposals": proposals,
        "proposals_all": proposals,
        "turnout": turnout,
        "spent": spent,
        "municipi": municipi,
        "min_published": minimum,
        "small_areas": [municipi[r.area_id].label for r in results if r.ballots < minimum],
        "amendments": amendments,
    }


def _rule_text(settings: VoteSettings | None) -> dict[str, str]:
    """Each rule in words with the call's own numbers, for the results."""
    from ..rule_texts import RULES, explain

    numbers = {
        "min_score": settings.min_score if settings else 0,
        "reserve_percent": settings.reserve_percent if settings else 0,
    }
    return {rule: explain(rule, **numbers) for rule in RULES}


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    from ..rule_texts import official_name

    return {
        "rule_label": lambda r: str(forms.RULE_LABELS.get(r, r)),
        "rule_official_name": official_name,
        "voting_language": language,
    }


def _has_vote(db: Any, call: Call, _now: datetime) -> bool:
    """On a call's page: whether the call has a vote."""
    return db.get(VoteSettings, call.id) is not None


def _voting_open(db: Any, call: Call, now: datetime) -> bool:
    """On a call's page: whether its vote is open now."""
    open_now = is_phase_open(call_queries.windows_of(call), PhaseKind.VOTING, now)
    return open_now and _has_vote(db, call, now)


call_sections.add_part("has_vote", _has_vote)


call_sections.add_part("voting_open", _voting_open)


# The pages register their routes on bp when imported.
from . import count, public, staff, voter  # noqa: E402, F401
