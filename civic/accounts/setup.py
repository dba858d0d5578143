"""What the accounts feature adds to the app: how a session finds its person, and SPID/CIE."""

from __future__ import annotations

from flask import Flask

from ..extensions import login_manager
from . import oidc
from .loader import load_user_by_session_id


def register(app: Flask) -> None:
    """Load the signed-in person from the session; set up the SPID/CIE client if configured."""
    login_manager.user_loader(load_user_by_session_id)
    oidc.register(app)
