"""Writing a proposal: new, edit, submit, withdraw, files."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ...calls.models import Call
from ...calls.views import language
from ...core.actions import run
from ...core.db import get_session
from ...core.money import format_eur, parse_eur
from ...core.time import utcnow
from ...core.web import require, signed_in
from ...places import address_search
from ...places.queries import list_municipi
from .. import forms, permissions, services
from ..models import ProposalFile
from . import _call, _page, _proposal, bp


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
        bounds=current_app.config["CITY_BOUNDS"],
    )


@bp.route("/bandi/<slug>/proposte/nuova", methods=["GET", "POST"])
@require(signed_in)
def new_proposal(slug: str) -> ResponseReturnValue:
    call = _call(slug)
    form = _proposal_form(call)
    page = functools.partial(_edit_page, form, call, None)
    if request.method == "GET":
        return page()
    if address_search.FIND in request.form.getlist("action"):
        address_search.fill_in(form)
        return page()
    return run(
        lambda db: services.create_proposal(
            db, current_user, call, _data(form), submit=form.action.data == "submit", now=utcnow()
        ),
        form=form,
        again=page,
        to=lambda proposal: _page(proposal.id),
        done=lambda proposal: (
            _("Your proposal has been submitted.")
            if proposal.status == "submitted"
            else _("Your draft has been saved.")
        ),
    )


def _edit_page(form: forms.ProposalForm, call: Call, proposal: Any) -> str:
    return render_template(
        "proposals/edit_proposal.html",
        form=form,
        call=call,
        proposal=proposal,
        file_form=forms.FileForm() if proposal is not None else None,
        tile_url=current_app.config["MAP_TILE_URL"],
        find_address=address_search.available(),
    )


@bp.route("/proposte/<int:proposal_id>/modifica", methods=["GET", "POST"])
@require(signed_in)
def edit_proposal(proposal_id: int) -> ResponseReturnValue:
    proposal, call = _proposal(proposal_id)
    if not permissions.can_edit_proposal(current_user, proposal):
        abort(403)
    form = _proposal_form(call, obj=proposal)
    page = functools.partial(_edit_page, form, call, proposal)
    if request.method == "GET":
        form.cost.data = format_eur(proposal.cost_cents, "it").removeprefix("€ ")
        return page()
    if address_search.FIND in request.form.getlist("action"):
        address_search.fill_in(form)
        return page()
    return run(
        lambda db: services.update_proposal(
            db,
            current_user,
            proposal,
            call,
            _data(form),
            submit=form.action.data == "submit",
            now=utcnow(),
        ),
        form=form,
        again=page,
        to=_page(proposal.id),
        done=_("Your changes have been saved."),
    )


@bp.route("/proposte/<int:proposal_id>/invia", methods=["POST"])
@require(signed_in)
def submit_proposal(proposal_id: int) -> ResponseReturnValue:
    proposal, call = _proposal(proposal_id)
    return run(
        lambda db: services.submit_proposal(db, current_user, proposal, call, now=utcnow()),
        to=_page(proposal_id),
        done=_("Your proposal has been submitted."),
    )


@bp.route("/proposte/<int:proposal_id>/ritira", methods=["POST"])
@require(signed_in)
def withdraw_proposal(proposal_id: int) -> ResponseReturnValue:
    proposal, _call_of = _proposal(proposal_id)
    return run(
        lambda db: services.withdraw_proposal(db, current_user, proposal, now=utcnow()),
        to=_page(proposal_id),
        done=_("Your proposal has been withdrawn."),
    )


@bp.route("/proposte/<int:proposal_id>/file", methods=["POST"])
@require(signed_in)
def add_file(proposal_id: int) -> ResponseReturnValue:
    proposal, call = _proposal(proposal_id)
    if not permissions.can_edit_proposal(current_user, proposal):
        abort(403)
    form = forms.FileForm()
    folder = Path(current_app.config["UPLOAD_DIR"]) / "proposals"
    return run(
        lambda db: services.add_file(
            db,
            current_user,
            proposal,
            call,
            kind=form.kind.data,
            filename=form.file.data.filename or "",
            stream=form.file.data.stream,
            folder=folder,
            now=utcnow(),
        ),
        form=form,
        invalid=_("Choose a file to upload."),
        to=url_for("proposals.edit_proposal", proposal_id=proposal_id),
        done=_("The file has been added."),
    )


@bp.route("/proposte/<int:proposal_id>/file/<int:file_id>/elimina", methods=["POST"])
@require(signed_in)
def remove_file(proposal_id: int, file_id: int) -> ResponseReturnValue:
    record = get_session().get(ProposalFile, file_id) or abort(404)
    proposal, call = _proposal(proposal_id)
    return run(
        lambda db: services.remove_file(db, current_user, proposal, record, call, now=utcnow()),
        to=url_for("proposals.edit_proposal", proposal_id=proposal_id),
        done=_("The file has been removed."),
    )
