"""Meeting forms: shape only; the rules live in services and domain."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from ..admin.audit_labels import register_values
from ..calls.forms import MultiCheckboxField
from ..core.forms import Finite, Form, WithinYears
from ..core.rows import RowForm, rows_of

KIND_LABELS = {
    "presentation": _l("Presentation meeting"),
    "hearing": _l("Public hearing"),
}
FORMAT_LABELS = {
    "in_person": _l("In person"),
    "online": _l("Online"),
    "hybrid": _l("In person and online"),
}
REGISTRATION_LABELS = {
    "off": _l("No registration: come along"),
    "platform": _l("Registration on this site"),
    "external": _l("Registration on another site"),
}
register_values("kind", KIND_LABELS)
register_values("format", FORMAT_LABELS)
register_values("registration", REGISTRATION_LABELS)
SERVICE_LABELS = {
    "sign_language": _l("Italian Sign Language (LIS) interpreter"),
    "captioning": _l("Live captions"),
    "childcare": _l("Childcare"),
    "step_free": _l("Step-free access"),
    "hearing_loop": _l("Hearing loop"),
}
register_values("accessibility", SERVICE_LABELS)


def _choices(labels: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(k, v) for k, v in labels.items()]


class QuestionRow(RowForm):
    """One question asked of people registering (their organisation, a dietary need ...)."""

    question = StringField(_l("Question"), validators=[DataRequired(), Length(max=200)])


class MeetingForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of meeting"), choices=_choices(KIND_LABELS))
    format = SelectField(_l("Format"), choices=_choices(FORMAT_LABELS))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])
    call_id = SelectField(_l("Call it presents"), coerce=int, validate_choice=True)
    area_id = SelectField(_l("Municipio"), coerce=int, validate_choice=True)
    day = DateField(_l("Date"), validators=[DataRequired(), WithinYears()])
    start = TimeField(_l("Starts at"), validators=[DataRequired()])
    end = TimeField(_l("Ends at"), validators=[DataRequired()])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    lat = FloatField(
        _l("Latitude"), validators=[Optional(), Finite(), NumberRange(min=-90, max=90)]
    )
    lon = FloatField(
        _l("Longitude"), validators=[Optional(), Finite(), NumberRange(min=-180, max=180)]
    )
    online_url = StringField(
        _l("Link to join online"),
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
    )
    accessibility = MultiCheckboxField(
        _l("Accessibility services offered"), choices=_choices(SERVICE_LABELS)
    )
    registration = SelectField(_l("Registration"), choices=_choices(REGISTRATION_LABELS))
    external_url = StringField(
        _l("Link to register elsewhere"),
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
    )
    capacity = IntegerField(
        _l("Places"), default=0, validators=[InputRequired(), NumberRange(min=0, max=100000)]
    )
    reserved_places = IntegerField(
        _l("Reserved places (for guests registered by staff)"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=100000)],
    )
    questions = rows_of(QuestionRow, _l("Questions for people registering (optional)"))
    retention_days = IntegerField(
        _l("Delete registrations this many days after the meeting"),
        default=180,
        validators=[InputRequired(), NumberRange(min=0, max=3650)],
    )
    contribution_days = IntegerField(
        _l("Written contributions accepted until this many days after the meeting"),
        default=15,
        validators=[InputRequired(), NumberRange(min=0, max=365)],
    )


class GroupForm(Form):
    title = StringField(_l("Theme of the group"), validators=[DataRequired(), Length(max=200)])
    capacity = IntegerField(
        _l("Places in the group"), validators=[InputRequired(), NumberRange(min=1, max=100000)]
    )


class AgendaForm(Form):
    start = TimeField(_l("Starts at"), validators=[DataRequired()])
    minutes = IntegerField(
        _l("Length in minutes"), validators=[InputRequired(), NumberRange(min=1, max=600)]
    )
    title = StringField(_l("Item"), validators=[DataRequired(), Length(max=200)])
    speakers = StringField(_l("Invited speakers"), validators=[Optional(), Length(max=500)])


class RegistrationForm(Form):
    group_id = SelectField(_l("Thematic group"), coerce=int, validate_choice=True)
    organisation = StringField(
        _l("Organisation you represent (optional)"), validators=[Optional(), Length(max=200)]
    )
    needs = StringField(
        _l("Accessibility needs (optional)"), validators=[Optional(), Length(max=500)]
    )
    public_attendance = BooleanField(_l("List my name among the attendees"))
    consent = BooleanField(
        _l(
            "I agree that the city processes my registration to organise the meeting; "
            "it is deleted after the retention period."
        ),
        validators=[DataRequired(_l("Please agree to the processing of your registration."))],
    )


def registration_form(questions: list[str], groups: list[tuple[int, str]]) -> RegistrationForm:
    """The registration form with one answer field per question the meeting asks."""

    class Form(RegistrationForm):
        pass

    if not groups:
        Form.group_id = None  # WTForms: None removes a field

    for n, question in enumerate(questions):
        setattr(
            Form,
            f"answer_{n}",
            TextAreaField(question, validators=[Optional(), Length(max=500)]),
        )
    form = Form()
    if groups:
        form.group_id.choices = [SelectChoice(0, _l("Choose a group"))] + [
            SelectChoice(g, label) for g, label in groups
        ]
    return form


class SpeakerForm(Form):
    item_id = SelectField(_l("Agenda item"), coerce=int, validate_choice=True)
    summary = TextAreaField(
        _l("What you want to say, in short"), validators=[DataRequired(), Length(max=1000)]
    )


class SpeakerDecisionForm(Form):
    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("accept", _l("Accept")), SelectChoice("reject", _l("Reject"))],
    )
    minutes = IntegerField(
        _l("Minutes allotted"), validators=[Optional(), NumberRange(min=1, max=120)]
    )
    position = IntegerField(
        _l("Place in the running order"), validators=[Optional(), NumberRange(min=1, max=1000)]
    )


class ContributionForm(Form):
    body = TextAreaField(_l("Your contribution"), validators=[DataRequired(), Length(max=5000)])
    organisation = StringField(
        _l("Organisation (optional)"), validators=[Optional(), Length(max=200)]
    )


class CheckInForm(Form):
    code = StringField(_l("Registration code"), validators=[DataRequired(), Length(max=32)])


class GuestForm(Form):
    email = EmailField(
        _l("The guest's e-mail address"),
        validators=[DataRequired(), Email(check_deliverability=False)],
    )
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])


class CancelMeetingForm(Form):
    reason = TextAreaField(
        _l("Reason, sent to everyone registered"), validators=[DataRequired(), Length(max=1000)]
    )


class MinutesForm(Form):
    body = TextAreaField(_l("Minutes (Markdown)"), validators=[DataRequired(), Length(max=50000)])
    note = StringField(_l("What changed (optional)"), validators=[Optional(), Length(max=300)])


class ReportForm(Form):
    body = TextAreaField(
        _l("Closing report (Markdown)"), validators=[DataRequired(), Length(max=20000)]
    )
    proposals = StringField(
        _l("Linked proposals: their numbers, separated by commas"),
        validators=[Optional(), Length(max=1000)],
    )
