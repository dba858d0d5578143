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
from civic.core.db import get_database
from civic.core.migrate import upgrade
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
