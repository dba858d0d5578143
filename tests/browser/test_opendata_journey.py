"""Open data as a person reaches it: from the footer to the list of datasets, a CSV download
read back against the API, and the API's documentation, each page checked with axe."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from civic.core.db import get_database
from tests.browser.conftest import LiveServer, check_accessibility
from tests.factories.calls import make_voting_call

pytestmark = pytest.mark.browser


def test_open_data_from_the_footer_to_a_csv_that_matches_the_api(
    page: Any, live_server: LiveServer
) -> None:
    app, base = live_server.app, live_server.url
    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            call, _projects = make_voting_call(session)
            slug = call.slug
        finally:
            session.close()
    page.goto(base + "/")
    page.get_by_role("link", name="Dati aperti").click()
    page.wait_for_url("**/opendata")
    check_accessibility(page)
    assert page.get_by_role("heading", name="Dati aperti", level=1).is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Scarica calls in CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    api = page.request.get(base + "/api/v1/calls?limit=100").json()["data"]
    assert slug in [row["slug"] for row in rows]
    assert [int(row["id"]) for row in rows] == [item["id"] for item in api]
    assert [row["title_it"] for row in rows] == [item["title_it"] for item in api]
    page.get_by_role("link", name="L'API JSON").click()
    page.wait_for_url("**/api/v1/docs")
    check_accessibility(page)
    assert page.get_by_role("heading", name="GET /api/v1/proposals", exact=True).is_visible()
    assert page.console_errors == []
