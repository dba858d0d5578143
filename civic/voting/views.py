"""Voting pages: the ballot, the receipt, changing a vote, the paper desk, counting, results."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from ..accounts.services import get_user_by_email
from ..calls import queries as call_queries
from ..calls.domain import PhaseKind, is_phase_open
from ..calls.models import Call
from ..calls.views import language
from ..core.db import get_session
from ..core.jobs import try_enqueue
from ..core.time import utcnow
from ..core.web import require, signed_in
from ..places.queries import list_municipi
from ..proposals.models import BallotAmendment, Proposal
from . import domain, forms, permissions, services, snapshot
from .models import VoteResult, VoterRoll, VoteSettings
from .snapshot import VotingCall
from .tasks import tally_call_job

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


def refusal(exc: services.VoteRefused) -> list[str]:
    """Clear sentences for a refused vote."""
    codes = {
        "voting_closed": _("Voting is not open now."),
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


def _choices() -> dict[int, int]:
    """The ballot as sent: 'p<id>' fields holding 1, points or a rank; anything else ignored."""
    choices: dict[int, int] = {}
    for name, value in request.form.items():
        if name.startswith("p") and name[1:].isdigit() and len(name) < 12:
            text = value.strip()
            number = int(text) if text.lstrip("-").isdigit() and len(text) < 7 else 0
            if number:
                choices[int(name[1:])] = number
    return choices


def _ballot_page(
    call: VotingCall, area_id: int, choices: dict[int, int], errors: list[str], **extra: Any
) -> str:
    area = call.area(area_id)
    if area is None or call.settings is None:
        abort(404)
    return render_template(
        "voting/ballot.html",
        call=call,
        area=area,
        rules=services.ballot_rules(call.settings, call, area_id),
        projects=area.projects,
        choices=choices,
        running=domain.measure(choices, area.costs()),
        errors=errors,
        **extra,
    )


@bp.route("/bandi/<slug>/voto")
@require(signed_in)
def choose_area(slug: str) -> str:
    call = _call(slug)
    db = get_session()
    voted = set(
        db.scalars(
            select(VoterRoll.area_id).where(
                VoterRoll.call_id == call.id, VoterRoll.user_id == current_user.id
            )
        )
    )
    municipi = {a.id: a for a in list_municipi(db)}
    settings = db.get(VoteSettings, call.id)
    residency = _residency(db)
    self_ok = bool(settings and settings.allow_self_declared)
    own = residency.municipio_id if residency and (residency.method != "self" or self_ok) else None
    return render_template(
        "voting/choose_area.html",
        call=call,
        municipi=municipi,
        voted=voted,
        open=is_phase_open(call_queries.windows_of(call), PhaseKind.VOTING, utcnow()),
        own=own,
        may_declare=self_ok and own is None,
        eligible_municipi=[municipi[a.area_id] for a in call.areas],
    )


def _residency(db: Any) -> Any:
    """The person's residency, verified against the census now if it was not yet."""
    from ..residency.census import verify_from_census
    from ..residency.models import Residency

    residency = db.get(Residency, current_user.id)
    if residency is None:
        residency = verify_from_census(db, current_user, now=utcnow())
        db.commit()
    return residency


@bp.route("/bandi/<slug>/voto/<int:area_id>", methods=["GET", "POST"])
@require(signed_in)
def ballot(slug: str, area_id: int) -> str | Response:
    call = _voting_call(slug)
    if call.area(area_id) is None:
        abort(404)
    choices = _choices() if request.method == "POST" else {}
    if request.method == "POST" and request.form.get("action") == "cast":
        db = get_session()
        try:
            cast = services.cast_ballot(db, current_user, call, area_id, choices, now=utcnow())
        except services.VoteRefused as exc:
            db.rollback()
            return _ballot_page(call, area_id, choices, refusal(exc))
        db.commit()
        page = render_template(
            "voting/receipt.html",
            call=call,
            receipt=cast.receipt,
            tracking_code=cast.tracking_code,
            area_id=area_id,
        )
        return Response(page, headers={"Cache-Control": "no-store"})
    return _ballot_page(call, area_id, choices, [])


@bp.route("/bandi/<slug>/voto/<int:area_id>/modifica", methods=["GET", "POST"])
@require(signed_in)
def change(slug: str, area_id: int) -> str | BaseResponse:
    call = _voting_call(slug)
    if call.area(area_id) is None:
        abort(404)
    form = forms.ChangeForm()
    choices = _choices() if request.method == "POST" else {}
    if form.validate_on_submit() and request.form.get("action") == "cast":
        db = get_session()
        try:
            code = services.change_ballot(
                db,
                current_user,
                call,
                area_id,
                form.receipt.data,
                choices,
                now=utcnow(),
                language=language(),
            )
        except services.VoteRefused as exc:
            db.rollback()
            return _ballot_page(call, area_id, choices, refusal(exc), change_form=form)
        db.commit()
        page = render_template(
            "voting/changed.html", call=call, tracking_code=code, area_id=area_id
        )
        return Response(page, headers={"Cache-Control": "no-store"})
    return _ballot_page(call, area_id, choices, [], change_form=form)


@bp.route("/gestione/bandi/<int:call_id>/voto", methods=["GET", "POST"])
@require(permissions.can_run_vote)
def settings(call_id: int) -> str | BaseResponse:
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    current = db.get(VoteSettings, call.id)
    form = forms.VoteSettingsForm(obj=current)
    if request.method == "GET":
        _fill_box_fields(form, current)
    errors: list[str] = []
    if form.validate_on_submit():
        if db.scalar(select(VoterRoll.id).where(VoterRoll.call_id == call.id).limit(1)) is not None:
            flash(_("Ballots exist already: the vote's rules are frozen."), "danger")
            return redirect(url_for("voting.settings", call_id=call.id))
        current = current or VoteSettings(call_id=call.id)
        for field in form:
            if field.name not in (*form.BOX_FIELDS, "csrf_token"):
                field.populate_obj(current, field.name)
        db.add(current)
        try:
            services.set_up_box(
                db,
                current_user,
                call,
                mode=current.secrecy,
                trustee_emails=form.trustee_emails(),
                threshold=form.threshold.data or 1,
                now=utcnow(),
            )
            services.audit_settings(db, current_user, call, current, now=utcnow())
        except services.VoteRefused as exc:
            db.rollback()
            errors = refusal(exc)
        else:
            db.commit()
            flash(_("The vote's settings have been saved."), "success")
            return redirect(url_for("calls.show_call", slug=call.slug))
    box = services.key_of(db, call.id)
    return render_template(
        "voting/settings.html",
        call=call,
        form=form,
        errors=errors,
        box=box,
        trustees=services.trustees_of(db, call.id) if box else [],
    )


def _fill_box_fields(form: forms.VoteSettingsForm, current: VoteSettings | None) -> None:
    """The form as the box stands: the trustees named and the threshold, or the default mode."""
    from flask import current_app

    if current is None:
        form.secrecy.data = current_app.config["BALLOT_DEFAULT_MODE"]
        return
    db = get_session()
    seats = services.trustees_of(db, current.call_id)
    key = services.key_of(db, current.call_id)
    if seats:
        form.trustees.data = "\n".join(_email_of(db, s.user_id) for s in seats)
    if key is not None and key.mode == "trustees":
        form.threshold.data = key.threshold


def _email_of(db: Any, user_id: int) -> str:
    from ..accounts.models import User

    person = db.get(User, user_id)
    return (person.email or "") if person else ""


@bp.route("/gestione/bandi/<int:call_id>/seggio", methods=["GET", "POST"])
@require(permissions.can_run_vote)
def paper_desk(call_id: int) -> str:
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    form = forms.PaperForm()
    area_id = request.form.get("area_id", type=int) or (call.areas[0].area_id if call.areas else 0)
    errors: list[str] = []
    if form.validate_on_submit():
        voter = get_user_by_email(db, form.email.data)
        try:
            if voter is None:
                raise services.VoteRefused("no_such_voter")
            code = services.record_paper_ballot(
                db,
                current_user,
                call,
                voter,
                area_id,
                _choices(),
                desk=form.desk.data,
                now=utcnow(),
            )
        except services.VoteRefused as exc:
            db.rollback()
            errors = (
                refusal(exc) if exc.code != "no_such_voter" else [_("No account has this address.")]
            )
        else:
            db.commit()
            flash(
                _(
                    "The paper ballot has been recorded, sealed like an online one. "
                    "Tracking code for the voter: %(code)s",
                    code=code,
                ),
                "success",
            )
    municipi = {a.id: a for a in list_municipi(db)}
    seen = snapshot.build(db, call.id)  # the ballot as voters online see it, read now
    area = seen.area(area_id) if seen is not None and area_id else None
    projects = area.projects if area is not None else ()
    return render_template(
        "voting/paper_desk.html",
        call=call,
        form=form,
        municipi=municipi,
        area_id=area_id,
        projects=projects,
        errors=errors,
    )


@bp.route("/gestione/bandi/<int:call_id>/scrutinio", methods=["GET", "POST"])
@require(signed_in)
def count(call_id: int) -> str | BaseResponse:
    """The count: staff open a server-key box; trustees enter their shares until k are in."""
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    seats = services.trustees_of(db, call.id)
    seat = next((s for s in seats if s.user_id == current_user.id), None)
    if seat is None and not permissions.can_run_vote(current_user):
        abort(403)
    form = forms.ShareForm()
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.form.get("action") == "share" and seat is not None:
                if not form.validate():
                    raise services.VoteRefused("share_word_count")
                # A savepoint: a refusal undoes the entry and leaves the signed-in person loaded.
                with db.begin_nested():
                    state = services.enter_share(
                        db, current_user, call, form.share.data, now=utcnow()
                    )
                opened = state.opened
            elif permissions.can_run_vote(current_user):
                # Server mode: the count's job opens the box; trustees open theirs above.
                key = services.key_of(db, call.id)
                if not _voting_closed(call):
                    raise services.VoteRefused("voting_not_closed")
                if key is not None and key.mode == "trustees" and key.opened_at is None:
                    raise services.VoteRefused("needs_trustees")
                opened = True
            else:
                abort(403)
        except services.VoteRefused as exc:
            errors = refusal(exc)
        else:
            # End this request's transaction first: the job opens its own and must not wait.
            db.commit()
            if opened:
                _start_tally(call.id)
            else:
                flash(_("Your share has been entered."), "success")
            return redirect(url_for("voting.count", call_id=call.id))
    key = services.key_of(db, call.id)
    return render_template(
        "voting/count.html",
        call=call,
        key=key,
        seats=seats,
        seat=seat,
        form=form,
        errors=errors,
        sealed=services.sealed_count(db, call.id),
        people=_people(db, [s.user_id for s in seats]),
        closed=_voting_closed(call),
    )


def _voting_closed(call: Call) -> bool:
    voting = [w for w in call_queries.windows_of(call) if w.kind is PhaseKind.VOTING]
    return bool(voting) and utcnow() >= voting[-1].ends_at


def _people(db: Any, ids: list[int]) -> dict[int, Any]:
    from ..accounts.models import User

    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _start_tally(call_id: int) -> None:
    if try_enqueue(tally_call_job, call_id, current_user.id):
        flash(
            _("The box is open; the count has started and the results appear when done."), "success"
        )
    else:
        flash(_("The job queue cannot be reached; try again in a minute."), "warning")


@bp.route("/gestione/bandi/<int:call_id>/risultati", methods=["GET", "POST"])
@require(permissions.can_run_vote)
def review(call_id: int) -> str | BaseResponse:
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    form = forms.OverrideForm()
    if form.validate_on_submit():
        result = db.scalar(
            select(VoteResult).where(
                VoteResult.call_id == call.id,
                VoteResult.area_id == request.form.get("area_id", type=int),
            )
        )
        try:
            if result is None:
                raise services.VoteRefused("not_tallied")
            services.override_winner(
                db,
                current_user,
                result,
                form.project_id.data,
                add=form.action.data == "add",
                reason=form.reason.data,
                now=utcnow(),
            )
        except services.VoteRefused as exc:
            db.rollback()
            flash(" ".join(refusal(exc)), "danger")
        else:
            db.commit()
            flash(
                _("The result has been changed; the reason will be published with it."), "success"
            )
        return redirect(url_for("voting.review", call_id=call.id))
    return render_template("voting/review.html", call=call, form=form, **_results(call))


@bp.route("/gestione/bandi/<int:call_id>/pubblica-risultati", methods=["POST"])
@require(permissions.can_run_vote)
def publish(call_id: int) -> BaseResponse:
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    try:
        services.publish_results(db, current_user, call, now=utcnow())
    except services.VoteRefused as exc:
        db.rollback()
        flash(" ".join(refusal(exc)), "danger")
    else:
        db.commit()
        flash(_("The results are public."), "success")
    return redirect(url_for("voting.results", slug=call.slug))


def _results(call: Call) -> dict[str, Any]:
    db = get_session()
    results = db.scalars(
        select(VoteResult).where(VoteResult.call_id == call.id).order_by(VoteResult.area_id)
    ).all()
    ids = {int(p) for r in results for p in r.explanation}
    proposals = {p.id: p for p in db.scalars(select(Proposal).where(Proposal.id.in_(ids)))}
    turnout: dict[int, dict[str, int]] = {}
    for area_id, channel, voters in db.execute(
        select(VoterRoll.area_id, VoterRoll.channel, func.count())
        .where(VoterRoll.call_id == call.id)
        .group_by(VoterRoll.area_id, VoterRoll.channel)
    ):
        turnout.setdefault(area_id, {})[channel] = voters
    for area_id, declared in db.execute(
        select(VoterRoll.area_id, func.count())
        .where(VoterRoll.call_id == call.id, VoterRoll.residency_method == "self")
        .group_by(VoterRoll.area_id)
    ):
        turnout.setdefault(area_id, {})["declared"] = declared
    from ..residency.models import Residency

    for area_id, residents in db.execute(
        select(Residency.municipio_id, func.count()).group_by(Residency.municipio_id)
    ):
        turnout.setdefault(area_id, {})["residents"] = residents
    spent = {
        r.area_id: sum(proposals[w].cost_cents for w in r.winners if w in proposals)
        for r in results
    }
    municipi = {a.id: a for a in list_municipi(db)}
    minimum = services.min_published_ballots()
    amendments = db.scalars(
        select(BallotAmendment)
        .where(BallotAmendment.call_id == call.id)
        .order_by(BallotAmendment.at)
    ).all()
    amended = {a.proposal_id for a in amendments} - set(proposals)
    if amended:
        proposals.update(
            {p.id: p for p in db.scalars(select(Proposal).where(Proposal.id.in_(amended)))}
        )
    return {
        "results": results,
        "proposals": proposals,
        "proposals_all": proposals,
        "turnout": turnout,
        "spent": spent,
        "municipi": municipi,
        "min_published": minimum,
        "small_areas": [municipi[r.area_id].label for r in results if r.ballots < minimum],
        "amendments": amendments,
    }


@bp.route("/bandi/<slug>/risultati")
def results(slug: str) -> str:
    call = _call(slug)
    if services.running_counts_hidden(get_session(), call):
        return render_template("voting/results_pending.html", call=call)
    return render_template("voting/results.html", call=call, **_results(call))


@bp.route("/bandi/<slug>/risultati.csv")
def results_csv(slug: str) -> Response:
    call = _call(slug)
    if services.running_counts_hidden(get_session(), call):
        abort(404)
    data = _results(call)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["municipio", "project_id", "title", "votes", "cost_eur", "funded", "reason", "rule"]
    )
    for result in data["results"]:
        for project_id, why in result.explanation.items():
            proposal = data["proposals"].get(int(project_id))
            writer.writerow(
                [
                    data["municipi"][result.area_id].number,
                    project_id,
                    proposal.title if proposal else "",
                    why["score"],
                    f"{proposal.cost_cents / 100:.2f}" if proposal else "",
                    int(project_id) in result.winners,
                    why["reason"],
                    result.rule,
                ]
            )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{call.slug}-risultati.csv"'},
    )


@bp.route("/bandi/<slug>/risultati/<int:area_id>.pb")
def download_pb(slug: str, area_id: int) -> Response:
    call = _call(slug)
    try:
        text = services.export_pb(get_session(), call, area_id)
    except services.VoteRefused as exc:
        if exc.code == "too_few_to_publish":
            return Response(" ".join(refusal(exc)), status=403, mimetype="text/plain")
        abort(404)
    return Response(
        text,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{call.slug}-{area_id}.pb"'},
    )


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"rule_label": lambda r: str(forms.RULE_LABELS.get(r, r)), "voting_language": language}
