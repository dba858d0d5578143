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

from flask import Flask, current_app


def trusted_hosts(config: Mapping[str, Any]) -> list[str]:
    """The host names this instance answers to."""
    own = urlsplit(str(config["PUBLIC_URL"])).hostname
    return sorted({h.lower() for h in [own or "", *config.get("EXTRA_HOSTS", [])] if h})


def public_url(path: str = "/") -> str:
    """``path`` (from ``url_for``, starting with '/') on the public address."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path


class CivicFlask(Flask):
    """Flask whose external links start with ``PUBLIC_URL`` (templates' ``url_for`` too)."""

    def url_for(self, endpoint: str, *, _external: bool | None = None, **values: Any) -> str:
        if not _external:
            return super().url_for(endpoint, _external=_external, **values)
        values.pop("_scheme", None)  # the public address says the scheme
        return public_url(super().url_for(endpoint, _external=False, **values))
