"""Helpers shared by views: permission checks, safe redirects, the client's address."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

F = TypeVar("F", bound=Callable[..., Any])


def require(predicate: Callable[[Any], bool]) -> Callable[[F], F]:
    """Sign-in first for visitors, then 403 unless ``predicate(current_user)`` holds."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                # Flask-Login keeps its manager on the app, so core needs no extensions import
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


# Every id column is an integer of PostgreSQL's (4 bytes); a larger number names no row.
DATABASE_ID_MAX = 2**31 - 1


class DatabaseId(IntegerConverter):
    """``<int:...>`` in every route: a number past what an id column holds matches no route,
    so the answer is a 404 rather than the database's overflow error."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DATABASE_ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def id_arg(raw: str | None) -> int | None:
    """An id from a form or query string, or None if it is not one an id column could hold."""
    if raw is None:
        return None
    raw = str(raw).strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= DATABASE_ID_MAX else None


def signed_in(user: Any) -> bool:
    """Any signed-in person."""
    return bool(user.is_authenticated)


def safe_next(target: str | None, default: str) -> str:
    """A redirect target on this site only (no scheme, no host, no '//' tricks)."""
    if not target:
        return default
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def client_ip() -> str | None:
    """The address the request came from (the proxy sets remote_addr in production)."""
    return request.remote_addr


def page_arg() -> int:
    """The ?page= argument, 1 when absent or malformed."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1
