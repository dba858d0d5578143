"""Milan's Municipi and themes for tests, from the reference file the demo loads."""

from __future__ import annotations

import functools

from sqlalchemy.orm import Session

from civic.calls.services import load_themes
from civic.places.services import load_municipi
from civic.reference import MILANO, Reference, read


@functools.cache
def milano() -> Reference:
    return read(MILANO)


def seed_municipi(db: Session) -> int:
    """Milan's nine Municipi, where missing."""
    return load_municipi(db, milano().municipi)


def seed_themes(db: Session) -> int:
    """Milan's themes, where missing."""
    return load_themes(db, milano().themes)
