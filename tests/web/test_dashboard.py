"""The transparency dashboard: figures by Municipio for each kind of call, filtered by year,
Municipio and theme; every figure links to the list it counts and the list agrees; the CSV holds
the same figures; charts are drawn from tables on the page with Chart.js served from this site."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import Call
from civic.core.time import ROME, utcnow
from civic.crowdfunding import ledger
from civic.proposals.models import Support
from civic.residency.models import CensusRecord
from civic.voting.models import VoteResult
from civic.voting.services import counting
from tests.factories.accounts import make_user
from tests.factories.calls import make_call, make_proposal, make_voting_call
from tests.factories.crowdfunding import make_campaign
from tests.factories.grants import make_application, make_grant_call

LISTS = ("/dashboard", "/dashboard/proposte", "/dashboard/votazioni", "/dashboard/crowdfunding",
         "/dashboard/contributi", "/dashboard/dati.csv")  # fmt: skip
FIELDS = (
    "proposals", "supports", "voters", "projects", "allocated_cents", "spent_cents",
    "raised_cents", "matched_cents", "grants", "granted_cents",
)  # fmt: skip


@pytest.fixture
def city(app: Flask, db: Session) -> dict[str, Any]:
    """Two Municipi with proposals and supports, a published vote in both (census known for the
    first), its winners tracked, a campaign with money in its ledger, a grant awarded, and an
    older call, published in 2024, with one proposal on another theme."""
    staff = make_user(db, roles=(Role.STAFF,))
    with app.test_request_context("/"):
        call, projects = make_voting_call(db, voting_open=False, projects_per_area=2)
        first, second = sorted(projects)
        fans = [make_user(db) for _ in range(3)]
        for proposal_id, supporters in zip(projects[first], (fans, fans[:1]), strict=True):
            for fan in supporters:
                db.add(Support(proposal_id=proposal_id, user_id=fan.id, created_at=utcnow()))
        for area, voters, winners in ((first, 40, projects[first][:1]), (second, 10, [])):
            db.add(
                VoteResult(
                    call_id=call.id, area_id=area, rule="greedy", budget_cents=100_000_00,
                    winners=winners, explanation={}, ballots=voters, voters=voters,
                    electorate=100 if area == first else None, computed_at=utcnow(),
                )
            )  # fmt: skip
        for n in range(100):
            db.add(
                CensusRecord(
                    fiscal_hash=f"{n:064d}", municipio_id=first, birth_date=date(1980, 1, 1),
                    batch="test", imported_at=utcnow(),
                )
            )  # fmt: skip
        db.flush()
        counting.publish_results(db, staff, call, now=utcnow())
        db.commit()
        grant_call, grant_settings = make_grant_call(db, staff)
        grant = make_application(db, grant_call, grant_settings, make_user(db))
        grant.state, grant.area_id = "funded", second
        db.commit()
        old = make_call(db, title="Bilancio partecipativo 2024")
        db.get(Call, old.id).published_at = datetime(2024, 6, 1, 10, tzinfo=ROME)  # type: ignore[union-attr]
        other_theme = old.themes[1].id
        make_proposal(db, old, area_id=first, theme_id=other_theme, title="Vecchia idea")
        campaign = make_campaign(db)
    for n, amount in enumerate((3_000_00, 1_500_00)):
        ledger.post(
            db, movement=f"test_pledge:{n}", campaign_id=campaign.id, kind="pledge_committed",
            lines={"pledged": amount, "backer_commitments": -amount}, now=utcnow(),
        )  # fmt: skip
    db.commit()
    return {
        "call": call, "first": first, "second": second, "projects": projects, "grant": grant,
        "campaign": campaign, "old": old, "other_theme": other_theme,
    }  # fmt: skip


def _table(page: str) -> dict[str, dict[str, str]]:
    """The by-Municipio table: area key -> field -> (text, link)."""
    rows: dict[str, dict[str, str]] = {}
    for area, body in re.findall(r'<tr data-area="(\d+)">(.*?)</tr>', page, re.S):
        rows[area] = {
            field: value.strip()
            for field, value in re.findall(
                r'data-field="(\w+)">\s*<a href="[^"]*">([^<]*)</a>', body
            )
        }
    return rows


def _links(page: str) -> dict[tuple[str, str], str]:
    found = {}
    for area, body in re.findall(r'<tr data-area="(\d+)">(.*?)</tr>', page, re.S):
        for field, href in re.findall(r'data-field="(\w+)">\s*<a href="([^"]*)"', body):
            found[(area, field)] = href.replace("&amp;", "&")
    return found


def test_the_figures_by_municipio_count_each_kind_of_call(
    client: FlaskClient, city: dict[str, Any]
) -> None:
    page = client.get("/dashboard").get_data(as_text=True)
    table = _table(page)
    first, second = str(city["first"]), str(city["second"])
    assert table[first]["proposals"] == "3"  # two this year, one in 2024
    assert table[first]["supports"] == "4"
    assert table[first]["voters"] == "40"
    assert table[second]["voters"] == "10"
    assert table[first]["projects"] == "1"  # the one winner, tracked on publication
    assert table[first]["allocated_cents"] == "€ 30.000,00"
    assert table[second]["grants"] == "1"
    assert table["0"]["raised_cents"] == "€ 4.500,00"  # the city-wide campaign
    assert table["0"]["matched_cents"] == "€ 0,00"
    assert "40,0%" in page  # 40 voters of 100 residents on the census, written the Italian way
    assert "affluenza 40,0%" in page  # the card: the second Municipio (no census) is left out
    assert "Tutta la città (nessun Municipio)" in page
    cards = dict(re.findall(r'data-figure="([\w.]+)">([^<]*)<', page))
    assert cards == {
        "dashboard.proposals": "5",  # 3 in the first Municipio, 2 in the second
        "dashboard.votes": "50",
        "execution.list_projects": "1",
        "dashboard.campaigns": "€ 4.500,00",
        "dashboard.grants": "1",
    }
    assert str(city["grant"].total_cents // 100) in page.replace(".", "")


def test_every_figure_links_to_a_list_that_counts_the_same(
    client: FlaskClient, city: dict[str, Any]
) -> None:
    page = client.get("/dashboard").get_data(as_text=True)
    table, links = _table(page), _links(page)
    checked = 0
    for (area, field), href in links.items():
        listing = client.get(href)
        assert listing.status_code == 200, href
        html = listing.get_data(as_text=True)
        total = re.search(r'id="(?:list|projects)-total">(.*?)</p>', html, re.S)
        assert total is not None, href
        value = table[area][field]
        if field == "proposals":
            assert total.group(1).startswith(f"{value} propost"), (href, total.group(1))
        elif field == "supports":
            assert f"{value} sostegn" in total.group(1), (href, total.group(1))
        elif field == "voters":
            assert f"{value} votant" in total.group(1), (href, total.group(1))
        elif field in ("projects", "cancelled"):
            assert total.group(1).startswith(f"{value} progett"), (href, total.group(1))
        elif field == "grants":
            assert total.group(1).startswith(f"{value} contribut"), (href, total.group(1))
        elif field in ("raised_cents", "matched_cents", "granted_cents"):
            assert value in total.group(1), (href, total.group(1))
        checked += 1
    assert checked >= 3 * len(FIELDS) - 3


def test_the_filters_narrow_every_figure(client: FlaskClient, city: dict[str, Any]) -> None:
    first, second = str(city["first"]), str(city["second"])
    old_year = _table(client.get("/dashboard?anno=2024").get_data(as_text=True))
    assert set(old_year) == {first}
    assert old_year[first]["proposals"] == "1"
    assert old_year[first]["voters"] == "0"
    this_year = _table(client.get(f"/dashboard?anno={utcnow().year}").get_data(as_text=True))
    assert this_year[first]["proposals"] == "2"
    one_area = _table(client.get(f"/dashboard?municipio={second}").get_data(as_text=True))
    assert set(one_area) == {second}
    assert one_area[second]["grants"] == "1"
    theme = _table(client.get(f"/dashboard?tema={city['other_theme']}").get_data(as_text=True))
    assert theme[first]["proposals"] == "1"  # the proposal of that theme only
    listing = client.get(f"/dashboard/proposte?tema={city['other_theme']}").get_data(as_text=True)
    assert "Vecchia idea" in listing
    assert "1 proposta" in listing


@pytest.mark.parametrize(
    "query", ["anno=abc", "anno=1800", "municipio=-1", "municipio=99999999999", "tema=x", "page=0"]
)
def test_malformed_filters_are_ignored(
    client: FlaskClient, city: dict[str, Any], query: str
) -> None:
    plain = _table(client.get("/dashboard").get_data(as_text=True))
    for path in LISTS:
        assert client.get(f"{path}?{query}").status_code == 200
    if not query.startswith("municipio=9"):
        assert _table(client.get(f"/dashboard?{query}").get_data(as_text=True)) == plain


def test_the_csv_holds_the_figures_of_the_page(client: FlaskClient, city: dict[str, Any]) -> None:
    answer = client.get(f"/dashboard/dati.csv?municipio={city['first']}")
    assert answer.mimetype == "text/csv"
    assert "creativecommons.org/licenses/by/4.0" in answer.headers["Link"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["municipio"] for r in rows][-1] == "Totale"
    first = rows[0]
    page = _table(client.get(f"/dashboard?municipio={city['first']}").get_data(as_text=True))
    shown = page[str(city["first"])]
    assert first["proposals"] == shown["proposals"]
    assert first["supports"] == shown["supports"]
    assert first["voters"] == shown["voters"]
    assert first["turnout_permille"] == "400"
    assert int(first["allocated_cents"]) == 30_000_00
    assert rows[-1]["proposals"] == first["proposals"]  # one Municipio: the total is its row


def test_charts_are_drawn_from_tables_with_chart_js_served_here(
    client: FlaskClient, city: dict[str, Any]
) -> None:
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js" defer></script>' in page
    assert '<script src="/static/js/charts.js" defer></script>' in page
    assert "cdn" not in page.lower()
    holders = re.findall(r'data-chart-for="([\w-]+)"', page)
    assert len(holders) == 3
    for table_id in holders:
        table = re.search(
            rf'<table[^>]*id="{table_id}"[^>]*data-chart="bar".*?</table>', page, re.S
        )
        assert table is not None, table_id
        assert "<caption>" in table.group(0)
        assert len(re.findall(r"data-value=", table.group(0))) >= 2
    script = client.get("/static/js/charts.js")
    assert script.status_code == 200
    script.close()
    served = client.get("/static/vendor/chartjs/chart.umd.min.js")
    assert served.status_code == 200
    assert b"Chart" in served.data[:2000]
    served.close()
    points = json.loads(
        re.search(r'id="dashboard-map"[^>]*data-points="([^"]*)"', page)
        .group(1)  # type: ignore[union-attr]
        .replace("&#34;", '"')
        .replace("&quot;", '"')
    )
    assert [p["title"] for p in points]  # the winner has a place on the map
    assert all(p["url"].startswith("/progetti-finanziati/") for p in points)


def test_an_empty_city_says_so(client: FlaskClient, db: Session) -> None:
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Ancora niente da contare" in page
    assert client.get("/dashboard/dati.csv").status_code == 200


def test_turnout_is_traceable_to_the_open_results(
    client: FlaskClient, city: dict[str, Any]
) -> None:
    """The open results carry each vote's electorate, so anyone can recompute the turnout."""
    rows = client.get("/opendata/results.json").get_json()["rows"]
    by_area = {row["area_id"]: row for row in rows}
    assert by_area[city["first"]]["electorate"] == 100
    assert by_area[city["second"]]["electorate"] is None
    known = [row for row in rows if row["electorate"] is not None]
    permille = sum(r["voters"] for r in known) * 1000 // sum(r["electorate"] for r in known)
    answer = client.get("/dashboard/dati.csv").get_data(as_text=True).lstrip("\ufeff")
    total = list(csv.DictReader(io.StringIO(answer)))[-1]
    assert total["turnout_permille"] == str(permille) == "400"


def test_a_cancelled_project_leaves_the_funded_figures_and_is_shown_apart(
    client: FlaskClient, db: Session, city: dict[str, Any]
) -> None:
    from sqlalchemy import select

    from civic.execution.models import TrackedProject

    before = _table(client.get("/dashboard").get_data(as_text=True))
    first = str(city["first"])
    project = db.scalar(select(TrackedProject).where(TrackedProject.area_id == city["first"]))
    assert project is not None
    project.status = "cancelled"
    db.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    after = _table(page)
    assert int(after[first]["projects"]) == int(before[first]["projects"]) - 1
    assert after[first]["cancelled"] == "1"
    assert after[first]["allocated_cents"] != before[first]["allocated_cents"]
    assert "1 annullato o revocato" in page  # the total's card says so, with its amount
    listed = client.get(f"/progetti-finanziati?municipio={first}").get_data(as_text=True)
    assert project.title not in listed.split('id="projects-total"')[1]
    assert 'id="cancelled-apart"' in listed
    apart = client.get(f"/progetti-finanziati?municipio={first}&stato=cancelled")
    assert project.title in apart.get_data(as_text=True)
