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
from ..core.web import require
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
