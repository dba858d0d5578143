"""The dashboard page, its figures as CSV, and the lists each figure links to."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import gettext as _

from ..calls.models import Call
from ..calls.queries import list_themes, published_years
from ..core.csvfile import csv_response
from ..core.db import get_session
from ..core.pagination import paginate
from ..core.scope import Scope
from ..core.web import page_arg
from ..crowdfunding import ledger
from ..crowdfunding.models import Campaign
from ..execution.queries import map_points
from ..grants.models import GrantApplication
from ..places.queries import list_municipi
from ..proposals.models import Proposal
from ..voting.models import VoteResult
from . import figures

bp = Blueprint("dashboard", __name__)


def _context(scope: Scope) -> dict[str, Any]:
    db = get_session()
    municipi = list_municipi(db)
    return {
        "scope": scope,
        "municipi": municipi,
        "area_names": {
            figures.CITY: _("City-wide (no Municipio)"),
            **{a.id: f"Municipio {a.number}" for a in municipi},
        },
        "themes": list_themes(db),
        "years": published_years(db),
        "full_names": {a.id: a.name for a in municipi},
        "CITY": figures.CITY,
    }


@bp.route("/dashboard")
def show() -> str:
    db = get_session()
    scope = Scope.from_args(request.args)
    found = figures.compute(db, scope)
    context = _context(scope)
    ordered = [(a.id, f"Municipio {a.number}") for a in context["municipi"] if a.id in found.rows]
    if figures.CITY in found.rows:
        ordered.append((figures.CITY, _("City-wide (no Municipio)")))
    return render_template(
        "dashboard/show.html",
        found=found,
        ordered=ordered,
        total=found.total,
        map_json=json.dumps(map_points(db, scope)),
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
        **context,
    )


CSV_COLUMNS = (
    ("area_id", None),
    ("municipio", None),
    ("proposals", "proposals"),
    ("supports", "supports"),
    ("votes", "votes"),
    ("voters", "voters"),
    ("turnout_permille", "turnout_permille"),
    ("projects_funded", "projects"),
    ("allocated_cents", "allocated_cents"),
    ("spent_cents", "spent_cents"),
    ("campaigns", "campaigns"),
    ("raised_cents", "raised_cents"),
    ("matched_cents", "matched_cents"),
    ("grants", "grants"),
    ("granted_cents", "granted_cents"),
)


@bp.route("/dashboard/dati.csv")
def figures_csv() -> Response:
    """The dashboard's table as CSV (CC BY 4.0): one row per Municipio and the total."""
    db = get_session()
    scope = Scope.from_args(request.args)
    found = figures.compute(db, scope)
    names = {a.id: f"Municipio {a.number}" for a in list_municipi(db)}
    keys = [a for a in names if a in found.rows] + (
        [figures.CITY] if figures.CITY in found.rows else []
    )
    rows = []
    for key in [*keys, None]:
        row = found.rows[key] if key is not None else found.total
        label = "Totale" if key is None else names.get(key, "Tutta la città")
        values = [getattr(row, attr) for _name, attr in CSV_COLUMNS[2:]]
        rows.append(["" if key is None else key, label, *values])
    return csv_response(
        "cruscotto.csv",
        [name for name, _attr in CSV_COLUMNS],
        rows,
        bom=True,
        headers={"Link": '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'},
    )


# The lists behind the figures ----------------------------------------------------------------


@bp.route("/dashboard/proposte")
def proposals() -> str:
    db = get_session()
    scope = Scope.from_args(request.args)
    page = paginate(db, figures.proposals(scope).order_by(Proposal.id), page_arg(), per_page=50)
    return render_template(
        "dashboard/proposals.html",
        page=page,
        counts=figures.supports_of(db, [p.id for p in page.items]),
        total_supports=figures.total_supports(db, scope),
        **_context(scope),
    )


def _call_list(template: str, statement: Any, total: Any) -> str:
    """A list of records that each belong to a call, with the figure the dashboard shows."""
    db = get_session()
    page = paginate(db, statement, page_arg(), per_page=50)
    return render_template(
        template,
        page=page,
        calls=_calls_of(page.items),
        total=int(db.scalar(total) or 0),
        **_context(Scope.from_args(request.args)),
    )


@bp.route("/dashboard/votazioni")
def votes() -> str:
    scope = Scope.from_args(request.args)
    return _call_list(
        "dashboard/votes.html",
        figures.results(scope).order_by(VoteResult.id),
        figures.voters_total(scope),
    )


@bp.route("/dashboard/crowdfunding")
def campaigns() -> str:
    db = get_session()
    scope = Scope.from_args(request.args)
    page = paginate(db, figures.campaigns(scope).order_by(Campaign.id), page_arg(), per_page=50)
    balances = ledger.balances(db, [c.id for c in page.items]) if page.items else {}
    totals = {c.id: ledger.totals_of(balances.get(c.id, {})) for c in page.items}
    money = figures.campaign_money(db, scope).values()
    return render_template(
        "dashboard/campaigns.html",
        page=page,
        totals=totals,
        raised_cents=sum(raised for raised, _matched in money),
        matched_cents=sum(matched for _raised, matched in money),
        **_context(scope),
    )


@bp.route("/dashboard/contributi")
def grants() -> str:
    scope = Scope.from_args(request.args)
    return _call_list(
        "dashboard/grants.html",
        figures.grants(scope).order_by(GrantApplication.id),
        figures.granted_total(scope),
    )


def _calls_of(items: list[Any]) -> dict[int, Call]:
    ids = {item.call_id for item in items}
    if not ids:
        return {}
    return figures.calls_by_id(get_session(), ids)
