"""Grant pages for everyone: published rankings (page, CSV, PDF) and the transparency list."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template

from ...core.csvfile import csv_response
from ...core.db import get_session
from .. import ranking
from ..pdf import ranking_pdf
from . import _grant_call, _published, bp


@bp.route("/bandi/<slug>/graduatoria")
def public_ranking(slug: str) -> str:
    db = get_session()
    call, settings = _grant_call(slug)
    return render_template(
        "grants/ranking.html",
        call=call,
        published=_published(call, settings),
        sessions=ranking.published_sessions(db, call.id),
    )


@bp.route("/bandi/<slug>/graduatoria.csv")
def ranking_csv(slug: str) -> Response:
    call, settings = _grant_call(slug)
    published = _published(call, settings) or abort(404)
    return csv_response(
        f"{call.slug}-graduatoria.csv",
        ["position", "protocol", "title", "score", "requested_eur", "outcome"],
        (
            [
                row["position"] or "",
                row["protocol"],
                row["title"],
                row["score"],
                f"{int(row['requested_cents']) / 100:.2f}",
                row["outcome"],
            ]
            for row in published.rows
        ),
    )


@bp.route("/bandi/<slug>/graduatoria.pdf")
def ranking_pdf_view(slug: str) -> Response:
    call, settings = _grant_call(slug)
    published = _published(call, settings) or abort(404)
    body = ranking_pdf(call, published.kind, published.rows, current_app.config["CITY_NAME"])
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{call.slug}-graduatoria.pdf"'},
    )


@bp.route("/contributi/trasparenza")
def transparency() -> str:
    return render_template("grants/transparency.html", rows=ranking.transparency(get_session()))
