"""One hierarchy for "this cannot be done": a message key and its parameters, never a sentence.

Services and domain code raise these; the action runner and the application-wide handlers
(``core.errors``) turn them into a message in the person's language, beside the field when the
refusal names one. Features subclass the four kinds, so a view never needs to catch them. Pure
Python: domain modules import it, and it imports nothing of Flask.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Refused(Exception):
    """The rules do not allow this. ``code`` keys the message, ``params`` fill it in, and
    ``field`` names the form field it belongs beside (None: at the top of the page)."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "refused"

    def __init__(self, code: str = "", *, field: str | None = None, **params: Any) -> None:
        code = code or self.default_code
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


class PermissionDenied(Refused):
    """The actor may not do this (403)."""

    status = 403
    default_code = "forbidden"


class NotFound(Refused):
    """What the request names does not exist, or is not visible to this person (404)."""

    status = 404
    default_code = "not_found"


class Conflict(Refused):
    """The thing is not in a state that allows this step (409): a move its state machine
    refuses, or a change someone else made first."""

    status = 409
    default_code = "conflict"
