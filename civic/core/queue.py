"""The job queue (Huey), in core so that the kernel's own jobs (e-mail) and every feature's
tasks share one instance without importing the extensions module."""

from __future__ import annotations

import os
from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

import config as settings


def make_huey() -> Huey:
    """Redis storage when REDIS_URL is set (production), else a SQLite file in instance/."""
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        return RedisHuey("civic", url=redis_url)
    path = Path(os.environ.get("HUEY_SQLITE_PATH") or settings.INSTANCE / "huey.sqlite3")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("civic", filename=str(path))


# Task modules decorate their functions with this instance at import time.
huey: Huey = make_huey()
