"""Run Alembic from code (the CLI, the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig

from .paths import MIGRATIONS_DIR


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic configuration aimed at ``url``."""
    cfg = AlembicConfig(str(MIGRATIONS_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``."""
    command.upgrade(alembic_config(url), revision)
