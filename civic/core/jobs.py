"""Handing work to the job queue (Huey on Redis in production) when the queue may be down."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

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
