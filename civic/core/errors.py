"""Error pages in the design system, and no 500 for malformed input."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from .refusals import Refused

log = logging.getLogger(__name__)

TITLES = {
    400: lambda: _("The request could not be understood"),
    403: lambda: _("You do not have permission to open this page"),
    404: lambda: _("Page not found"),
    405: lambda: _("This action is not allowed here"),
    409: lambda: _("This step is not possible now"),
    413: lambda: _("The file is too large"),
    429: lambda: _("Too many requests"),
    500: lambda: _("Something went wrong on our side"),
    503: lambda: _("The service is briefly unavailable"),
}


def _render(code: int, detail: str | None = None) -> tuple[str, int]:
    title = TITLES.get(code, TITLES[400])()
    try:
        page = render_template(
            "errors/error.html",
            code=code,
            title=title,
            detail=detail,
            request_id=g.get("request_id", ""),
        )
        return page, code
    except Exception:  # the page itself failed (say, the database is down): plain text still works
        log.exception("error page failed to render")
        return f"{code} {title}", code


def _http_error(error: HTTPException) -> Any:
    code = error.code or 500
    if request.path.startswith("/api/"):  # the JSON API answers in JSON, even its errors
        return jsonify(error=error.name.lower()), code
    if code not in TITLES:
        code = 400 if code < 500 else 500
    return _render(code)


def _refused(error: Refused) -> Any:
    """A refusal no view handled (a permission, a missing row, a state that does not allow the
    step): its page, or JSON for the API. The request's transaction is not committed."""
    from .actions import message

    text = message(error)
    if request.path.startswith("/api/") or _wants_json():
        return jsonify(error=error.code, message=text), error.status
    return _render(error.status if error.status in TITLES else 400, text)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > 0


def _csrf_error(_error: CSRFError) -> tuple[str, int]:
    return _render(
        400,
        _(
            "The form has expired or was sent from another site. "
            "Go back, reload the page and try again."
        ),
    )


def _database_unreachable(error: OperationalError) -> tuple[str, int, dict[str, str]]:
    """The database restarted or cannot be reached: nothing was saved, and the same request
    works again in a moment (the pool checks its connections before use). The page must not
    need the database itself: the session is rolled back, and if even the page fails (its
    language comes from the signed-in account) a plain-text answer goes out."""
    from .db import get_session

    log.warning("database unreachable on %s %s: %s", request.method, request.path, error.orig)
    with contextlib.suppress(Exception):  # the connection is gone; the pool replaces it
        get_session().rollback()
    try:
        page, code = _render(503, _("Nothing has been saved. Please try again in a few seconds."))
    except Exception:  # the language or the page needed the database
        page, code = "503 The service is briefly unavailable. Nothing has been saved.", 503
    return page, code, {"Retry-After": "5"}


def _unknown_host(_error: SecurityError) -> tuple[str, int, dict[str, str]]:
    """A request for a host this instance does not serve (core.links): no page of ours can be
    drawn, since every link on it would need the host, so a plain line answers."""
    log.warning("refused a request for an unknown host on %s %s", request.method, request.path)
    return "400 Bad Request: unknown host", 400, {"Content-Type": "text/plain; charset=utf-8"}


def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path, exc_info=error)
    return _render(500)


def register(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(SecurityError, _unknown_host)
    app.register_error_handler(Refused, _refused)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _http_error)
    app.register_error_handler(OperationalError, _database_unreachable)
    if not app.testing:
        app.register_error_handler(Exception, _unexpected)
