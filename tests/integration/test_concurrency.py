"""Concurrent requests on a real database with real commits: no 500, no lost count, no duplicate."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from civic.accounts.models import SignInThrottle, User
from civic.accounts.services import begin_session
from civic.core.audit import AuditEntry
from civic.core.db import get_database
from civic.core.migrate import upgrade
from civic.proposals.models import Proposal, Support
from tests.conftest import make_test_app
from tests.factories.accounts import PASSWORD
from tests.support import Mailbox, postgres_url_or_skip, throwaway_database

CLIENTS = 20


@pytest.fixture(params=["sqlite", "postgresql"])
def live_app(
    request: pytest.FixtureRequest, tmp_path: Path, smtp: tuple[int, Mailbox]
) -> Iterator[Flask]:
    base = postgres_url_or_skip() if request.param == "postgresql" else "sqlite://"
    with throwaway_database(base, str(tmp_path)) as url:
        upgrade(url)
        app = make_test_app(
            url,
            smtp[0],
            RATELIMIT_ENABLED=False,
            WTF_CSRF_ENABLED=False,
            SIGN_IN_FREE_FAILURES=CLIENTS + 1,  # no lock, so every failure must be counted
        )
        yield app
        get_database(app).engine.dispose()


def _all_at_once(work: Callable[[int], int]) -> list[int]:
    """Run ``work(i)`` in CLIENTS threads released together; return their status codes."""
    barrier = threading.Barrier(CLIENTS)
    codes: list[int] = [0] * CLIENTS
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            codes[i] = work(i)
        except BaseException as exc:  # a crash in a thread must fail the test, not vanish
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return codes


def _count(app: Flask, model: Any, *where: Any) -> int:
    with app.app_context():
        session = get_database(app).session_factory()
        try:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        finally:
            session.close()


def test_concurrent_failed_sign_ins_are_each_counted(live_app: Flask) -> None:
    def fail(_i: int) -> int:
        data = {"email": "nobody@example.org", "password": "Wrong-Password-1"}
        return live_app.test_client().post("/accedi", data=data).status_code

    codes = _all_at_once(fail)
    assert set(codes) == {200}
    with live_app.app_context():
        session = get_database(live_app).session_factory()
        failures = session.scalar(select(SignInThrottle.failures))
        session.close()
    assert failures == CLIENTS


def test_concurrent_registrations_of_one_address_make_one_account(live_app: Flask) -> None:
    def register(_i: int) -> int:
        data = {"email": "lucia@example.org", "password": PASSWORD, "confirm": PASSWORD}
        data["privacy"] = "y"
        return live_app.test_client().post("/registrati", data=data).status_code

    codes = _all_at_once(register)
    assert set(codes) == {200}
    assert _count(live_app, User, User.email == "lucia@example.org") == 1


def _call_and_proposal(app: Flask, threshold: int) -> tuple[str, int, list[int]]:
    """Set up, with real commits: a call, a proposal, and CLIENTS citizens."""
    from tests.factories.accounts import make_user
    from tests.factories.calls import make_call, make_proposal

    with app.test_request_context("/"):
        session = get_database(app).session_factory()
        try:
            call = make_call(session, threshold=threshold)
            proposal = make_proposal(session, call)
            people = [begin_session(make_user(session)).get_id() for _ in range(CLIENTS)]
            return call.slug, proposal.id, people
        finally:
            session.close()


def _support(app: Flask, proposal_id: int, session_id: str) -> int:
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = session_id
    return client.post(f"/proposte/{proposal_id}/sostegno").status_code


def test_one_person_clicking_support_many_times_at_once_counts_once(live_app: Flask) -> None:
    _slug, proposal_id, people = _call_and_proposal(live_app, threshold=0)
    codes = _all_at_once(lambda _i: _support(live_app, proposal_id, people[0]))
    assert set(codes) == {302}
    assert _count(live_app, Support, Support.proposal_id == proposal_id) == 1


def test_many_people_supporting_at_once_are_all_counted_and_the_threshold_applies_once(
    live_app: Flask,
) -> None:
    _slug, proposal_id, people = _call_and_proposal(live_app, threshold=5)
    codes = _all_at_once(lambda i: _support(live_app, proposal_id, people[i]))
    assert set(codes) == {302}
    assert _count(live_app, Support, Support.proposal_id == proposal_id) == CLIENTS
    assert _count(live_app, Proposal, Proposal.status == "in_review") == 1
    moves = _count(live_app, AuditEntry, AuditEntry.action == "proposal.status")
    assert moves == 1  # submitted -> in_review happened once, not once per support past the line
