"""Open data downloads, their DCAT-AP_IT-style catalogue, and the read-only JSON API."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask import url_for as flask_url_for

from ..core.csvfile import csv_response
from ..core.db import get_session
from ..core.links import public_url
from ..extensions import limiter
from . import dcat
from .datasets import DATASETS, LICENSE, LICENSE_URL, Dataset, parse_filters
from .openapi import document

bp = Blueprint("opendata", __name__)

PAGE_DEFAULT, PAGE_MAX = 50, 100


def _dataset(name: str) -> Dataset:
    dataset = DATASETS.get(name)
    if dataset is None:
        abort(404)
    return dataset


def _api_limit() -> str:
    return str(current_app.config.get("RATELIMIT_API", "120 per minute"))


class BadParameter(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@bp.errorhandler(BadParameter)
def _bad_parameter(error: BadParameter) -> tuple[Response, int]:
    return jsonify(error=f"invalid parameter: {error.name}"), 400


def _json(payload: Any) -> Response:
    """A JSON answer with an ETag; 304 when the client already has it."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = "public, max-age=60"
    response.make_conditional(request)  # 304 without a body when the ETag matches
    return response


def _cursor(raw: str | None) -> int:
    """The ``next`` token of the previous page: items after it come next."""
    if not raw:
        return 0
    if not raw.isdigit() or len(raw) > 9:
        raise BadParameter("cursor")
    return int(raw)


def _next_cursor(last_id: int) -> str:
    return str(last_id)


def _limit() -> int:
    raw = request.args.get("limit", "")
    if not raw:
        return PAGE_DEFAULT
    if not raw.isdigit() or not 1 <= int(raw[:4]) <= PAGE_MAX or len(raw) > 3:
        raise BadParameter("limit")
    return int(raw)


# API ------------------------------------------------------------------------------------------


@bp.route("/api/v1/openapi.json")
@limiter.limit(_api_limit)
def openapi() -> Response:
    return _json(document(public_url("").rstrip("/")))


@bp.route("/api/v1/docs")
def api_docs() -> str:
    return render_template(
        "opendata/api_docs.html", spec=document(public_url("").rstrip("/")), datasets=DATASETS
    )


@bp.route("/api/v1/<name>")
@limiter.limit(_api_limit)
def api_list(name: str) -> Response:
    dataset = _dataset(name)
    limit, after = _limit(), _cursor(request.args.get("cursor"))
    try:
        filters = parse_filters(dataset, request.args)
    except ValueError as bad:
        raise BadParameter(str(bad)) from None
    rows = dataset.rows(get_session(), filters, after, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return _json({"data": rows, "next": _next_cursor(rows[-1]["id"]) if more else None})


@bp.route("/api/v1/<name>/<int:item_id>")
@limiter.limit(_api_limit)
def api_item(name: str, item_id: int) -> Response | tuple[Response, int]:
    dataset = _dataset(name)
    rows = dataset.rows(get_session(), {}, item_id - 1, 1) if item_id > 0 else []
    if not rows or rows[0]["id"] != item_id:
        return jsonify(error="not found"), 404
    return _json({"data": rows[0]})


# Downloads ------------------------------------------------------------------------------------


@bp.route("/opendata")
def index() -> str:
    return render_template(
        "opendata/index.html", datasets=DATASETS, license=LICENSE, license_url=LICENSE_URL
    )


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


@bp.route("/opendata/<name>.csv")
def download_csv(name: str) -> Response:
    dataset = _dataset(name)
    return csv_response(
        f"{name}.csv",
        [c.name for c in dataset.columns],
        (
            [_cell(row[c.name]) for c in dataset.columns]
            for row in dataset.rows(get_session(), {}, 0, None)
        ),
    )


@bp.route("/opendata/<name>.json")
def download_json(name: str) -> Response:
    dataset = _dataset(name)
    return _json(
        {
            "dataset": dataset.name,
            "title": dataset.title,
            "license": LICENSE,
            "license_url": LICENSE_URL,
            "columns": [
                {"name": c.name, "type": c.type, "description": c.description}
                for c in dataset.columns
            ],
            "rows": dataset.rows(get_session(), {}, 0, None),
        }
    )


def _closed_votes() -> list[tuple[str, int, str]]:
    """(call slug, area id, call title) of every published result whose individual ballots may
    be published (at least MIN_PUBLISHED_BALLOTS of them): their ballots as .pb."""
    from ..voting.queries import publishable_ballot_files

    return publishable_ballot_files(get_session(), current_app.config["MIN_PUBLISHED_BALLOTS"])


@bp.route("/opendata/catalog.jsonld")
def catalog() -> Response:
    """The catalogue in the shape of DCAT-AP_IT (the Italian profile of DCAT-AP)."""

    def url(endpoint: str, **values: Any) -> str:
        return str(flask_url_for(endpoint, _external=True, **values))

    payload = dcat.catalog(current_app.config["CITY_NAME"], url, _closed_votes())
    response = _json(payload)
    response.mimetype = "application/ld+json"
    return response
