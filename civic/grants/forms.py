"""Grant forms: shape only."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..admin.audit_labels import register_values
from ..core.forms import Euros, Form, WithinYears
from ..core.rows import RowForm, filled, rows_of
from ..crowdfunding.forms import BudgetRow
from . import sessions

SECTION_LABELS = {
    "idea": _l("The idea"),
    "need": _l("The neighbourhood's need"),
    "novelty": _l("What is new"),
    "sustainability": _l("How it lasts beyond public money"),
    "team": _l("The team"),
    "timeline": _l("Timeline"),
}
# What staff may ask an applicant to complete: a section, or the budget.
INTEGRATION_LABELS = {**SECTION_LABELS, "budget": _l("Budget")}


def half_points(text: str) -> int:
    """'2,5' -> 5: a score from 0 to 5 in half points, as twice its value."""
    value = Fraction(text.strip().replace(",", ".")) * 2
    if value.denominator != 1 or not 0 <= value <= 10:
        raise ValueError(text)
    return int(value)


class HalfPoints:
    """A score from 0 to 5 in half points, such as 3 or 2,5; empty is left to the field."""

    def __call__(self, form: object, field: Any) -> None:
        if not (field.data or "").strip():
            return
        try:
            half_points(field.data)
        except (ValueError, ZeroDivisionError):
            raise ValidationError(
                str(_l("Write a score from 0 to 5 in half points, such as 2,5."))
            ) from None


class Cutoff(RowForm):
    """One cut-off date of a rolling call."""

    day = DateField(_l("Cut-off date"), validators=[DataRequired(), WithinYears()])

    def blank(self) -> bool:
        return not any(self.day.raw_data or [])


def cutoff_days(field: Any) -> list[str]:
    """The cut-off dates as sorted ISO days (a repeated day refused beside the editor)."""
    return sessions.ordered([row["day"] for row in filled(field)])


class CriterionRow(RowForm):
    """One criterion the jury scores. Its code is kept hidden: made from the label when new."""

    code = HiddenField()
    label = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=200)])
    weight = IntegerField(_l("Weight"), validators=[InputRequired(), NumberRange(1, 100)])
    threshold = StringField(
        _l("Least score to pass (0-5, half points)"),
        validators=[Optional(), Length(max=4), HalfPoints()],
    )

    def blank(self) -> bool:
        # A blank row carries no label and no weight; its hidden code alone makes nothing.
        return not (self.label.data or "").strip() and self.weight.raw_data in (None, [], [""])


class InstalmentRow(RowForm):
    """One instalment of a grant: how much, and when it falls due."""

    amount = StringField(_l("Amount (€)"), validators=[DataRequired(), Euros(min_cents=1)])
    due = DateField(_l("Due on"), validators=[DataRequired(), WithinYears()])

    def blank(self) -> bool:
        return not (self.amount.data or "").strip() and not any(self.due.raw_data or [])


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
    budget = rows_of(BudgetRow, _l("Budget"))
    cofunding = StringField(_l("Co-funding you bring (€)"), validators=[Optional(), Euros()])


class InviteForm(Form):
    email = EmailField(
        _l("E-mail address of the resident"),
        validators=[DataRequired(), Email(check_deliverability=False)],
    )


class SettingsForm(Form):
    max_grant = StringField(_l("Maximum grant (€)"), validators=[DataRequired(), Euros()])
    criteria = rows_of(CriterionRow, _l("Criteria"))
    overall_threshold = StringField(
        _l("Overall threshold (0-5, half points)"),
        validators=[DataRequired(), Length(max=4), HalfPoints()],
    )
    jurors_per_application = IntegerField(
        _l("Jurors per application"), validators=[InputRequired(), NumberRange(1, 20)]
    )
    disagreement = StringField(
        _l("Flag a disagreement above this spread (points)"),
        validators=[DataRequired(), Length(max=4), HalfPoints()],
    )
    tie_break = SelectField(_l("Tie-break"), validate_choice=True)  # choices: the criteria
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
    cutoffs = rows_of(Cutoff, _l("Cut-off dates of a rolling call"))
    blind = BooleanField(_l("Blind review: jurors do not see applicants' names"))
    allow_organisations = BooleanField(_l("Organisations may apply, not only groups"))


register_values(
    "ranking_basis", {c.value: c.label for c in SettingsForm.ranking_basis.kwargs["choices"]}
)
register_values("mode", {c.value: c.label for c in SettingsForm.mode.kwargs["choices"]})
register_values("tie_break", {"earlier": _l("The application submitted first")})


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
    sections = SelectMultipleField(
        _l("Sections to complete"),
        choices=[SelectChoice(code, label) for code, label in INTEGRATION_LABELS.items()],
        validate_choice=True,
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
    plan = rows_of(InstalmentRow, _l("Instalments"))
