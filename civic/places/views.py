"""Places for the maps: the Municipi's outlines staff uploaded, as JSON the maps fetch.

Outlines are public and can weigh tens of kilobytes each, so pages do not carry them: each
map names the areas it shows and fetches them once, then the browser's cache keeps them.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..core.db import get_session
from ..core.web import id_arg
from .queries import outlines_of

bp = Blueprint("places", __name__)

MAX_AREAS = 50


@bp.route("/luoghi/confini.json")
def outlines() -> Response:
    """The outlines of the areas asked for (?aree=1,2,3), or of every area without it."""
    asked = request.args.get("aree")
    area_ids: list[int] | None = None
    if asked is not None:
        parts = asked.split(",")[: MAX_AREAS + 1]
        ids = [id_arg(part) for part in parts]
        if len(parts) > MAX_AREAS or None in ids:
            answer = jsonify(error="aree: up to 50 area numbers, separated by commas")
            answer.status_code = 400
            return answer
        area_ids = [i for i in ids if i is not None]
    answer = jsonify(outlines_of(get_session(), area_ids))
    answer.cache_control.public = True
    answer.cache_control.max_age = 3600
    answer.add_etag()
    answer.make_conditional(request)  # a 304 when the browser's copy is current
    return answer


@bp.app_template_global()
def outlines_url(area_ids: list[int] | None = None) -> str:
    """Where a map fetches the outlines of these areas (None: every area)."""
    from flask import url_for

    if area_ids is None:
        return url_for("places.outlines")
    return url_for("places.outlines", aree=",".join(str(i) for i in area_ids if i))
