"""In a real browser the maps fetch and draw the outlines staff uploaded, under the strict CSP."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import null, update

from civic.core.db import get_database
from civic.places.models import Area
from tests.browser.conftest import LiveServer, wait_until
from tests.factories.calls import make_call, make_proposal

pytestmark = pytest.mark.browser

SQUARE = [[9.2, 45.48], [9.23, 45.48], [9.23, 45.5], [9.2, 45.5], [9.2, 45.48]]


def test_a_proposals_map_draws_its_municipios_outline(page: Any, live_server: LiveServer) -> None:
    app = live_server.app
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            call = make_call(session, title="Bilancio con i confini")
            area = session.get(Area, call.areas[0].area_id)
            assert area is not None
            area.boundary = {"type": "Polygon", "coordinates": [SQUARE]}
            session.commit()
            proposal = make_proposal(session, call, area_id=area.id)
            proposal_id, area_id = proposal.id, area.id
        finally:
            session.close()
    try:
        page.goto(f"{live_server.url}/proposte/{proposal_id}")
        # The marker and the outline are both paths in Leaflet's overlay pane.
        drawn = "document.querySelectorAll('#proposal-map .leaflet-overlay-pane path').length"
        wait_until(page, f"{drawn} >= 2")
        assert page.console_errors == []
    finally:  # the browser tests share one database: later ones place proposals in this area
        with app.app_context():
            session = get_database(app).session_factory()
            session.execute(update(Area).where(Area.id == area_id).values(boundary=null()))
            session.commit()
            session.close()
