"""Voting forms: shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..admin.audit_labels import register_values
from ..core.forms import Form
from ..core.rows import RowForm, filled, rows_of
from ..core.web import DATABASE_ID_MAX

BALLOT_LABELS = {
    "approval": _l("Approval: choose between a minimum and a maximum of projects"),
    "knapsack": _l("Knapsack: choose projects whose total cost fits the budget"),
    "cumulative": _l("Cumulative: spread a number of points"),
    "ranked": _l("Ranked: put up to K projects in order"),
    "single": _l("Vote for one: choose exactly one project"),
}
RULE_LABELS = {
    "greedy": _l("Greedy by votes within the budget (skip what does not fit)"),
    "greedy-no-skip": _l("Greedy by votes, stopping at the first that does not fit"),
    "greedy-threshold": _l("Greedy by votes with a minimum score"),
    "mes": _l("Method of Equal Shares"),
    "mes-add1": _l("Method of Equal Shares with add-one completion"),
    "mes-add1-exhaustive": _l("Method of Equal Shares with exhaustive add-one completion"),
    "mes-add1-greedy": _l("Method of Equal Shares, add-one, then greedy"),
    "mes-add1-comparison": _l("Method of Equal Shares, add-one, compared with greedy"),
    "greedy-custom": _l("Greedy by votes, stopping at the first that does not fit, with a reserve"),
}

SECRECY_LABELS = {
    "trustees": _l("Trustees: k of n named people must come together to count"),
    "server": _l("Server key: the server counts with a key kept outside the database"),
}


register_values("ballot_kind", BALLOT_LABELS)
register_values("rule", RULE_LABELS)
register_values("secrecy", SECRECY_LABELS)
register_values("mode", SECRECY_LABELS)  # the box's mode: trustees or server key


def _zero_if_empty(value: int | None) -> int:
    return 0 if value is None else value


class TrusteeRow(RowForm):
    """One trustee, by the e-mail address of their account."""

    email = EmailField(
        _l("Trustee's e-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )


class VoteSettingsForm(Form):
    ballot_kind = SelectField(
        _l("Ballot"),
        choices=[SelectChoice(k, v) for k, v in BALLOT_LABELS.items()],
        validate_choice=True,
    )
    min_choices = IntegerField(
        _l("Minimum projects"), default=1, validators=[InputRequired(), NumberRange(0, 100)]
    )
    max_choices = IntegerField(
        _l("Maximum projects (0: no maximum)"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    points = IntegerField(
        _l("Points to spread (cumulative)"),
        default=10,
        validators=[InputRequired(), NumberRange(0, 1000)],
    )
    max_ranked = IntegerField(
        _l("Projects to rank (ranked)"), default=3, validators=[InputRequired(), NumberRange(1, 20)]
    )
    extra_areas = IntegerField(
        _l("Other Municipi a resident may also vote in"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 8)],
    )
    min_age = IntegerField(
        _l("Minimum age"), default=16, validators=[InputRequired(), NumberRange(0, 120)]
    )
    allow_self_declared = BooleanField(
        _l("Residents may declare their Municipio and age themselves (marked in the results)")
    )
    rule = SelectField(
        _l("Rule that picks the winners"),
        choices=[SelectChoice(k, v) for k, v in RULE_LABELS.items()],
        validate_choice=True,
    )
    # Used by one rule each: left empty, they are 0 (the service asks for them when needed).
    min_score = IntegerField(
        _l("Votes a project needs (greedy with a minimum score)"),
        default=0,
        validators=[Optional(), NumberRange(0, 10_000_000)],
        filters=[_zero_if_empty],
    )
    reserve_percent = IntegerField(
        _l("Reserve: percent of the next project the money left must cover to fund it"),
        default=80,
        validators=[Optional(), NumberRange(0, 100)],
        filters=[_zero_if_empty],
    )
    secrecy = SelectField(
        _l("Who can open the ballot box"),
        choices=[SelectChoice(k, v) for k, v in SECRECY_LABELS.items()],
        validate_choice=True,
    )
    trustees = rows_of(TrusteeRow, _l("Trustees (trustee mode)"), min_rows=3)
    threshold = IntegerField(
        _l("Trustees needed to count (trustee mode)"),
        default=2,
        validators=[InputRequired(), NumberRange(1, 16)],
    )

    # The fields that belong to the box, not to VoteSettings' columns.
    BOX_FIELDS = ("trustees", "threshold")

    def trustee_emails(self) -> list[str]:
        return [str(row["email"]).strip() for row in filled(self.trustees)]


class ChangeForm(Form):
    receipt = StringField(_l("Receipt code"), validators=[DataRequired(), Length(min=10, max=40)])


class PaperForm(Form):
    email = EmailField(
        _l("Voter's e-mail address"), validators=[DataRequired(), Email(check_deliverability=False)]
    )
    desk = StringField(_l("Desk"), validators=[DataRequired(), Length(max=80)])


class ShareForm(Form):
    share = TextAreaField(
        _l("Your share: the 33 words, in order"),
        validators=[DataRequired(), Length(max=1000)],
    )


class OverrideForm(Form):
    project_id = IntegerField(
        _l("Project"), validators=[InputRequired(), NumberRange(1, DATABASE_ID_MAX)]
    )
    action = SelectField(
        _l("Change"),
        choices=[
            SelectChoice("add", _l("Add to the winners")),
            SelectChoice("remove", _l("Remove from the winners")),
        ],
    )
    reason = TextAreaField(
        _l("Public reason"), validators=[DataRequired(), Length(min=5, max=2000)]
    )
