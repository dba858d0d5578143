"""The ballot box in public (its tracking codes and, after the count, its figures) and the
trustees' pages (getting ready, collecting one's share once)."""

from __future__ import annotations

import base64
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from ..calls import queries as call_queries
from ..calls.views import language
from ..core.db import get_session
from ..core.time import utcnow
from ..core.web import require, signed_in
from ..places.queries import list_municipi
from . import services
from .models import ElectionTrustee, VoteSettings
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
    rows = db.execute(
        select(ElectionTrustee.call_id).where(ElectionTrustee.user_id == current_user.id)
    ).scalars()
    calls = [c for c in (call_queries.get_call(db, i) for i in rows) if c is not None]
    return render_template("voting/trustee_seats.html", calls=calls)


def _seat_or_404(call_id: int) -> tuple[Any, Any]:
    db = get_session()
    call = call_queries.get_call(db, call_id) or abort(404)
    seat = db.scalar(
        select(ElectionTrustee).where(
            ElectionTrustee.call_id == call.id, ElectionTrustee.user_id == current_user.id
        )
    )
    if seat is None:
        abort(404)
    return call, seat


@bp.route("/garante/bandi/<int:call_id>", methods=["GET", "POST"])
@require(signed_in)
def trustee(call_id: int) -> str | BaseResponse:
    call, seat = _seat_or_404(call_id)
    db = get_session()
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.form.get("action") == "ready":
                with db.begin_nested():  # a refusal leaves the signed-in person loaded
                    private = services.declare_ready(db, current_user, call.id, now=utcnow())
                db.commit()
                held = dict(cookie.get(_PICKUP, {}))
                held[str(call.id)] = base64.b64encode(private).decode()
                cookie[_PICKUP] = held
                return redirect(url_for("ballot_box.trustee", call_id=call.id))
            if request.form.get("action") == "collect":
                return _collect(call, request.form.get("format", "page"))
            abort(400)
        except services.VoteRefused as exc:
            errors = refusal(exc)
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


def _collect(call: Any, kind: str) -> Response:
    """The share, once, as a page or a PDF; then gone from the database and the session."""
    db = get_session()
    held = dict(cookie.get(_PICKUP, {}))
    encoded = held.get(str(call.id))
    private = base64.b64decode(encoded) if isinstance(encoded, str) else None
    with db.begin_nested():
        share = services.collect_share(db, current_user, call.id, private, now=utcnow())
    db.commit()
    held.pop(str(call.id), None)
    cookie[_PICKUP] = held
    key = services.key_of(db, call.id)
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
