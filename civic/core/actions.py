"""The one way a view runs a state change (docs/architecture.md, "The action runner").

A POST route loads what it needs, then hands the runner the form and one call of one service.
The runner validates the form, runs the call in the request's transaction, commits once and
redirects with the outcome flashed. On a refusal the transaction is rolled back (nothing the
call did survives, and nothing is committed), and the person sees the message: beside its
field on the same form re-rendered with what they typed, or at the top of the page they came
from. A ``PermissionDenied`` or
``NotFound`` is left to the application-wide handlers (``core.errors``), which answer 403/404.

Each feature tells the runner how to word its refusals with ``describe``; a refusal no feature
describes gets a plain sentence for its kind, never its internal key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, g, redirect
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from .db import get_session
from .refusals import Conflict, NotFound, PermissionDenied, Refused

T = TypeVar("T")
Describer = Callable[[Any], Any]
_DESCRIBERS: dict[type[Refused], Describer] = {}


def describe(kind: type[Refused]) -> Callable[[Describer], Describer]:
    """Register the function that words ``kind``'s refusals (and its subclasses')."""

    def register(describer: Describer) -> Describer:
        _DESCRIBERS[kind] = describer
        return describer

    return register


def message(refused: Refused) -> str:
    """The sentence for a refusal in the person's language."""
    for kind in type(refused).__mro__:
        describer = _DESCRIBERS.get(kind)
        if describer is not None:
            text = describer(refused)
            if text:
                return str(text)
    if isinstance(refused, PermissionDenied):
        return str(_("You do not have permission to do this."))
    if isinstance(refused, NotFound):
        return str(_("What you asked for does not exist or is no longer available."))
    if isinstance(refused, Conflict):
        return str(_("This step is not possible in the current state."))
    return str(_("This action is not possible now."))


def form_errors(form: Any) -> str:
    """A form's validation errors as one sentence, for a message at the top of a page."""
    return " ".join(_flat(list(form.errors.values())))


def _flat(errors: Any) -> list[str]:
    # A structured editor's errors nest: a list of rows, each a dict of its fields' errors.
    if isinstance(errors, dict):
        return [text for nested in errors.values() for text in _flat(nested)]
    if isinstance(errors, list | tuple):
        return [text for nested in errors for text in _flat(nested)]
    return [str(errors)]


Again = str | Callable[[], ResponseReturnValue]
To = str | Callable[[Any], ResponseReturnValue]


def run(
    action: Callable[[Session], T],
    *,
    to: To,
    done: str | Callable[[T], str | tuple[str, str] | None] | None = None,
    form: Any = None,
    invalid: str | None = None,
    again: Again | None = None,
    fields: dict[str, str] | None = None,
    on_refusal: Callable[[Refused], ResponseReturnValue] | None = None,
) -> ResponseReturnValue:
    """Run ``action(session)`` as the request's one change and answer.

    ``form``: validated first; a form that does not validate refuses without running anything.
    ``to``: where to go when it worked (a URL, or a function of the action's result giving a
    URL or a whole response). ``done``: the message flashed then. ``again``: on a refusal, a
    function that renders the form again (the message goes beside its field, or at the top), or
    the URL to go back to with the message; by default ``to`` when that is a URL.
    ``invalid``: the message for a form that does not validate, instead of its field errors
    (for a form that is a single button or box on a page that shows no field errors).
    ``fields``: which form field a refusal's code belongs beside, when the service cannot know
    the form (the key ``"*"`` names the field for any other code). ``on_refusal``: for a
    machine client (a webhook, the API), the answer to a refusal instead of a message.
    ``done`` may give ``(message, category)`` when the outcome is not a plain success. A
    function ``to`` that answers with a page returns a response (``make_response``): a plain
    string is taken for a URL.
    """
    if again is None:
        if isinstance(to, str):
            again = to
        elif on_refusal is None:
            raise TypeError("run() needs 'again' when 'to' depends on the result")
    if form is not None and not form.validate_on_submit():
        return _refuse(None, form, again or "/", invalid=invalid)
    session = get_session()
    try:
        result = action(session)
    except Refused as refused:
        # The whole transaction goes: the view wrote nothing before the action (it only
        # loads), and a savepoint would cost two round trips on every request that succeeds.
        session.rollback()
        # The rollback expired every loaded row; the signed-in person is loaded again (with
        # their roles) for the page that says why, instead of lazily, which their roles refuse.
        g.pop("_login_user", None)
        if isinstance(refused, PermissionDenied | NotFound):
            raise  # answered by the application-wide handlers
        if on_refusal is not None:
            return on_refusal(refused)
        return _refuse(refused, form, again or "/", fields=fields)
    session.commit()
    if done is not None:
        said = done(result) if callable(done) else done
        if said is not None:
            text, category = said if isinstance(said, tuple) else (said, "success")
            flash(text, category)
    answer = to(result) if callable(to) else to
    return redirect(answer) if isinstance(answer, str) else answer


def _refuse(
    refused: Refused | None,
    form: Any,
    again: Again,
    *,
    invalid: str | None = None,
    fields: dict[str, str] | None = None,
    on_refusal: Callable[[Refused], ResponseReturnValue] | None = None,
) -> ResponseReturnValue:
    text = message(refused) if refused is not None else (invalid or form_errors(form))
    if callable(again):  # the same form again: its fields carry their own errors
        field = _field_for(refused, form, fields or {})
        if field is not None:
            field.errors = [*field.errors, text]
        elif refused is not None or invalid:
            flash(text, "danger")
        return again()
    flash(text, "warning")
    return redirect(again)


def _field_for(refused: Refused | None, form: Any, fields: dict[str, str]) -> Any:
    if refused is None or form is None:
        return None
    name = refused.field or fields.get(refused.code) or fields.get("*")
    return getattr(form, name, None) if name else None
