"""The page chrome's fixed parts, rendered once per language and kept.

Every page repeats the same head links, skip links, brand and footer: some twenty translated
strings and URLs that only change with the language (and with a deploy). Rendering them on
every request was a third of a page's templating; here each is rendered once per app and
language and kept as markup. They must hold nothing personal or request-bound (no user, no
CSRF token, no current path): templates/_chrome/*.html say so at their top. With template
auto-reload on (development), they are rendered every time, so edits show at once.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup

PARTS = ("head", "skiplinks", "brand", "footer")


def chrome(name: str) -> Markup:
    """One fixed part of the page, in the reader's language."""
    if name not in PARTS:
        raise KeyError(name)
    app = current_app
    if app.jinja_env.auto_reload:
        return Markup(render_template(f"_chrome/{name}.html"))  # noqa: S704 - our template
    locale = get_locale()
    key = (name, str(locale) if locale else "it")
    kept: dict[tuple[str, str], Markup] = app.extensions.setdefault("civic_chrome", {})
    found = kept.get(key)
    if found is None:
        found = kept[key] = Markup(render_template(f"_chrome/{name}.html"))  # noqa: S704
    return found


def register(app: Flask) -> None:
    app.jinja_env.globals["chrome"] = chrome
