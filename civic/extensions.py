"""Flask extensions and the Huey queue, created once and bound to each app."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy.exc import OperationalError

import config as settings

login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def _make_huey() -> Huey:
    """Redis storage when REDIS_URL is set (production), else a SQLite file in instance/."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("civic", url=redis_url)
    path = Path(os.environ.get("HUEY_SQLITE_PATH") or settings.INSTANCE / "huey.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("civic", filename=str(path))


# Task modules decorate their functions with this instance at import time.
huey: Huey = _make_huey()


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
    app.extensions["huey"] = huey

    from .accounts import oidc

    oidc.register(app)

    from .accounts.services import load_user_by_session_id

    login_manager.user_loader(load_user_by_session_id)

    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please sign in to open that page.")
