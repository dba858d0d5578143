"""The back office's front door: what needs staff now, and every list they work from."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("backoffice", __name__)

from . import views  # noqa: E402, F401 (the routes register on bp)
