"""Open data and the public JSON API: every export documented, CC-BY, without personal data;
the API paginated with cursors, filterable, cached with ETags, rate-limited, described by an
OpenAPI 3.1 document that schemathesis checks it against."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.time import utcnow
from civic.opendata.datasets import DATASETS
from tests.factories.accounts import make_user
from tests.factories.calls import make_proposal, make_voting_call
from tests.factories.crowdfunding import make_campaign
from tests.factories.grants import make_application, make_grant_call
from tests.factories.meetings import make_meeting, register

SECRET_NAME = "Ottavia Riservatissima"
SECRET_EMAIL = "ottavia.riservata@example.org"


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {"RATELIMIT_API": "100000 per minute"}


@pytest.fixture
def published(app: Flask, db: Session) -> dict[str, Any]:
    """Something in every dataset, made by a private person whose name and address must never
    appear, plus things that are not public (a draft proposal, a draft meeting)."""
    person = make_user(db, email=SECRET_EMAIL, full_name=SECRET_NAME)
    with app.test_request_context("/"):
        call, projects = make_voting_call(db)
        areas = sorted(projects)
        extra = [
            make_proposal(db, call, person, title=f"Orto {n}", area_id=areas[n % 2])
            for n in range(5)
        ]
        draft = make_proposal(db, call, person, title="Bozza privata", submit=False)
        meeting = make_meeting(db, capacity=5)
        register(db, meeting, person)
        hidden_meeting = make_meeting(db, publish=False, title="Incontro in preparazione")
        staff = make_user(db, roles=(Role.STAFF,))
        grant_call, grant_settings = make_grant_call(db, staff)
        application = make_application(db, grant_call, grant_settings, person)
        application.state = "funded"  # as after a final ranking
        db.commit()
        campaign = make_campaign(db, lead=person)
    return {
        "call": call,
        "projects": projects,
        "proposals": extra,
        "draft": draft,
        "meeting": meeting,
        "hidden_meeting": hidden_meeting,
        "campaign": campaign,
        "grant": application,
    }


def _every_export(client: FlaskClient) -> dict[str, str]:
    pages = {"catalog": client.get("/opendata/catalog.jsonld").get_data(as_text=True)}
    for name in DATASETS:
        for kind in ("csv", "json"):
            pages[f"{name}.{kind}"] = client.get(f"/opendata/{name}.{kind}").get_data(as_text=True)
        listing = client.get(f"/api/v1/{name}?limit=100")
        pages[f"api {name}"] = listing.get_data(as_text=True)
        for row in listing.get_json()["data"]:
            pages[f"api {name}/{row['id']}"] = client.get(f"/api/v1/{name}/{row['id']}").get_data(
                as_text=True
            )
    return pages


def test_no_export_carries_personal_data(client: FlaskClient, published: dict[str, Any]) -> None:
    pages = _every_export(client)
    assert len(pages) > 20
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    for where, text in pages.items():
        assert not email.search(text), f"an e-mail address in {where}"
        assert SECRET_NAME not in text, f"a private person's name in {where}"
        assert "Lead Partner" not in text, f"a private person's name in {where}"
        for field in ('"author', '"user_id"', '"lead_user_id"', '"voter_id', "password"):
            assert field not in text, f"{field} in {where}"
    # What is not public is not exported either.
    assert "Bozza privata" not in pages["proposals.csv"]
    assert "Incontro in preparazione" not in pages["meetings.json"]


def test_each_dataset_downloads_as_documented_csv_and_json(
    client: FlaskClient, published: dict[str, Any]
) -> None:
    for name, dataset in DATASETS.items():
        answer = client.get(f"/opendata/{name}.csv")
        assert answer.status_code == 200
        assert answer.mimetype == "text/csv"
        assert "charset=utf-8" in answer.headers["Content-Type"]
        rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
        assert rows[0] == [c.name for c in dataset.columns]
        document = client.get(f"/opendata/{name}.json").get_json()
        assert document["license"] == "CC-BY-4.0"
        assert [c["name"] for c in document["columns"]] == rows[0]
        assert len(document["rows"]) == len(rows) - 1
        assert all(set(row) == set(rows[0]) for row in document["rows"])
    proposals = client.get("/opendata/proposals.json").get_json()["rows"]
    titles = {row["title"] for row in proposals}
    assert {p.title for p in published["proposals"]} <= titles
    page = client.get("/opendata").get_data(as_text=True)
    assert "CC-BY-4.0" in page
    assert "/opendata/proposals.csv" in page


def test_the_catalogue_lists_every_dataset_and_the_ballots_of_closed_votes(
    client: FlaskClient, published: dict[str, Any], db: Session
) -> None:
    from civic.voting.models import VoteResult

    area, small = sorted(published["projects"])[:2]
    for where, counted in ((area, 20), (small, 19)):  # the default MIN_PUBLISHED_BALLOTS: 20
        db.add(
            VoteResult(
                call_id=published["call"].id, area_id=where, rule="greedy",
                budget_cents=100_000_00, winners=[published["projects"][where][0]],
                explanation={}, ballots=counted, voters=counted, computed_at=utcnow(),
                published_at=utcnow(),
            )
        )  # fmt: skip
    db.commit()
    answer = client.get("/opendata/catalog.jsonld")
    assert answer.mimetype == "application/ld+json"
    catalogue = json.loads(answer.get_data(as_text=True))
    assert catalogue["@type"] == "dcatapit:Catalog"
    by_id = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert set(by_id) == {f"civic:{name}" for name in DATASETS} | {"civic:ballots"}
    for name in DATASETS:
        kinds = {d["dcat:mediaType"] for d in by_id[f"civic:{name}"]["dcat:distribution"]}
        assert kinds == {"text/csv", "application/json"}
        for distribution in by_id[f"civic:{name}"]["dcat:distribution"]:
            assert distribution["dct:license"]["@id"].startswith("https://creativecommons.org")
            path = distribution["dcat:accessURL"]["@id"].replace("http://localhost", "")
            assert client.get(path).status_code == 200
    ballots = by_id["civic:ballots"]["dcat:distribution"]
    assert len(ballots) == 1  # the area with 19 ballots publishes its totals only
    assert ballots[0]["dcat:accessURL"]["@id"].endswith(f"/risultati/{area}.pb")


def test_the_api_pages_with_cursors_and_filters(
    client: FlaskClient, published: dict[str, Any]
) -> None:
    seen: list[int] = []
    url: str | None = "/api/v1/proposals?limit=2"
    pages = 0
    while url:
        body = client.get(url).get_json()
        assert len(body["data"]) <= 2
        seen += [row["id"] for row in body["data"]]
        url = f"/api/v1/proposals?limit=2&cursor={body['next']}" if body["next"] else None
        pages += 1
    everything = client.get("/api/v1/proposals?limit=100").get_json()["data"]
    assert seen == [row["id"] for row in everything]  # every one once, in order
    assert len(seen) >= 10
    assert pages >= len(seen) // 2
    assert published["draft"].id not in seen
    area = sorted(published["projects"])[1]
    filtered = client.get(f"/api/v1/proposals?area={area}&limit=100").get_json()["data"]
    assert filtered
    assert {row["area_id"] for row in filtered} == {area}
    one = client.get(f"/api/v1/proposals/{seen[0]}").get_json()["data"]
    assert one == everything[0]
    assert client.get(f"/api/v1/proposals/{published['draft'].id}").status_code == 404
    assert client.get(f"/api/v1/meetings/{published['hidden_meeting'].id}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=x",
        "cursor=%%%",
        "cursor=abc",
        "cursor=1234567890",
        "area=abc",
        "area=-1",
    ],
)
def test_bad_parameters_are_a_400_in_json(client: FlaskClient, query: str) -> None:
    answer = client.get(f"/api/v1/proposals?{query}")
    assert answer.status_code == 400
    assert "invalid parameter" in answer.get_json()["error"]


def test_unknown_things_are_a_404_in_json(client: FlaskClient) -> None:
    for path in ("/api/v1/voters", "/api/v1/proposals/999999", "/api/v1/nothing/here/at/all"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.is_json


def test_answers_carry_an_etag_and_a_repeat_gets_304(
    client: FlaskClient, published: dict[str, Any]
) -> None:
    first = client.get("/api/v1/proposals")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/proposals", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    changed = client.get("/api/v1/proposals?limit=3", headers={"If-None-Match": etag})
    assert changed.status_code == 200


def test_the_api_is_rate_limited_per_client(app: Flask) -> None:
    app.config["RATELIMIT_API"] = "3 per minute"
    client = app.test_client()
    codes = [client.get("/api/v1/calls").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/calls").is_json
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert other.get("/api/v1/calls").status_code == 200


def test_the_openapi_document_describes_every_dataset(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    for name in DATASETS:
        assert f"/api/v1/{name}" in spec["paths"]
        assert f"/api/v1/{name}/{{id}}" in spec["paths"]
    docs = client.get("/api/v1/docs").get_data(as_text=True)
    assert "GET /api/v1/proposals" in docs


def test_the_api_conforms_to_its_openapi_document(app: Flask, published: dict[str, Any]) -> None:
    """schemathesis generates requests for every operation from the document (a bounded number
    each) and checks: no server error, status codes, content types, headers and bodies as
    documented."""
    from hypothesis import given

    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 2 * len(DATASETS)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            case.call_and_validate()

        check()


def test_the_page_reads_each_datasets_words_in_the_readers_language(client: FlaskClient) -> None:
    """Titles, descriptions and every column's meaning were English on the Italian page."""
    from flask_babel import force_locale, gettext

    from tests.web.helpers import post_with_token

    italian = client.get("/opendata").get_data(as_text=True)
    shown = html.unescape(italian)
    with client.application.test_request_context("/"), force_locale("it"):
        for dataset in DATASETS.values():
            for english in (
                dataset.title,
                dataset.description,
                *(c.description for c in dataset.columns),
            ):
                translated = gettext(english)
                assert translated != english, english  # translated, not shown as written
                assert translated in shown, translated
    assert "Identificativo, stabile." in italian
    assert "Identifier, stable." not in italian
    assert ' lang="en"' not in italian.split("<main", 1)[1]  # nothing left marked English

    post_with_token(client, "/lingua", {"lang": "en", "next": "/opendata"})
    english_page = client.get("/opendata").get_data(as_text=True)
    assert "Identifier, stable." in english_page
    assert "Bandi pubblicati" not in english_page


def test_the_catalogue_gives_each_dataset_in_italian_and_english(client: FlaskClient) -> None:
    catalogue = json.loads(client.get("/opendata/catalog.jsonld").get_data(as_text=True))
    calls = next(d for d in catalogue["dcat:dataset"] if d["dct:identifier"] == "civic:calls")
    assert calls["dct:title"] == [
        {"@value": "Bandi", "@language": "it"},
        {"@value": "Calls", "@language": "en"},
    ]
    languages = [v["@language"] for v in calls["dct:description"]]
    assert languages == ["it", "en"]
    assert calls["dct:description"][0]["@value"].startswith("Bandi pubblicati")
    # The API's own description stays as written, in English.
    spec = json.loads(client.get("/api/v1/openapi.json").get_data(as_text=True))
    assert "Identifier, stable." in json.dumps(spec)
