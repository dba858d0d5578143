"""Proposal forms: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import Euros, Finite, Form
from ..core.web import DATABASE_ID_MAX


class ProposalForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=5, max=200)])
    body_md = TextAreaField(
        _l("Description"), validators=[DataRequired(), Length(min=20, max=20000)]
    )
    area_id = SelectField(_l("Municipio"), coerce=int, validate_choice=True)
    theme_id = SelectField(_l("Theme"), coerce=int, validate_choice=True)
    cost = StringField(
        _l("Estimated cost (€)"), validators=[DataRequired(), Length(max=20), Euros()]
    )
    # Only to look the place up (places.address_search): a proposal keeps its coordinates.
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    lat = DecimalField(
        _l("Latitude"), places=6, validators=[Optional(), Finite(), NumberRange(-90, 90)]
    )
    lon = DecimalField(
        _l("Longitude"), places=6, validators=[Optional(), Finite(), NumberRange(-180, 180)]
    )
    action = HiddenField(default="draft")


class FileForm(Form):
    kind = RadioField(
        _l("Kind of file"),
        choices=[SelectChoice("image", _l("Image")), SelectChoice("document", _l("PDF document"))],
        default="image",
        validators=[InputRequired()],
    )
    file = FileField(_l("File"), validators=[FileRequired()])


class CommentForm(Form):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(min=2, max=3000)])
    parent_id = IntegerField(validators=[Optional(), NumberRange(1, DATABASE_ID_MAX)])


class FlagForm(Form):
    reason = TextAreaField(
        _l("Why should staff look at this?"), validators=[DataRequired(), Length(min=5, max=1000)]
    )


class AppealForm(Form):
    text = TextAreaField(
        _l("Why should it be shown again?"), validators=[DataRequired(), Length(min=5, max=2000)]
    )


class ResolveForm(Form):
    public_reason = TextAreaField(_l("Public reason"), validators=[Optional(), Length(max=1000)])


class AssignForm(Form):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int, validate_choice=True)


class ReviewForm(Form):
    outcome = RadioField(
        _l("Outcome"),
        choices=[
            SelectChoice("feasible", _l("Feasible")),
            SelectChoice("not_feasible", _l("Not feasible")),
        ],
        validators=[InputRequired()],
    )
    public_reason = TextAreaField(
        _l("Public reason"), validators=[DataRequired(), Length(min=5, max=5000)]
    )
    cost_estimate = StringField(
        _l("Staff cost estimate (€)"), validators=[DataRequired(), Length(max=20), Euros()]
    )
    running_cost = StringField(
        _l("First-year running cost (€)"), validators=[DataRequired(), Length(max=20), Euros()]
    )
    duration_months = IntegerField(
        _l("Duration (months)"), validators=[InputRequired(), NumberRange(0, 240)]
    )
    private_notes = TextAreaField(
        _l("Private notes (staff only)"), validators=[Optional(), Length(max=5000)]
    )
    ballot_override_reason = TextAreaField(
        _l("Voting has opened: public reason for changing the ballot (administrators only)"),
        validators=[Optional(), Length(max=2000)],
    )
