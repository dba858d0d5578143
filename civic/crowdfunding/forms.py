"""Crowdfunding forms: shape only; amounts are written the Italian way and kept in cents."""

from __future__ import annotations

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
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import Euros, Form, WithinYears
from ..core.money import parse_eur

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


class Lines:
    """Lines of 'text | amount': budget lines need an amount on each line."""

    def __init__(self, amounts: bool) -> None:
        self.amounts = amounts

    def __call__(self, form: object, field: object) -> None:
        for line in (getattr(field, "data", "") or "").splitlines():
            if not line.strip():
                continue
            what, _sep, amount = line.partition("|")
            if not what.strip():
                raise ValidationError(str(_l("Each line needs a description before the '|'.")))
            if self.amounts:
                try:
                    if parse_eur(amount.strip(), "it") <= 0:
                        raise ValueError
                except ValueError:
                    raise ValidationError(
                        str(_l("Each line needs an amount after the '|', such as 1.234,50."))
                    ) from None


def parse_lines(text: str | None, amounts: bool) -> list[tuple[str, str]]:
    rows = []
    for line in (text or "").splitlines():
        if line.strip():
            what, _sep, rest = line.partition("|")
            rows.append((what.strip(), rest.strip()))
    return rows


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
    partners = TextAreaField(
        _l("Partners, one per line: organisation | role (optional)"),
        validators=[Optional(), Length(max=3000), Lines(amounts=False)],
    )
    title = StringField(_l("Project title"), validators=[DataRequired(), Length(max=200)])
    summary = StringField(
        _l("The project in one sentence"), validators=[DataRequired(), Length(max=500)]
    )
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=20000)])
    budget = TextAreaField(
        _l("Budget, one line per item: what | amount in euro"),
        validators=[DataRequired(), Length(max=5000), Lines(amounts=True)],
    )
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
