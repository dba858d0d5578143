"""Flask extensions, created once and bound to each app (the Huey queue is in core.queue)."""

from __future__ import annotations

import contextlib

from flask import Flask, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy.exc import OperationalError

from .core.queue import huey

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def select_locale() -> str:
    """Language: the session's choice, then the account's, then the browser's, then Italian."""
    from flask_login import current_user

    languages = ("it", "en")
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    try:
        if current_user.is_authenticated and current_user.language in languages:
            return str(current_user.language)
    except OperationalError:  # the database is down: an error page is being drawn without it
        from .core.db import get_session

        with contextlib.suppress(Exception):
            get_session().rollback()
    return request.accept_languages.best_match(languages) or "it"


def register(app: Flask) -> None:
    """Bind the extensions to the app."""
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    if app.config["HUEY_IMMEDIATE"]:
        huey.immediate = True
    app.extensions["huey"] = huey  # the queue of core.queue, for tests and commands
    # Who is signed in is the accounts feature's business: accounts.setup gives the loader.

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please sign in to open that page.")
