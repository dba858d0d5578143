"""The residency desk: staff verify a person's Municipio and age in person."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectChoice

from ..accounts.services import get_user_by_email
from ..core.db import get_session
from ..core.time import utcnow
from ..core.web import require, signed_in
from ..places.queries import list_municipi
from ..proposals.permissions import is_staff
from . import forms, services

bp = Blueprint("residency", __name__)


@bp.route("/gestione/residenza", methods=["GET", "POST"])
@require(is_staff)
def desk() -> str | BaseResponse:
    db = get_session()
    form = forms.DeskForm()
    form.municipio_id.choices = [SelectChoice(a.id, a.label) for a in list_municipi(db)]
    if form.validate_on_submit():
        person = get_user_by_email(db, form.email.data)
        if person is None:
            form.email.errors.append(_("No account has this address."))
        else:
            try:
                services.verify_at_desk(
                    db,
                    current_user,
                    person,
                    municipio_id=form.municipio_id.data,
                    birth_date=form.birth_date.data,
                    document_type=form.document_type.data,
                    now=utcnow(),
                )
            except services.ResidencyRefused:
                form.birth_date.errors.append(_("This date of birth is not possible."))
            else:
                db.commit()
                flash(_("Residency verified."), "success")
                return redirect(url_for("residency.desk"))
    return render_template("residency/desk.html", form=form)


def _census_problem(code: str) -> str:
    messages = {
        "columns": _("three columns are needed: fiscal number, Municipio, date of birth"),
        "fiscal_number": _("the fiscal number is not valid"),
        "municipio": _("the Municipio must be a number from 1 to 9"),
        "birth_date": _("the date of birth must be written YYYY-MM-DD"),
        "duplicate": _("this fiscal number is already on an earlier line"),
        "too_many_rows": _("the file has too many lines"),
        "empty": _("the file has no lines"),
    }
    return str(messages.get(code, code))


@bp.route("/gestione/residenza/anagrafe", methods=["GET", "POST"])
@require(is_staff)
def census() -> str | BaseResponse:
    """Staff import the census file; only keyed hashes of fiscal numbers are kept."""
    from flask import request

    from .census import import_census

    problems: list[tuple[int, str]] = []
    if request.method == "POST":
        upload = request.files.get("file")
        raw = upload.read(64 * 1024 * 1024) if upload else b""
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            flash(_("The file must be a CSV in UTF-8."), "danger")
            return redirect(url_for("residency.census"))
        db = get_session()
        report = import_census(db, current_user, text, now=utcnow())
        if report.problems:
            db.rollback()
            problems = [(line, _census_problem(code)) for line, code in report.problems[:50]]
        else:
            db.commit()
            flash(
                _(
                    "Census imported: %(n)d residents. The file itself is not kept.",
                    n=report.imported,
                ),
                "success",
            )
            return redirect(url_for("residency.census"))
    return render_template("residency/census.html", problems=problems)


@bp.route("/bandi/<slug>/voto/residenza", methods=["POST"])
@require(signed_in)
def declare(slug: str) -> BaseResponse:
    """Self-declared residency, only for calls whose vote accepts it."""
    from datetime import date

    from flask import abort, request

    from ..calls.queries import get_call_by_slug
    from ..voting.models import VoteSettings
    from .census import declare as declare_residency

    db = get_session()
    call = get_call_by_slug(db, slug)
    settings = db.get(VoteSettings, call.id) if call else None
    if call is None or settings is None or not settings.allow_self_declared:
        abort(404)
    back = redirect(url_for("voting.choose_area", slug=slug))
    try:
        born = date.fromisoformat(request.form.get("birth_date", "")[:10])
        municipio_id = int(request.form.get("municipio_id", ""))
    except ValueError:
        flash(_("Give your Municipio and your date of birth."), "warning")
        return back
    if request.form.get("truthful") != "y" or municipio_id not in {a.area_id for a in call.areas}:
        flash(_("Give your Municipio and your date of birth."), "warning")
        return back
    try:
        declare_residency(
            db, current_user, municipio_id=municipio_id, birth_date=born, now=utcnow()
        )
    except services.ResidencyRefused:
        db.rollback()
        flash(_("This date of birth is not possible."), "warning")
        return back
    db.commit()
    flash(_("Thank you: your declaration is recorded."), "success")
    return back
