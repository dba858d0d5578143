"""Execution tracking forms: shape only; the rules live in domain and services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import Euros, Form, WithinYears
from .labels import STATUS_LABELS

PHOTO_SLOTS = 3


class ProgressForm(Form):
    status = SelectField(
        _l("Status"), choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()]
    )
    percent = IntegerField(_l("Progress (%)"), validators=[InputRequired(), NumberRange(0, 100)])
    committed = StringField(_l("Money committed (€)"), validators=[DataRequired(), Euros()])
    spent = StringField(_l("Money spent (€)"), validators=[DataRequired(), Euros()])
    body = TextAreaField(_l("Update for the public"), validators=[Optional(), Length(max=5000)])
    photo_1 = FileField(_l("Photo"))
    alt_1 = StringField(_l("Description of the photo"), validators=[Optional(), Length(max=300)])
    photo_2 = FileField(_l("Photo"))
    alt_2 = StringField(_l("Description of the photo"), validators=[Optional(), Length(max=300)])
    photo_3 = FileField(_l("Photo"))
    alt_3 = StringField(_l("Description of the photo"), validators=[Optional(), Length(max=300)])


class MilestoneForm(Form):
    title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=200)])
    due_on = DateField(_l("Expected on"), validators=[DataRequired(), WithinYears()])


class MilestoneDoneForm(Form):
    done_on = DateField(_l("Reached on"), validators=[DataRequired(), WithinYears()])
