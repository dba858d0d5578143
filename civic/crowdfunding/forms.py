"""Crowdfunding forms: shape only; amounts are written the Italian way and kept in cents."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import Euros, Form, WithinYears
from ..core.money import amount_text, parse_eur
from ..core.rows import RowForm, fill, filled, rows_of

LEGAL_FORM_LABELS = {
    "association": _l("Association (APS, ODV, ...)"),
    "social_cooperative": _l("Social cooperative"),
    "foundation": _l("Foundation"),
    "social_enterprise": _l("Social enterprise"),
    "business": _l("Business with an office in Milan"),
}


def cents(text: str | None) -> int:
    """A validated euro field's value in cents (0 when empty)."""
    return parse_eur(text, "it") if text else 0


class BudgetRow(RowForm):
    """One budget line: what it pays for and how much."""

    what = StringField(_l("Budget item"), validators=[DataRequired(), Length(max=200)])
    amount = StringField(_l("Amount (€)"), validators=[DataRequired(), Euros(min_cents=1)])


class PartnerRow(RowForm):
    """One partner organisation and, if they like, its role."""

    name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    role = StringField(_l("Role (optional)"), validators=[Optional(), Length(max=200)])


def budget_lines(field: Any) -> list[tuple[str, int]]:
    """The budget editor's filled lines as (what, cents)."""
    return [(row["what"], cents(row["amount"])) for row in filled(field)]


def show_budget(field: Any, lines: list[tuple[str, int]]) -> None:
    fill(field, [{"what": what, "amount": amount_text(c)} for what, c in lines])


class SettingsForm(Form):
    crowd_share_pct = IntegerField(
        _l("Share citizens raise (%)"), validators=[InputRequired(), NumberRange(1, 100)]
    )
    city_cap = StringField(_l("City's cap per project (€)"), validators=[DataRequired(), Euros()])
    min_cost = StringField(_l("Smallest project cost (€)"), validators=[DataRequired(), Euros()])
    max_cost = StringField(_l("Largest project cost (€)"), validators=[DataRequired(), Euros()])
    min_days = IntegerField(
        _l("Shortest campaign (days)"), validators=[InputRequired(), NumberRange(1, 365)]
    )
    max_days = IntegerField(
        _l("Longest campaign (days)"), validators=[InputRequired(), NumberRange(1, 365)]
    )
    grace_days = IntegerField(
        _l("Days a backer has to complete a failed charge"),
        default=7,
        validators=[InputRequired(), NumberRange(1, 30)],
    )
    allow_businesses = BooleanField(_l("Businesses may apply, not only non-profits"), default=True)


class ApplicationForm(Form):
    organisation = StringField(
        _l("Organisation (lead partner)"), validators=[DataRequired(), Length(max=200)]
    )
    legal_form = SelectField(
        _l("Legal form"),
        choices=[SelectChoice(k, v) for k, v in LEGAL_FORM_LABELS.items()],
        validate_choice=True,
    )
    tax_code = StringField(
        _l("Codice fiscale or partita IVA"), validators=[DataRequired(), Length(min=11, max=16)]
    )
    milan_office = StringField(
        _l("Address of the office in Milan"), validators=[DataRequired(), Length(max=300)]
    )
    partners = rows_of(PartnerRow, _l("Partners"))
    title = StringField(_l("Project title"), validators=[DataRequired(), Length(max=200)])
    summary = StringField(
        _l("The project in one sentence"), validators=[DataRequired(), Length(max=500)]
    )
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=20000)])
    budget = rows_of(BudgetRow, _l("Budget"))
    document = FileField(_l("Project document (PDF, optional)"))


class RankForm(Form):
    score = IntegerField(_l("Score (0-100)"), validators=[InputRequired(), NumberRange(0, 100)])
    note = TextAreaField(_l("Committee's note"), validators=[Optional(), Length(max=2000)])


class SelectForm(Form):
    approved_cost = StringField(_l("Approved cost (€)"), validators=[DataRequired(), Euros()])
    starts_on = DateField(_l("Campaign opens on"), validators=[DataRequired(), WithinYears()])
    ends_on = DateField(
        _l("Campaign closes on (end of day)"), validators=[DataRequired(), WithinYears()]
    )
    area_id = SelectField(_l("Municipio"), coerce=int, validate_choice=True)


class RejectForm(Form):
    reason = TextAreaField(
        _l("Reason, sent to the applicant"), validators=[DataRequired(), Length(max=2000)]
    )


class PledgeForm(Form):
    amount = StringField(_l("Amount (€)"), validators=[DataRequired(), Euros()])
    tier = RadioField(_l("Reward"), coerce=int, validate_choice=True, default=0)
    anonymous = BooleanField(_l("Keep my name off the public list of backers"))


class TierForm(Form):
    title = StringField(_l("Reward"), validators=[DataRequired(), Length(max=200)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=1000)])
    min_amount = StringField(_l("From (€)"), validators=[DataRequired(), Euros()])
    quantity = IntegerField(
        _l("How many (empty: no limit)"), validators=[Optional(), NumberRange(1, 100000)]
    )


class UpdateForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("News (Markdown)"), validators=[DataRequired(), Length(max=10000)])
