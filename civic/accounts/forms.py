"""Account forms: shape only (types, lengths, choices)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..core.forms import Form
from .domain import PASSWORD_MAX_LENGTH, PasswordProblem, Role, password_problems

PASSWORD_MESSAGES = {
    PasswordProblem.TOO_SHORT: _l("Use at least 10 characters."),
    PasswordProblem.TOO_LONG: _l("Use at most 128 characters."),
    PasswordProblem.TOO_COMMON: _l("This password is too common: choose another."),
    PasswordProblem.TOO_SIMPLE: _l("Use more different characters."),
    PasswordProblem.CONTAINS_EMAIL: _l("The password must not contain your e-mail address."),
}

ROLE_LABELS = {
    Role.CITIZEN: _l("Citizen"),
    Role.ORGANISATION_MEMBER: _l("Organisation member"),
    Role.JUROR: _l("Juror"),
    Role.STAFF: _l("City staff"),
    Role.ADMIN: _l("Administrator"),
}

LANGUAGE_CHOICES = [SelectChoice("it", "Italiano"), SelectChoice("en", "English")]


class NewPassword:
    """Checks a new password against the policy; the e-mail comes from a sibling field."""

    def __init__(self, email_field: str | None = None) -> None:
        self.email_field = email_field

    def __call__(self, form: Any, field: Any) -> None:
        email = (
            form[self.email_field].data if self.email_field else getattr(form, "email_hint", None)
        )
        problems = password_problems(field.data or "", email)
        if problems:
            raise ValidationError(" ".join(str(PASSWORD_MESSAGES[p]) for p in problems))


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _email_field() -> EmailField:
    return EmailField(
        _l("E-mail address"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Length(max=254),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )


class RegisterForm(Form):
    full_name = StringField(_l("Name and surname"), validators=[Optional(), Length(max=120)])
    email = _email_field()
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Choose a password.")), NewPassword("email")]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The passwords do not match.")),
        ],
    )
    privacy = BooleanField(
        _l("I have read the privacy notice"),
        validators=[DataRequired(_l("Please confirm you have read the privacy notice."))],
    )


class SignInForm(Form):
    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX_LENGTH * 4)],
    )
    remember = BooleanField(_l("Remember me on this device"))


class ForgotPasswordForm(Form):
    email = _email_field()


class SignInLinkForm(Form):
    email = _email_field()


class ResetPasswordForm(Form):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Choose a password.")), NewPassword()]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The passwords do not match.")),
        ],
    )


class ChangePasswordForm(Form):
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX_LENGTH * 4)],
    )
    password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Choose a password.")), NewPassword()]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The passwords do not match.")),
        ],
    )


class ProfileForm(Form):
    full_name = StringField(_l("Name and surname"), validators=[Optional(), Length(max=120)])
    municipio_id = SelectField(_l("Municipio of residence"), coerce=int, validate_choice=True)
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, validate_choice=True)


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX_LENGTH * 4)],
    )
    confirm = BooleanField(
        _l("I understand that my account and personal data will be erased"),
        validators=[DataRequired(_l("Please confirm."))],
    )


class RoleForm(Form):
    role = SelectField(_l("Role"), validate_choice=True)


MODE_LABELS = {
    "each": _l("Each as it happens"),
    "digest": _l("In a weekly digest"),
    "off": _l("Not at all"),
}


def email_settings_form(kinds: dict[str, Any], modes: dict[str, str]) -> Form:
    """One choice per notice (accounts.notices.KINDS), starting from the person's settings."""

    class EmailSettingsForm(Form):
        pass

    for kind, label in kinds.items():
        field = RadioField(
            label,
            choices=[SelectChoice(mode, text) for mode, text in MODE_LABELS.items()],
            default=modes.get(kind, "each"),
            validate_choice=True,
        )
        setattr(EmailSettingsForm, kind, field)
    return EmailSettingsForm()
