"""Settings for civic, read from the environment when an app is created.

Three profiles: development (the default, SQLite in ``instance/``), test and production.
Production refuses to start while a secret is missing or still has its development value.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"

# Development values: good enough on a laptop, refused by production.
DEV_SECRETS = {
    "SECRET_KEY": "dev-only-secret-key-not-for-production",
    "STRIPE_SECRET_KEY": "sk_test_civic_development",
    "STRIPE_WEBHOOK_SECRET": "whsec_civic_development",
    "IDENTITY_HASH_KEY": "dev-only-identity-hash-key",
    "BALLOT_KEY": "dev-only-ballot-key",
}
WEAK_SECRETS = {"changeme", "change-me", "secret", "password", "dev"}


class ConfigError(SystemExit):
    """A setting makes it unsafe to start; the message is one line saying which."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _bool(name: str, default: bool) -> bool:
    raw = _env(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str = "") -> list[str]:
    raw = _env(name, default) or ""
    return [item.strip() for item in raw.split(",") if item.strip()]


def _bounds(name: str, default: tuple[float, float, float, float]) -> tuple[float, ...]:
    raw = _env(name)
    if raw is None:
        return default
    parts = tuple(float(p) for p in raw.split(","))
    if len(parts) != 4 or not (parts[0] < parts[2] and parts[1] < parts[3]):
        raise ConfigError(f"civic: {name} must be 'south,west,north,east'")
    return parts


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"civic: {name} must be a whole number, not {raw!r}") from None


def base() -> dict[str, Any]:
    """Settings shared by every profile."""
    redis_url = _env("REDIS_URL")
    secure_cookies = _bool("SESSION_COOKIE_SECURE", False)
    return {
        "ENV_NAME": "development",
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRETS["SECRET_KEY"]),
        "DATABASE_URL": _env("DATABASE_URL", f"sqlite:///{INSTANCE / 'civic.sqlite3'}"),
        "REDIS_URL": redis_url,
        # Mail: everything leaves through SMTP, from the outbox, after the commit.
        "MAIL_SERVER": _env("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": _int("MAIL_PORT", 1025),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": _env("MAIL_DEFAULT_SENDER", "civic <noreply@civic.localhost>"),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        # Stripe: only civic/crowdfunding/gateway.py talks to it.
        "STRIPE_SECRET_KEY": _env("STRIPE_SECRET_KEY", DEV_SECRETS["STRIPE_SECRET_KEY"]),
        "STRIPE_PUBLISHABLE_KEY": _env("STRIPE_PUBLISHABLE_KEY", "pk_test_civic_development"),
        "STRIPE_WEBHOOK_SECRET": _env(
            "STRIPE_WEBHOOK_SECRET", DEV_SECRETS["STRIPE_WEBHOOK_SECRET"]
        ),
        "STRIPE_API_BASE": _env("STRIPE_API_BASE"),
        # Keyed hashes of identifiers (throttled e-mail addresses, later fiscal numbers).
        "IDENTITY_HASH_KEY": _env("IDENTITY_HASH_KEY", DEV_SECRETS["IDENTITY_HASH_KEY"]),
        # The sealed ballot box (docs/ballot-secrecy.md). BALLOT_KEY, never stored in the
        # database: in server mode the calls' private keys are derived from it; in trustee
        # mode it keeps the shares entered during a count until the k-th arrives.
        "BALLOT_KEY": _env("BALLOT_KEY", DEV_SECRETS["BALLOT_KEY"]),
        # Who opens a new vote's box unless staff choose: "trustees" in production.
        "BALLOT_DEFAULT_MODE": _env("BALLOT_DEFAULT_MODE", "server"),
        # Areas with fewer ballots publish totals only, never the individual ballots.
        "MIN_PUBLISHED_BALLOTS": _int("MIN_PUBLISHED_BALLOTS", 20),
        # Background jobs (Huey): Redis when REDIS_URL is set, else SQLite in instance/.
        "HUEY_IMMEDIATE": _bool("HUEY_IMMEDIATE", False),
        # Rate limits: in memory by default, Redis when REDIS_URL is set.
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", redis_url or "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # If Redis cannot be reached, count in each process's memory until it is back rather
        # than fail the request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SIGN_IN": _env("RATELIMIT_SIGN_IN", "10 per minute;50 per hour"),
        "RATELIMIT_REGISTER": _env("RATELIMIT_REGISTER", "5 per minute;30 per hour"),
        "RATELIMIT_PASSWORD_RESET": _env("RATELIMIT_PASSWORD_RESET", "5 per minute;20 per hour"),
        "RATELIMIT_API": _env("RATELIMIT_API", "120 per minute;3000 per hour"),
        # Sign-in throttle per e-mail address and client: after this many failures, a growing
        # wait for that client.
        "SIGN_IN_FREE_FAILURES": _int("SIGN_IN_FREE_FAILURES", 5),
        # The same per address from every client together: guessing spread over many network
        # addresses. Past it, passwords wait for everyone; the e-mailed link still lets the
        # owner in.
        "SIGN_IN_ACCOUNT_FREE_FAILURES": _int("SIGN_IN_ACCOUNT_FREE_FAILURES", 30),
        "SIGN_IN_MAX_LOCK_MINUTES": _int("SIGN_IN_MAX_LOCK_MINUTES", 60),
        # A pledge whose card is not confirmed within this many minutes expires and gives its
        # reward place back.
        "PLEDGE_HOLD_MINUTES": _int("PLEDGE_HOLD_MINUTES", 30),
        # An e-mailed sign-in link works once, for this many seconds.
        "SIGN_IN_LINK_MAX_AGE": _int("SIGN_IN_LINK_MAX_AGE", 15 * 60),
        # Tokens sent by e-mail (seconds).
        "EMAIL_VERIFICATION_MAX_AGE": _int("EMAIL_VERIFICATION_MAX_AGE", 3 * 24 * 3600),
        "PASSWORD_RESET_MAX_AGE": _int("PASSWORD_RESET_MAX_AGE", 3600),
        # Cookies.
        "SESSION_COOKIE_NAME": "civic_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_NAME": "civic_remember",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_DURATION": 30 * 24 * 3600,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        # Languages and time.
        "LANGUAGES": ("it", "en"),
        "BABEL_DEFAULT_LOCALE": "it",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Rome",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "civic" / "translations"),
        # Who runs this instance (header, footer, legal pages).
        "CITY_NAME": _env("CIVIC_CITY_NAME", "Comune di Milano"),
        "CITY_COUNTRY": _env("CIVIC_CITY_COUNTRY", "Italy"),  # as open data names it
        "CONTACT_EMAIL": _env("CIVIC_CONTACT_EMAIL", "partecipazione@civic.localhost"),
        # Citizen sign-in with SPID/CIE through the city's OpenID Connect broker (off if no issuer).
        "OIDC_ISSUER": _env("OIDC_ISSUER"),
        "OIDC_CLIENT_ID": _env("OIDC_CLIENT_ID"),
        "OIDC_CLIENT_SECRET": _env("OIDC_CLIENT_SECRET"),
        "OIDC_SCOPES": _env("OIDC_SCOPES", "openid profile email"),
        "OIDC_TIMEOUT": _int("OIDC_TIMEOUT", 10),
        # Where people reach this instance (scheme, host and port): every absolute link (e-mails,
        # calendars, feeds, the API, QR codes) is built from it, never from the request's Host.
        "PUBLIC_URL": _env("CIVIC_PUBLIC_URL", "http://127.0.0.1:5000"),
        # Other host names this instance answers to, comma-separated; a request for any other
        # host is refused (400). The host of PUBLIC_URL is always allowed.
        "EXTRA_HOSTS": _list("CIVIC_EXTRA_HOSTS", "localhost"),
        "HUEY_SQLITE_PATH": _env("HUEY_SQLITE_PATH", str(INSTANCE / "huey.sqlite3")),
        # Uploaded files live here, outside static/, and are served through permission checks.
        "UPLOAD_DIR": _env("UPLOAD_DIR", str(INSTANCE / "uploads")),
        # Map tiles: a URL template. OpenStreetMap's own tiles by default, which suit a demo and
        # light use (their policy asks heavy users for their own server); empty for maps
        # without tiles (points are still shown and picked, on a frame of the city).
        "MAP_TILE_URL": _env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        # The credit the tiles' licence asks for, shown in the map's corner.
        "MAP_TILE_ATTRIBUTION": _env("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors"),
        # Address search (places.geocoding): a Nominatim service; empty turns the search off.
        "GEOCODER_URL": _env("GEOCODER_URL", "https://nominatim.openstreetmap.org"),
        # How often this installation may ask it (the public Nominatim's policy: once a second).
        "GEOCODER_LIMIT": _env("GEOCODER_LIMIT", "1 per second"),
        "MAP_CENTER": (45.4642, 9.19),
        # The city's territory as a box (south, west, north, east): places outside are refused.
        "CITY_BOUNDS": _bounds("CIVIC_CITY_BOUNDS", (45.38, 9.04, 45.54, 9.28)),
        # How many proxies (load balancer, TLS terminator) stand in front of the app and set
        # X-Forwarded-For/-Proto/-Host: their values are trusted only this many hops deep, so
        # rate limits and logs see the visitor's address. 0: no proxy, the headers are ignored.
        "PROXY_HOPS": _int("PROXY_HOPS", 0),
        # Logs: "text" on a laptop, one JSON object a line in production (with the request id).
        "LOG_FORMAT": _env("LOG_FORMAT", "text"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        "TESTING": False,
        "DEBUG": False,
    }


LOCALSTRIPE_URL = "http://127.0.0.1:8420"


def development() -> dict[str, Any]:
    """The laptop profile: SQLite, local SMTP on port 1025, in-memory rate limits. Without
    Stripe keys, payments go to the localstripe server that ``make run`` starts (test cards,
    no internet); with real test keys (``STRIPE_SECRET_KEY``), to Stripe."""
    settings = base()
    if _env("STRIPE_SECRET_KEY") is None and settings["STRIPE_API_BASE"] is None:
        settings["STRIPE_API_BASE"] = LOCALSTRIPE_URL
    return settings


def test() -> dict[str, Any]:
    """The test profile: immediate jobs, in-memory rate limits, a database chosen by the tests."""
    settings = base()
    settings.update(
        ENV_NAME="test",
        TESTING=True,
        SECRET_KEY="test-secret-key",
        DATABASE_URL=_env("CIVIC_TEST_DATABASE_URL", "sqlite://"),
        PUBLIC_URL="http://localhost",  # the test client's own host
        HUEY_IMMEDIATE=True,
        RATELIMIT_STORAGE_URI="memory://",
        LOG_LEVEL=_env("LOG_LEVEL", "WARNING"),
        # Tests never reach the internet: no tiles, and address search only where a test
        # starts a service of its own (tests/geocoder.py).
        MAP_TILE_URL="",
        GEOCODER_URL="",
        GEOCODER_LIMIT="1000 per second",  # the stand-in has no policy; one test sets its own
    )
    return settings


def production() -> dict[str, Any]:
    """The production profile: every secret set and not a default, secure cookies."""
    for name, dev_value in DEV_SECRETS.items():
        value = _env(name)
        if value is None:
            raise ConfigError(f"civic: refusing to start in production: {name} is not set")
        if value == dev_value or value.lower() in WEAK_SECRETS:
            raise ConfigError(f"civic: refusing to start in production: {name} has a default value")
    if len(_env("SECRET_KEY") or "") < 32:
        raise ConfigError(
            "civic: refusing to start in production: SECRET_KEY is shorter than 32 characters"
        )
    if _env("DATABASE_URL") is None:
        raise ConfigError("civic: refusing to start in production: DATABASE_URL is not set")
    settings = base()
    secure = _bool("SESSION_COOKIE_SECURE", True)
    settings.update(
        ENV_NAME="production",
        BALLOT_DEFAULT_MODE=_env("BALLOT_DEFAULT_MODE", "trustees"),
        LOG_FORMAT=_env("LOG_FORMAT", "json"),
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_SECURE=secure,
        PREFERRED_URL_SCHEME="https",
        EXTRA_HOSTS=_list("CIVIC_EXTRA_HOSTS"),
    )
    return settings


PROFILES = {"development": development, "test": test, "production": production}


def load(name: str | None = None) -> dict[str, Any]:
    """Return the settings of a profile (default: $CIVIC_ENV, else development)."""
    name = name or _env("CIVIC_ENV", "development")
    assert name is not None
    if name not in PROFILES:
        raise ConfigError(f"civic: unknown CIVIC_ENV {name!r} (use one of {', '.join(PROFILES)})")
    return PROFILES[name]()
