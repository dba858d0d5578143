"""Handing work to the job queue (Huey on Redis in production) when the queue may be down."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("civic.jobs")

# What enqueuing raises when the queue's storage cannot be reached.
QUEUE_DOWN: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    sqlite3.OperationalError,
)


def try_enqueue(task: Any, *args: Any) -> bool:
    """Queue ``task(*args)``; False, with nothing queued, if the queue is unreachable."""
    try:
        task(*args)
    except QUEUE_DOWN:
        log.warning("job queue unreachable: %s not queued", getattr(task, "name", task))
        return False
    return True


_AFTER_COMMIT = "civic.jobs_after_commit"


def enqueue_after_commit(session: Session, task: Any, *args: Any) -> None:
    """Queue ``task(*args)`` once the session's transaction commits (never if it rolls back),
    so a job never reads rows that are not there yet."""
    session.info.setdefault(_AFTER_COMMIT, []).append((task, args))


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for task, args in session.info.pop(_AFTER_COMMIT, []):
        try_enqueue(task, *args)  # if the queue is down, the feature's sweep picks it up


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # runs after after_commit: what is left was rolled back
        session.info.pop(_AFTER_COMMIT, None)
