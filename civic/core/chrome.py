"""The page chrome: its fixed parts rendered once per language and kept, and the header kept
per language, sign-in state, roles and page, with the person's own values filled in.

Every page repeats the same head links, skip links, brand and footer: some twenty translated
strings and URLs that only change with the language (and with a deploy). Rendering them on
every request was a third of a page's templating; here each is rendered once per app and
language and kept as markup. They must hold nothing personal or request-bound (no user, no
CSRF token, no current path): templates/_chrome/*.html say so at their top. With template
auto-reload on (development), they are rendered every time, so edits show at once.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

PARTS = ("head", "skiplinks", "brand", "footer")

# The header's personal parts are rendered as these markers and filled in per request. A fresh
# random prefix per process: no one can type a marker into their name to have it filled.
_MARK = "s" + secrets.token_hex(8)
_SLOTS = re.compile(_MARK + "-(csrf|next|name|unread)")
_KEPT_HEADERS = 2048  # language x sign-in x roles x page: bounded, but never let it grow freely


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
    app.jinja_env.globals["page_header"] = page_header


def page_header(may: Mapping[str, bool], unread_count: int) -> Markup:
    """The page header (language switch, account, navigation), rendered once per language,
    sign-in state, set of roles and current page, and kept. The header was a tenth of each
    page's CPU on voting day's hot path (docs/performance.md). The person's name, CSRF token,
    the path to come back to and the unread count are filled into the kept copy each time."""
    app = current_app
    template = app.jinja_env.get_template("_chrome/header.html")  # a new object once edited
    signed_in = bool(current_user.is_authenticated)
    locale = get_locale()
    key = (
        template,
        str(locale) if locale else "it",
        signed_in,
        tuple(sorted(may.items())),
        request.endpoint,
    )
    kept: dict[tuple[Any, ...], str] = app.extensions.setdefault("civic_headers", {})
    found = kept.get(key)
    if found is None:
        slot = {name: f"{_MARK}-{name}" for name in ("csrf", "next", "name", "unread")}
        found = render_template(
            "_chrome/header.html", slot=slot, signed_in=signed_in, may=may, here=request.endpoint
        )
        if len(kept) >= _KEPT_HEADERS:
            kept.clear()
        kept[key] = found
    values = {
        "csrf": generate_csrf(),
        "next": request.full_path.rstrip("?"),
        "name": current_user.display_name if signed_in else "",
        "unread": f" ({unread_count})" if signed_in and unread_count else "",
    }
    filled = _SLOTS.sub(lambda m: str(escape(values[m.group(1)])), found)
    return Markup(filled)  # noqa: S704 - our template, the filled values escaped
