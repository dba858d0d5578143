"""What operators need: a request id on every request and log line, JSON logs in production,
and a readiness check of the database and Redis."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, jsonify, request
from sqlalchemy import text

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id (or "-") to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id and any extras."""

    FIELDS = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name in self.FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if request.endpoint != "static":
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        logging.getLogger("civic.access").info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration,
            },
        )
    return response


def readiness() -> tuple[Response, int]:
    """The database answers, and Redis too when it is configured."""
    from .db import get_session

    checks: dict[str, str] = {}
    try:
        session = get_session()
        session.execute(text("SELECT 1"))
        session.rollback()
        checks["database"] = "ok"
    except Exception as error:  # any failure means not ready; the reason goes to the log
        logging.getLogger("civic").warning("readiness: database: %s", error)
        checks["database"] = "unavailable"
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        try:
            import redis

            redis.Redis.from_url(redis_url, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as error:  # as above
            logging.getLogger("civic").warning("readiness: redis: %s", error)
            checks["redis"] = "unavailable"
    else:
        checks["redis"] = "not configured"
    # Ready means able to serve: without the database it is not; without Redis it is, degraded
    # (rate limits in memory, e-mails spooled), so a balancer must not take every machine out.
    ready = checks["database"] == "ok"
    degraded = checks["redis"] == "unavailable"
    return jsonify(ready=ready, degraded=degraded, **checks), 200 if ready else 503


def register(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    for name in ("civic", "civic.access"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
        logger.propagate = False
    app.add_url_rule("/readyz", "readyz", readiness)
