"""Keyed hashes of identifiers, so tables can match a value without storing it."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from stdnum.it import codicefiscale


def keyed_hash(key: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under ``key``, separated by purpose; 64 hex characters."""
    return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_fiscal_number(text: str) -> str | None:
    """'TINIT-rssmra85t10a562s' (as SPID sends it) or 'RSSMRA85T10A562S' -> the number, if
    valid; None otherwise."""
    value = text.strip().upper()
    if value.startswith("TINIT-"):
        value = value[6:]
    value = codicefiscale.compact(value)
    return value if codicefiscale.is_valid(value) else None


def fiscal_hash(fiscal_number: str) -> str:
    """The keyed hash of a fiscal number that the census and the voter roll match on."""
    return keyed_hash(current_app.config["IDENTITY_HASH_KEY"], "fiscal_number", fiscal_number)
