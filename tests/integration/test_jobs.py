"""Background jobs: Huey on SQLite by default, on Redis with REDIS_URL; e-mail is the first job."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey

from civic import extensions
from civic.core import mail
from civic.core.queue import make_huey
from tests.support import Mailbox, required

MESSAGE = {"to": "worker@example.org", "subject": "Prova", "body": "Dal worker.", "attachments": ()}


def _run_like_a_worker(queue: Huey, app: Flask) -> None:
    """Enqueue the e-mail job, then take it off the queue and run it as the consumer does."""
    job = queue.task()(mail.send_email.func)
    job(MESSAGE)
    assert queue.pending_count() == 1
    with app.app_context():
        queue.execute(queue.dequeue())
    assert queue.pending_count() == 0


def test_the_queue_is_a_sqlite_file_without_redis(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("HUEY_SQLITE_PATH", str(tmp_path / "jobs" / "huey.sqlite3"))
    queue = make_huey()
    assert isinstance(queue, SqliteHuey)
    assert queue.storage.filename == str(tmp_path / "jobs" / "huey.sqlite3")


def test_the_queue_is_redis_when_redis_url_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    assert isinstance(make_huey(), RedisHuey)


def test_tests_run_jobs_immediately(app: Flask) -> None:
    assert extensions.huey.immediate is True


def test_an_email_job_queued_in_sqlite_is_delivered_by_a_worker(
    app: Flask, mailbox: Mailbox, tmp_path: Path
) -> None:
    queue = SqliteHuey(f"civic-test-{uuid.uuid4().hex[:6]}", filename=str(tmp_path / "q.sqlite3"))
    _run_like_a_worker(queue, app)
    assert Mailbox.body(mailbox.last_to("worker@example.org")).strip() == "Dal worker."


def _redis_or_skip() -> Any:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis is not reachable at 127.0.0.1:6379: {exc.__class__.__name__}"
        if required("CIVIC_REQUIRE_REDIS"):
            pytest.fail(reason + " (CIVIC_REQUIRE_REDIS=1)")
        pytest.skip(reason)
    return client


def test_an_email_job_queued_in_redis_is_delivered_by_a_worker(
    app: Flask, mailbox: Mailbox
) -> None:
    client = _redis_or_skip()
    name = f"civic-test-{uuid.uuid4().hex[:8]}"
    queue = RedisHuey(name, url="redis://127.0.0.1:6379/15")
    try:
        _run_like_a_worker(queue, app)
    finally:
        queue.storage.flush_all()
        client.close()
    assert Mailbox.body(mailbox.last_to("worker@example.org")).strip() == "Dal worker."


def test_the_worker_entry_point_exposes_the_queue_with_the_email_job() -> None:
    import civic.worker

    assert civic.worker.huey is extensions.huey
    assert any(name.endswith("send_email") for name in extensions.huey._registry._registry)


def test_the_worker_knows_every_job_and_the_periodic_ones() -> None:
    # In a fresh interpreter: the consumer imports only civic.worker, not the tests' modules.
    import json
    import subprocess
    import sys

    script = (
        "import json, civic.worker as w; r = w.huey._registry; "
        "print(json.dumps([sorted(r._registry), sorted(t.name for t in r.periodic_tasks)]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    registered, periodic = json.loads(out.strip().splitlines()[-1])
    assert {
        "civic.voting.tasks.tally_call_job",
        "civic.meetings.tasks.meeting_reminders",
        "civic.meetings.tasks.meeting_retention",
        "civic.crowdfunding.tasks.close_campaign_job",
        "civic.execution.tasks.tell_followers_job",
        "civic.accounts.tasks.send_reset_link_job",
    } <= set(registered)
    assert periodic == [
        "announce_openings_job",
        "close_due_campaigns",
        "expire_unconfirmed_pledges",
        "meeting_reminders",
        "meeting_retention",
        "resend_spooled_job",
        "send_digests_job",
        "tell_followers_left",
    ]
