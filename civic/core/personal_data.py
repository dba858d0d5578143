"""What each feature holds on a person, for "download my data" and "delete my account".

Features register an exporter (returns JSON-ready data) and an eraser (removes or anonymises
personal data, keeping contributions) under their own name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

Exporter = Callable[[Session, Any], Any]
Eraser = Callable[[Session, Any, datetime], None]

exporters: dict[str, Exporter] = {}
erasers: dict[str, Eraser] = {}


def register(name: str, exporter: Exporter, eraser: Eraser | None = None) -> None:
    """Declare a feature's share of a person's data."""
    exporters[name] = exporter
    if eraser is not None:
        erasers[name] = eraser
