"""Writing a proposal: new, edit, submit, withdraw, files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from ...calls.models import Call
from ...calls.views import language
from ...core.db import get_session
from ...core.money import format_eur, parse_eur
from ...core.time import utcnow
from ...core.web import require, signed_in
from ...places.queries import list_municipi
from .. import forms, permissions, services
from ..models import ProposalFile
from . import REFUSALS, _act, _call, _proposal, bp, refusal


def _proposal_form(call: Call, obj: Any = None) -> forms.ProposalForm:
    db = get_session()
    municipi = {a.id: a for a in list_municipi(db)}
    form = forms.ProposalForm(obj=obj)
    form.area_id.choices = [SelectChoice(a.area_id, municipi[a.area_id].label) for a in call.areas]
    form.theme_id.choices = [SelectChoice(t.id, t.name(language())) for t in call.themes]
    return form


def _data(form: forms.ProposalForm) -> services.ProposalData:
    return services.ProposalData(
        title=form.title.data,
        body_md=form.body_md.data,
        area_id=form.area_id.data,
        theme_id=form.theme_id.data,
        cost_cents=parse_eur(form.cost.data, "it"),
        lat=float(form.lat.data) if form.lat.data is not None else None,
        lon=float(form.lon.data) if form.lon.data is not None else None,
    )


@bp.route("/bandi/<slug>/proposte/nuova", methods=["GET", "POST"])
@require(signed_in)
def new_proposal(slug: str) -> str | BaseResponse:
    call = _call(slug)
    form = _proposal_form(call)
    if form.validate_on_submit():
        db = get_session()
        try:
            proposal = services.create_proposal(
                db,
                current_user,
                call,
                _data(form),
                submit=form.action.data == "submit",
                now=utcnow(),
            )
        except REFUSALS as exc:
            flash(refusal(exc), "danger")
        else:
            db.commit()
            flash(
                _("Your proposal has been submitted.")
                if proposal.status == "submitted"
                else _("Your draft has been saved."),
                "success",
            )
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    return render_template(
        "proposals/edit_proposal.html",
        form=form,
        call=call,
        proposal=None,
        tile_url=current_app.config["MAP_TILE_URL"],
    )


@bp.route("/proposte/<int:proposal_id>/modifica", methods=["GET", "POST"])
@require(signed_in)
def edit_proposal(proposal_id: int) -> str | BaseResponse:
    proposal, call = _proposal(proposal_id)
    if not permissions.can_edit_proposal(current_user, proposal):
        abort(403)
    form = _proposal_form(call, obj=proposal)
    if request.method == "GET":
        form.cost.data = format_eur(proposal.cost_cents, "it").removeprefix("€ ")
    if form.validate_on_submit():
        db = get_session()
        try:
            services.update_proposal(db, current_user, proposal, call, _data(form), now=utcnow())
            if form.action.data == "submit" and proposal.status == "draft":
                services.submit_proposal(db, current_user, proposal, call, now=utcnow())
        except REFUSALS as exc:
            db.rollback()
            flash(refusal(exc), "danger")
        else:
            db.commit()
            flash(_("Your changes have been saved."), "success")
            return redirect(url_for("proposals.show_proposal", proposal_id=proposal.id))
    return render_template(
        "proposals/edit_proposal.html",
        form=form,
        call=call,
        proposal=proposal,
        file_form=forms.FileForm(),
        tile_url=current_app.config["MAP_TILE_URL"],
    )


@bp.route("/proposte/<int:proposal_id>/invia", methods=["POST"])
@require(signed_in)
def submit_proposal(proposal_id: int) -> BaseResponse:
    return _act(
        proposal_id,
        lambda db, p, c: services.submit_proposal(db, current_user, p, c, now=utcnow()),
        _("Your proposal has been submitted."),
    )


@bp.route("/proposte/<int:proposal_id>/ritira", methods=["POST"])
@require(signed_in)
def withdraw_proposal(proposal_id: int) -> BaseResponse:
    return _act(
        proposal_id,
        lambda db, p, c: services.withdraw_proposal(db, current_user, p, now=utcnow()),
        _("Your proposal has been withdrawn."),
    )


@bp.route("/proposte/<int:proposal_id>/file", methods=["POST"])
@require(signed_in)
def add_file(proposal_id: int) -> BaseResponse:
    proposal, _ignored = _proposal(proposal_id)
    if not permissions.can_edit_proposal(current_user, proposal):
        abort(403)
    form = forms.FileForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to upload."), "danger")
        return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id))
    folder = Path(current_app.config["UPLOAD_DIR"]) / "proposals"
    _act(
        proposal_id,
        lambda db, p, c: services.add_file(
            db,
            current_user,
            p,
            c,
            kind=form.kind.data,
            filename=form.file.data.filename or "",
            stream=form.file.data.stream,
            folder=folder,
            now=utcnow(),
        ),
        _("The file has been added."),
    )
    return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id))


@bp.route("/proposte/<int:proposal_id>/file/<int:file_id>/elimina", methods=["POST"])
@require(signed_in)
def remove_file(proposal_id: int, file_id: int) -> BaseResponse:
    record = get_session().get(ProposalFile, file_id) or abort(404)
    _act(
        proposal_id,
        lambda db, p, c: services.remove_file(db, current_user, p, record, c, now=utcnow()),
        _("The file has been removed."),
    )
    return redirect(url_for("proposals.edit_proposal", proposal_id=proposal_id))
