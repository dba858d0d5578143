"""Call forms: shape only. The Municipi and phases make fields, so the form is built per request."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..admin.audit_labels import register_values
from ..core.forms import Euros, Form, WithinYears
from .domain import CallKind, PhaseKind

KIND_LABELS = {
    CallKind.PARTICIPATORY_BUDGET: _l("Participatory budget"),
    CallKind.CROWDFUNDING: _l("Civic crowdfunding"),
    CallKind.GRANTS: _l("Grants"),
    CallKind.HEARINGS: _l("Public hearings"),
}

PHASE_LABELS = {
    PhaseKind.SUBMISSION: _l("Submission of proposals"),
    PhaseKind.SUPPORTS: _l("Supports"),
    PhaseKind.REVIEW: _l("Feasibility review"),
    PhaseKind.VOTING: _l("Voting"),
    PhaseKind.RESULTS: _l("Results"),
    PhaseKind.EXECUTION: _l("Execution"),
}
register_values("kind", {**KIND_LABELS, **PHASE_LABELS})  # a call's kind, its phases' kinds


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CallForm(Form):
    title_it = StringField(_l("Title (Italian)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    description_it = TextAreaField(
        _l("Description (Italian)"), validators=[Optional(), Length(max=20000)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=20000)]
    )
    kind = SelectField(_l("Kind of call"), validate_choice=True)
    themes = MultiCheckboxField(_l("Themes"), coerce=int, validate_choice=True)
    total_budget = StringField(
        _l("Total budget (€)"), validators=[Optional(), Length(max=20), Euros()]
    )
    support_threshold = IntegerField(
        _l("Supports needed to go to review (0: no threshold)"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
    )
    override_reason = TextAreaField(
        _l("Reason for changing rules already in use (admins only)"),
        validators=[Optional(), Length(max=2000)],
    )


def call_form(municipi: list[Any], themes: list[Any], language: str, data: Any = None) -> CallForm:
    """A call form with a budget field per Municipio and start/end fields per phase."""

    class Form(CallForm):
        pass

    for area in municipi:
        setattr(Form, f"area_{area.id}", BooleanField(area.label))
        setattr(
            Form,
            f"budget_{area.id}",
            StringField(
                _l("Budget for %(area)s (€)", area=f"Municipio {area.number}"),
                validators=[Optional(), Length(max=20), Euros()],
            ),
        )
    for phase in PhaseKind:
        setattr(
            Form,
            f"{phase.value}_start",
            DateTimeLocalField(
                _l("%(phase)s: start", phase=PHASE_LABELS[phase]),
                format="%Y-%m-%dT%H:%M",
                validators=[Optional(), WithinYears()],
            ),
        )
        setattr(
            Form,
            f"{phase.value}_end",
            DateTimeLocalField(
                _l("%(phase)s: end", phase=PHASE_LABELS[phase]),
                format="%Y-%m-%dT%H:%M",
                validators=[Optional(), WithinYears()],
            ),
        )
    form = Form(data=data) if data is not None else Form()
    form.kind.choices = [SelectChoice(k.value, str(KIND_LABELS[k])) for k in CallKind]
    form.themes.choices = [SelectChoice(t.id, t.name(language)) for t in themes]
    return form


class DocumentForm(Form):
    title = StringField(_l("Document title"), validators=[DataRequired(), Length(max=200)])
    file = FileField(_l("PDF file"), validators=[FileRequired()])
