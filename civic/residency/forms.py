"""Residency desk form: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Email

from ..core.forms import Form

DOCUMENT_LABELS = {
    "carta_identita": _l("Identity card"),
    "passaporto": _l("Passport"),
    "patente": _l("Driving licence"),
    "permesso_soggiorno": _l("Residence permit"),
}


class DeskForm(Form):
    email = EmailField(
        _l("The person's e-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False)],
    )
    municipio_id = SelectField(_l("Municipio of residence"), coerce=int, validate_choice=True)
    birth_date = DateField(_l("Date of birth"), validators=[DataRequired()])
    document_type = SelectField(
        _l("Document seen"),
        validate_choice=True,
        choices=[SelectChoice(k, v) for k, v in DOCUMENT_LABELS.items()],
    )
