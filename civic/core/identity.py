"""Keyed hashes of identifiers, so tables can match a value without storing it."""

from __future__ import annotations

import hashlib
import hmac


def keyed_hash(key: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under ``key``, separated by purpose; 64 hex characters."""
    return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()
