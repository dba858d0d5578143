"""Absolute links are built from the configured public address, never from the request.

A request's ``Host`` header is whatever the client wrote: a password-reset link built from it
would carry the token to any host an attacker names. So every absolute link (e-mails,
calendars, feeds, the API's documents, QR codes) joins the path Flask builds to ``PUBLIC_URL``,
and a request for a host that is neither ``PUBLIC_URL``'s nor listed in ``EXTRA_HOSTS`` is
refused by Flask's ``TRUSTED_HOSTS`` check (400) before any view runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """The host names this instance answers to."""
    own = urlsplit(str(config["PUBLIC_URL"])).hostname
    return sorted({h.lower() for h in [own or "", *config.get("EXTRA_HOSTS", [])] if h})


def public_url(path: str = "/") -> str:
    """``path`` (from ``url_for``, starting with '/') on the public address."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path


def _fixed(endpoint: str, values: dict[str, Any]) -> bool:
    """A link that names no row: an endpoint without arguments, or a static file. Their number
    is bounded by the code, so remembering them cannot grow without end."""
    if endpoint.startswith("."):
        return False  # relative to the request's blueprint
    if not values:
        return True
    return (
        endpoint == "static"
        and values.keys() == {"filename"}
        and isinstance(values["filename"], str)
    )


class CivicFlask(Flask):
    """Flask whose external links start with ``PUBLIC_URL`` (templates' ``url_for`` too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fixed_urls: dict[tuple[Any, ...], str] = {}

    def url_for(self, endpoint: str, *, _external: bool | None = None, **values: Any) -> str:
        if not _external:
            # flask.url_for passes its options even when unset
            values = {k: v for k, v in values.items() if v is not None or not k.startswith("_")}
            if _fixed(endpoint, values):
                # The header's links and the icons' sprite are the same on every page: built
                # once per mount point instead of some fifteen times per page.
                key = (
                    request.script_root if has_request_context() else "",
                    endpoint,
                    *values.items(),
                )
                found = self._fixed_urls.get(key)
                if found is None:
                    found = self._fixed_urls[key] = super().url_for(endpoint, **values)
                return found
            return super().url_for(endpoint, _external=_external, **values)
        values.pop("_scheme", None)  # the public address says the scheme
        return public_url(super().url_for(endpoint, _external=False, **values))
