"""The residency desk: staff verify a person's Municipio and age in person."""

from __future__ import annotations

import functools

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..accounts.permissions import is_staff
from ..core.actions import describe, run
from ..core.db import get_session
from ..core.time import utcnow
from ..core.web import require
from ..places.queries import list_municipi
from . import forms, services

bp = Blueprint("residency", __name__)


@bp.route("/gestione/residenza", methods=["GET", "POST"])
@require(is_staff)
def desk() -> ResponseReturnValue:
    form = forms.DeskForm()
    form.municipio_id.choices = [SelectChoice(a.id, a.label) for a in list_municipi(get_session())]
    page = functools.partial(render_template, "residency/desk.html", form=form)
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.verify_at_desk_by_email(
            db,
            current_user,
            form.email.data or "",
            municipio_id=form.municipio_id.data,
            birth_date=form.birth_date.data,
            document_type=form.document_type.data,
            now=utcnow(),
        ),
        form=form,
        again=page,
        fields={"*": "birth_date"},
        to=url_for("residency.desk"),
        done=_("Residency verified."),
    )


@describe(services.ResidencyRefused)
def _words(refused: services.ResidencyRefused) -> str:
    if refused.code == "no_account":
        return str(_("No account has this address."))
    return str(_("This date of birth is not possible."))


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
def census() -> ResponseReturnValue:
    """Staff import the census file; only keyed hashes of fiscal numbers are kept."""
    from .census import import_census_file

    if request.method == "GET":
        return render_template("residency/census.html", problems=[])
    upload = request.files.get("file")
    raw = upload.read(64 * 1024 * 1024) if upload else b""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        flash(_("The file must be a CSV in UTF-8."), "danger")
        return redirect(url_for("residency.census"))
    return run(
        lambda db: import_census_file(db, current_user, text, now=utcnow()),
        to=url_for("residency.census"),
        done=lambda report: _(
            "Census imported: %(n)d residents. The file itself is not kept.", n=report.imported
        ),
        on_refusal=lambda refused: render_template(
            "residency/census.html",
            problems=[
                (line, _census_problem(code))
                for line, code in refused.params.get("problems", [])[:50]
            ],
        ),
    )
