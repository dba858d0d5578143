"""The project runs the way the README says: gunicorn serves wsgi:app, set-up is idempotent."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import RoleGrant
from civic.calls.models import Call
from civic.core.migrate import upgrade
from civic.core.paths import ROOT
from civic.places.models import Area
from civic.voting.models import VoteResult
from tests.support import free_port

LAYOUT = [
    "civic/__init__.py",
    "civic/core",
    "civic/accounts",
    "migrations/env.py",
    "migrations/versions",
    "templates/base.html",
    "static/css",
    "tests/conftest.py",
    "config.py",
    "wsgi.py",
    "pyproject.toml",
    "README.md",
    "Makefile",
    ".ci/run",
    "package.json",
    "package-lock.json",
]


@pytest.mark.parametrize("path", LAYOUT)
def test_the_layout_is_where_the_readme_says(path: str) -> None:
    assert (ROOT / path).exists()


def test_gunicorn_serves_the_wsgi_app(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'civic.sqlite3'}"
    upgrade(url)
    port = free_port()
    env = os.environ | {
        "CIVIC_ENV": "development",
        "DATABASE_URL": url,
        "HUEY_SQLITE_PATH": str(tmp_path / "h.db"),
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [str(gunicorn), "wsgi:app", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accedi", timeout=2
                ) as response:
                    body = response.read().decode()
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        assert "Accedi" in body, log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_production_without_secrets_stops_gunicorn_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    env |= {"CIVIC_ENV": "production", "HUEY_SQLITE_PATH": str(tmp_path / "h.db")}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip().splitlines()[-1]
        == "civic: refusing to start in production: SECRET_KEY is not set"
    )


def _every_recorded_field_has_words(app: Flask, db: Session) -> None:
    """The demo runs every programme through the services: each field its audit entries
    record (call and meeting snapshots, settings saved whole) is shown in words."""
    from civic.admin.audit_labels import FIELDS, changes, value_text
    from civic.core.audit import AuditEntry

    entries = db.scalars(select(AuditEntry)).all()
    assert len(entries) > 20
    keys = {
        key
        for entry in entries
        for recorded in (entry.before, entry.after)
        if isinstance(recorded, dict)
        for key in recorded
        if not key.isdigit()  # figures per Municipio, shown as its number
    }
    assert sorted(keys - set(FIELDS)) == []
    with app.test_request_context("/"):
        labels = {label for e in entries for label, _old, _new in changes(e.before, e.after)}
        # Coded values (a call's kind, a meeting's format, a project's status) and days and
        # instants (ISO in the record) are shown in words and as dates, never as recorded.
        texts = {
            (key, value)
            for entry in entries
            for recorded in (entry.before, entry.after)
            for key, value in _flattened(recorded)
            if isinstance(value, str)
        }
        coded = {(k, v) for k, v in texts if re.fullmatch(r"[a-z][a-z0-9_-]*", v)}
        dated = {(k, v) for k, v in texts if re.match(r"\d{4}-\d{2}-\d{2}", v)}
        assert len(coded) > 10
        assert dated
        raw = sorted((k, v) for k, v in coded | dated if value_text(k, v) == v)
    assert "Altro dettaglio" not in labels
    assert raw == []


def _flattened(recorded: object, key: str = "") -> Iterator[tuple[str, object]]:
    """Every (field, value) of an entry's record, nested ones too (a list's items under its
    field)."""
    if isinstance(recorded, dict):
        for name, value in recorded.items():
            yield from _flattened(value, str(name))
    elif isinstance(recorded, list):
        for item in recorded:
            yield from _flattened(item, key)
    elif key:
        yield key, recorded


def test_the_demo_data_loads_once(app: Flask, db: Session) -> None:
    from civic.crowdfunding import ledger
    from civic.crowdfunding.models import Campaign, CrowdfundingSettings
    from civic.grants.models import GrantApplication, GrantRanking
    from civic.meetings.models import Meeting, MeetingGroup, Registration
    from civic.proposals.models import Proposal

    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert (
        "9 Municipi, 6 people, 3 calls, 40 proposals and 4 meetings, 6 crowdfunding "
        "campaigns and 30 grant applications added" in first.output
    )
    assert "admin@demo.example.org" in first.output
    # The trustee-mode vote: each demo trustee's 33 words, printed for a person to try it.
    shares = [line for line in first.output.splitlines() if line.startswith("  ") and ": " in line]
    assert len(shares) == 3
    assert all(len(line.split(": ", 1)[1].split()) == 33 for line in shares)
    second = runner.invoke(args=["seed-demo"])
    assert (
        "0 Municipi, 0 people, 0 calls, 0 proposals and 0 meetings, 0 crowdfunding "
        "campaigns and 0 grant applications added" in second.output
    )
    assert db.scalar(select(func.count()).select_from(Area)) == 9
    _every_recorded_field_has_words(app, db)
    demo_2026 = (
        select(Proposal).join(Call).where(Call.slug == "bilancio-partecipativo-2026").subquery()
    )
    assert db.scalar(select(func.count()).select_from(demo_2026)) == 40
    states = set(
        db.scalars(
            select(Proposal.status).join(Call).where(Call.slug == "bilancio-partecipativo-2026")
        )
    )
    assert states == {"draft", "submitted", "in_review", "feasible", "not_feasible", "withdrawn"}
    areas = set(
        db.scalars(
            select(Proposal.area_id).join(Call).where(Call.slug == "bilancio-partecipativo-2026")
        )
    )
    assert len(areas) == 8  # every Municipio the call covers
    roles = set(db.scalars(select(RoleGrant.role)))
    assert roles == {Role.ADMIN.value, Role.STAFF.value, Role.JUROR.value}
    meetings = db.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
    presentations = [m for m in meetings if m.kind == "presentation"]
    assert len({m.area_id for m in presentations}) == 3
    assert all(m.call_id is not None and m.status == "published" for m in presentations)
    hearing = next(m for m in meetings if m.kind == "hearing")
    groups = db.scalars(select(MeetingGroup.title).where(MeetingGroup.meeting_id == hearing.id))
    assert len(groups.all()) == 3
    waiting = db.scalar(
        select(func.count()).select_from(Registration).where(Registration.status == "waiting")
    )
    assert waiting == 2  # the first presentation is full, with people waiting
    campaigns = db.scalars(select(Campaign)).all()
    assert len(campaigns) == 6
    assert {c.state for c in campaigns} == {"live", "succeeded", "failed", "grace"}
    call = db.scalar(select(Call).where(Call.slug == "alleanze-di-quartiere-2024-25"))
    assert call is not None
    assert call.kind == "crowdfunding"
    rules = db.get(CrowdfundingSettings, call.id)
    assert rules is not None
    assert (rules.crowd_share_pct, rules.city_cap_cents, rules.max_days) == (50, 50_000_00, 60)
    assert ledger.unbalanced(db) == []
    funnel = dict(
        db.execute(
            select(GrantApplication.state, func.count()).group_by(GrantApplication.state)
        ).all()
    )
    assert sum(funnel.values()) == 30
    assert {"submitted", "inadmissible", "integration_requested", "under_review", "funded"} <= set(
        funnel
    )
    assert db.scalar(select(func.count()).select_from(GrantRanking)) == 1
    published = db.scalars(select(VoteResult.published_at)).all()
    assert published
    assert all(published)  # the 2025 vote is counted and public
    electorates = db.scalars(select(VoteResult.electorate)).all()
    assert all(0 < (e or 0) < 40 for e in electorates)  # a census of 40, children among them


def test_the_demo_data_is_refused_in_production(app: Flask) -> None:
    app.config["ENV_NAME"] = "production"
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "never loaded in production" in result.output


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_a_second_setup_has_nothing_to_do() -> None:
    """After `make test` (or `make run`) has set up, every set-up step is up to date."""
    if not (ROOT / "static/vendor/.built").exists():
        pytest.skip("the set-up has not run here (run `make test`, not bare pytest)")
    result = subprocess.run(
        ["make", "-q", "python-deps", "assets", "translations"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, "make would redo set-up steps: " + result.stdout + result.stderr


def test_every_demo_account_signs_in_with_its_printed_password(
    app: Flask, client: Any, db: Session
) -> None:
    from civic.cli import DEMO_PEOPLE
    from tests.web.helpers import post_with_token, submit

    app.config["RATELIMIT_ENABLED"] = False
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    for email, _name, _role, password, _municipio in DEMO_PEOPLE:
        response = submit(client, "/accedi", {"email": email, "password": password})
        assert response.status_code == 302, email
        post_with_token(client, "/esci")
