"""The Municipi's outlines staff uploaded are drawn on every map: each map names the areas it
shows and fetches their outlines from one cached JSON address, so no page carries them."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from civic.places.models import Area
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import make_call, make_proposal
from tests.web.helpers import text

SQUARE = [[9.2, 45.48], [9.23, 45.48], [9.23, 45.5], [9.2, 45.5], [9.2, 45.48]]


def _outlined(db: Session, area_id: int) -> Area:
    area = db.get(Area, area_id)
    assert area is not None
    area.boundary = {"type": "Polygon", "coordinates": [SQUARE]}
    db.commit()
    return area


def _outlines_url(page: str, map_id: str) -> str:
    found = re.search(rf'id="{map_id}"[^>]*data-outlines-url="([^"]+)"', page)
    assert found, f"{map_id} names no outlines"
    return html.unescape(found.group(1))


def test_the_picking_map_fetches_the_calls_outlines(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    area = _outlined(db, call.areas[0].area_id)
    log_in(client, make_user(db))
    page = text(client.get(f"/bandi/{call.slug}/proposte/nuova"))
    assert "Polygon" not in page  # the page stays light
    url = _outlines_url(page, "pick-map")
    outlines = client.get(url).get_json()
    assert outlines == [{"label": area.label, "outline": area.boundary}]


def test_the_other_maps_name_their_areas_too(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    area = _outlined(db, call.areas[0].area_id)
    proposal = make_proposal(db, call, area_id=area.id)
    shown = text(client.get(f"/proposte/{proposal.id}"))
    one = client.get(_outlines_url(shown, "proposal-map")).get_json()
    assert [o["label"] for o in one] == [area.label]
    listed = text(client.get(f"/bandi/{call.slug}/proposte?vista=mappa"))
    assert client.get(_outlines_url(listed, "proposals-map")).get_json() == one
    dashboard = text(client.get("/dashboard"))
    assert client.get(_outlines_url(dashboard, "dashboard-map")).get_json() == one


def test_the_outlines_are_cached_and_revalidated(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    _outlined(db, call.areas[0].area_id)
    first = client.get("/luoghi/confini.json")
    assert first.status_code == 200
    assert "public" in first.headers["Cache-Control"]
    again = client.get("/luoghi/confini.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("asked", ["x", "1,,2", "-1", "99999999999", ",".join(["1"] * 51)])
def test_a_malformed_list_of_areas_is_a_400_in_json(client: FlaskClient, asked: str) -> None:
    answer = client.get("/luoghi/confini.json", query_string={"aree": asked})
    assert answer.status_code == 400
    assert "aree" in json.loads(answer.get_data(as_text=True))["error"]


def test_areas_without_an_outline_give_an_empty_list(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    answer = client.get("/luoghi/confini.json", query_string={"aree": str(call.areas[0].area_id)})
    assert answer.get_json() == []
