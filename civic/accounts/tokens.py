"""Signed, expiring tokens sent by e-mail."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_EMAIL = "civic.verify-email"
RESET_PASSWORD = "civic.reset-password"  # noqa: S105 (a salt name, not a password)  # nosec B105
SIGN_IN_LINK = "civic.sign-in-link"


class TokenInvalid(Exception):
    """The token was tampered with or is not one of ours."""


class TokenExpired(Exception):
    """The token is genuine but too old."""


def make_token(secret: str, purpose: str, payload: dict[str, Any]) -> str:
    """Sign a payload for one purpose."""
    return URLSafeTimedSerializer(secret, salt=purpose).dumps(payload)


def read_token(secret: str, purpose: str, token: str, max_age: int) -> dict[str, Any]:
    """The payload of a token made for this purpose, if genuine and not older than max_age."""
    serializer = URLSafeTimedSerializer(secret, salt=purpose)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenExpired from exc
    except (BadSignature, UnicodeError, ValueError) as exc:
        raise TokenInvalid from exc
    if not isinstance(payload, dict):
        raise TokenInvalid
    return payload
