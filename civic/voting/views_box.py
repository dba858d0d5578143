"""The ballot box in public (its tracking codes and, after the count, its figures) and the
trustees' pages (getting ready, collecting one's share once)."""

from __future__ import annotations

import base64
import functools
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..calls import queries as call_queries
from ..calls.views import language
from ..core.actions import run
from ..core.db import get_session
from ..core.time import utcnow
from ..core.web import require, signed_in
from ..places.queries import list_municipi
from . import queries, services
from .models import VoteSettings
from .share_pdf import share_pdf, share_qr_svg
from .views import refusal

bp = Blueprint("ballot_box", __name__)
_PICKUP = "trustee_pickup"  # session key: call id -> the private half of the one-time key


@bp.route("/bandi/<slug>/urna")
def box(slug: str) -> str:
    db = get_session()
    call = call_queries.get_call_by_slug(db, slug)
    if call is None or call.published_at is None or db.get(VoteSettings, call.id) is None:
        abort(404)
    return render_template(
        "voting/box.html",
        call=call,
        key=services.key_of(db, call.id),
        listing=services.box_listing(db, call.id),
        municipi={a.id: a for a in list_municipi(db)},
    )


@bp.route("/garante")
@require(signed_in)
def seats() -> str:
    db = get_session()
    ids = queries.trustee_call_ids(db, current_user.id)
    calls = [c for c in (call_queries.get_call(db, i) for i in ids) if c is not None]
    return render_template("voting/trustee_seats.html", calls=calls)


def _seat_or_404(call_id: int) -> tuple[Any, Any]:
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    seat = queries.trustee_seat(db, call.id, current_user.id)
    if seat is None:
        abort(404)
    return call, seat


@bp.route("/garante/bandi/<int:call_id>", methods=["GET", "POST"])
@require(signed_in)
def trustee(call_id: int) -> ResponseReturnValue:
    call, seat = _seat_or_404(call_id)
    page = functools.partial(_trustee_page, call, seat)
    action = request.form.get("action")
    if request.method == "GET":
        return page([])
    if action == "ready":
        return run(
            lambda db: services.declare_ready(db, current_user, call.id, now=utcnow()),
            to=lambda private: _hold_pickup(call.id, private),
            on_refusal=lambda refused: page(refusal(refused)),
        )
    if action == "collect":
        return run(
            lambda db: services.collect_share(
                db, current_user, call.id, _pickup_key(call.id), now=utcnow()
            ),
            to=lambda share: _share_answer(call, share, request.form.get("format", "page")),
            on_refusal=lambda refused: page(refusal(refused)),
        )
    abort(400)


def _trustee_page(call: Any, seat: Any, errors: list[str]) -> str:
    db = get_session()
    key = services.key_of(db, call.id)
    seats_ = services.trustees_of(db, call.id)
    return render_template(
        "voting/trustee.html",
        call=call,
        seat=seat,
        key=key,
        ready=sum(1 for s in seats_ if s.ready_at),
        seats=seats_,
        holds_pickup=str(call.id) in cookie.get(_PICKUP, {}),
        errors=errors,
    )


def _hold_pickup(call_id: int, private: bytes) -> str:
    """After the commit: the trustee's one-time private key waits in their session."""
    held = dict(cookie.get(_PICKUP, {}))
    held[str(call_id)] = base64.b64encode(private).decode()
    cookie[_PICKUP] = held
    return url_for("ballot_box.trustee", call_id=call_id)


def _pickup_key(call_id: int) -> bytes | None:
    encoded = dict(cookie.get(_PICKUP, {})).get(str(call_id))
    return base64.b64decode(encoded) if isinstance(encoded, str) else None


def _share_answer(call: Any, share: str, kind: str) -> Response:
    """After the commit: the share, once, as a page or a PDF; then gone from the session."""
    held = dict(cookie.get(_PICKUP, {}))
    held.pop(str(call.id), None)
    cookie[_PICKUP] = held
    key = services.key_of(get_session(), call.id)
    fingerprint = (key.fingerprint if key else "") or ""
    if kind == "pdf":
        body = share_pdf(
            share,
            city=current_app.config["CITY_NAME"],
            call_title=call.title_it,
            trustee=current_user.display_name,
            fingerprint=fingerprint,
        )
        return Response(
            body,
            mimetype="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="quota-garante-{call.id}.pdf"',
                "Cache-Control": "no-store",
            },
        )
    page = render_template(
        "voting/share.html",
        call=call,
        words=share.split(),
        qr=share_qr_svg(share),
        fingerprint=fingerprint,
        title=call.title_en if language() == "en" and call.title_en else call.title_it,
    )
    return Response(page, headers={"Cache-Control": "no-store"})
