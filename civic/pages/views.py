"""Public pages and the language switch."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user

from ..accounts import services as account_services
from ..core.actions import run
from ..core.web import safe_next

bp = Blueprint("pages", __name__)


def _in_language(page: str) -> str:
    """Legal pages are written whole in each language rather than translated line by line."""
    locale = get_locale()
    language = locale.language if locale and locale.language in ("it", "en") else "it"
    return render_template(f"pages/{page}_{language}.html")


@bp.route("/dichiarazione-accessibilita")
def accessibility() -> str:
    return _in_language("accessibility")


@bp.route("/segretezza-del-voto")
def ballot_secrecy() -> str:
    return _in_language("ballot_secrecy")


@bp.route("/privacy")
def privacy() -> str:
    return _in_language("privacy")


@bp.route("/lingua", methods=["POST"])
def set_language() -> ResponseReturnValue:
    language = request.form.get("lang", "")
    back = safe_next(request.form.get("next"), url_for("home.show"))
    if language not in ("it", "en"):
        return redirect(back)
    session["lang"] = language
    if not current_user.is_authenticated:
        return redirect(back)
    return run(
        lambda db: account_services.set_language(db, current_user, language),
        to=back,
    )


@bp.route("/healthz")
def health() -> Response:
    return Response("ok\n", mimetype="text/plain")
