"""Results for everyone: the page, the CSV and the Pabulib file."""

from __future__ import annotations

from flask import Response, abort, render_template

from ...core.csvfile import csv_response
from ...core.db import get_session
from .. import services
from . import _call, _results, bp, refusal


@bp.route("/bandi/<slug>/risultati")
def results(slug: str) -> str:
    call = _call(slug)
    if services.running_counts_hidden(get_session(), call):
        return render_template("voting/results_pending.html", call=call)
    return render_template("voting/results.html", call=call, **_results(call))


@bp.route("/bandi/<slug>/risultati.csv")
def results_csv(slug: str) -> Response:
    call = _call(slug)
    if services.running_counts_hidden(get_session(), call):
        abort(404)
    data = _results(call)
    rows = []
    for result in data["results"]:
        for project_id, why in result.explanation.items():
            proposal = data["proposals"].get(int(project_id))
            rows.append(
                [
                    data["municipi"][result.area_id].number,
                    project_id,
                    proposal.title if proposal else "",
                    why["score"],
                    f"{proposal.cost_cents / 100:.2f}" if proposal else "",
                    int(project_id) in result.winners,
                    why["reason"],
                    result.rule,
                ]
            )
    return csv_response(
        f"{call.slug}-risultati.csv",
        ["municipio", "project_id", "title", "votes", "cost_eur", "funded", "reason", "rule"],
        rows,
    )


@bp.route("/bandi/<slug>/risultati/<int:area_id>.pb")
def download_pb(slug: str, area_id: int) -> Response:
    call = _call(slug)
    try:
        text = services.export_pb(get_session(), call, area_id)
    except services.VoteRefused as exc:
        if exc.code == "too_few_to_publish":
            return Response(" ".join(refusal(exc)), status=403, mimetype="text/plain")
        abort(404)
    return Response(
        text,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{call.slug}-{area_id}.pb"'},
    )
