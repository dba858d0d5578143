"""Grant forms: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..core.forms import Euros, Form
from ..crowdfunding.forms import Lines

SECTION_LABELS = {
    "idea": _l("The idea"),
    "need": _l("The neighbourhood's need"),
    "novelty": _l("What is new"),
    "sustainability": _l("How it lasts beyond public money"),
    "team": _l("The team"),
    "timeline": _l("Timeline"),
}


class ApplicationForm(Form):
    title = StringField(_l("Project title"), validators=[Optional(), Length(max=200)])
    group_name = StringField(_l("Name of the group"), validators=[Optional(), Length(max=200)])
    organisation_name = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    legal_form = StringField(_l("Legal form"), validators=[Optional(), Length(max=60)])
    tax_code = StringField(
        _l("Codice fiscale or partita IVA"), validators=[Optional(), Length(max=16)]
    )
    area_id = SelectField(_l("Municipio"), coerce=int, validate_choice=True)
    idea = TextAreaField(SECTION_LABELS["idea"], validators=[Optional(), Length(max=10000)])
    need = TextAreaField(SECTION_LABELS["need"], validators=[Optional(), Length(max=10000)])
    novelty = TextAreaField(SECTION_LABELS["novelty"], validators=[Optional(), Length(max=10000)])
    sustainability = TextAreaField(
        SECTION_LABELS["sustainability"], validators=[Optional(), Length(max=10000)]
    )
    team = TextAreaField(SECTION_LABELS["team"], validators=[Optional(), Length(max=10000)])
    timeline = TextAreaField(SECTION_LABELS["timeline"], validators=[Optional(), Length(max=10000)])
    budget = TextAreaField(
        _l("Budget, one line per item: what | amount in euro"),
        validators=[Optional(), Length(max=5000), Lines(amounts=True)],
    )
    cofunding = StringField(_l("Co-funding you bring (€)"), validators=[Optional(), Euros()])


class InviteForm(Form):
    email = EmailField(
        _l("E-mail address of the resident"),
        validators=[DataRequired(), Email(check_deliverability=False)],
    )


class SettingsForm(Form):
    max_grant = StringField(_l("Maximum grant (€)"), validators=[DataRequired(), Euros()])
    criteria = TextAreaField(
        _l("Criteria, one per line: code | label | weight | threshold (0-5)"),
        validators=[DataRequired(), Length(max=3000)],
    )
    overall_threshold = StringField(
        _l("Overall threshold (0-5, half points)"), validators=[DataRequired(), Length(max=4)]
    )
    jurors_per_application = IntegerField(
        _l("Jurors per application"), validators=[InputRequired(), NumberRange(1, 20)]
    )
    disagreement = StringField(
        _l("Flag a disagreement above this spread (points)"),
        validators=[DataRequired(), Length(max=4)],
    )
    tie_break = StringField(
        _l("Tie-break: 'earlier' or 'criterion:<code>'"),
        validators=[DataRequired(), Length(max=40)],
    )
    ranking_basis = SelectField(
        _l("Rank by"),
        choices=[
            SelectChoice("raw", _l("Raw weighted score")),
            SelectChoice("normalised", _l("Normalised (z-scores)")),
        ],
    )
    mode = SelectField(
        _l("Evaluation"),
        choices=[
            SelectChoice("single", _l("One deadline, one evaluation")),
            SelectChoice("rolling", _l("Rolling: evaluation sessions at cut-off dates")),
        ],
    )
    cutoffs = TextAreaField(
        _l("Cut-off dates of a rolling call, one per line (YYYY-MM-DD)"),
        validators=[Optional(), Length(max=1000)],
    )
    blind = BooleanField(_l("Blind review: jurors do not see applicants' names"))
    allow_organisations = BooleanField(_l("Organisations may apply, not only groups"))


class FormalCheckForm(Form):
    outcome = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice("admissible", _l("Admissible: to the jury")),
            SelectChoice("integration", _l("Integration requested")),
            SelectChoice("inadmissible", _l("Inadmissible")),
        ],
    )
    reason = TextAreaField(_l("Reason or request"), validators=[Optional(), Length(max=2000)])
    sections = StringField(
        _l("Sections to integrate (comma-separated codes)"), validators=[Optional()]
    )
    until = DateTimeLocalField(
        _l("Integration deadline"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )


class ReportForm(Form):
    body = TextAreaField(
        _l("Consensus report (the applicant's feedback)"),
        validators=[DataRequired(), Length(max=20000)],
    )


class DeclarationForm(Form):
    # No default: the juror must choose, so "no conflict" is never declared by accident.
    conflict = RadioField(
        _l("Conflict of interest"),
        choices=[
            SelectChoice("no", _l("I have no conflict of interest with this application")),
            SelectChoice("yes", _l("I have a conflict of interest")),
        ],
        validators=[InputRequired(message=_l("Say whether you have a conflict of interest."))],
    )
    reason = StringField(_l("If so, why"), validators=[Optional(), Length(max=500)])


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class InstalmentsForm(Form):
    plan = TextAreaField(
        _l("Instalments, one per line: amount in euros | due date (YYYY-MM-DD)"),
        validators=[DataRequired(), Length(max=2000)],
    )
