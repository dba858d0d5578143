"""Security headers on every response; the Content-Security-Policy allows no inline script."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def content_security_policy(tile_url: str = "") -> str:
    """The policy: our own origin only, plus the map tile server's origin for images if set."""
    img_src = "img-src 'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}.", "*."))
        if parts.scheme in ("http", "https") and parts.netloc:
            img_src += f" {parts.scheme}://{parts.netloc}"
    return CSP.replace("img-src 'self' data:", img_src)


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",  # Bootstrap Italia's CSS embeds one icon font as data:
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(self), payment=(self)",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def allow_sources(directive: str, *sources: str) -> None:
    """Let this response's policy allow more origins for one directive (e.g. Stripe.js on the
    pledge page only); every other page keeps the strict policy."""
    extra: dict[str, list[str]] = g.setdefault("csp_extra", {})
    extra.setdefault(directive, []).extend(sources)


def _policy() -> str:
    policy = str(current_app.config["CIVIC_CSP"])
    extra: dict[str, list[str]] = g.get("csp_extra") or {}
    parts = policy.split("; ")
    for directive, sources in extra.items():
        for n, part in enumerate(parts):
            if part.split(" ", 1)[0] == directive:
                parts[n] = " ".join([part, *sources])
                break
        else:
            parts.append(" ".join([directive, *sources]))
    return "; ".join(parts)


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Content-Security-Policy"] = _policy()
    if request.is_secure:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    if request.endpoint != "static" and "Cache-Control" not in response.headers:
        # Pages can carry personal data: no shared caches.
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def _refuse_nul_bytes() -> None:
    """NUL never belongs in text, and PostgreSQL cannot store it: refuse it before any code runs."""
    values = [request.path, *request.args.values()]
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in FORM_TYPES:
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        abort(400)


def register(app: Flask) -> None:
    """Check input and add the headers to every response."""
    app.config["CIVIC_CSP"] = content_security_policy(app.config.get("MAP_TILE_URL", ""))
    app.before_request(_refuse_nul_bytes)
    app.after_request(_add_headers)
