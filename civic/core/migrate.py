"""Run Alembic from code (the CLI, the tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .paths import MIGRATIONS_DIR

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic configuration aimed at ``url``."""
    # Alembic loads when a migration runs, not with every process that builds the app.
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig(str(MIGRATIONS_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)
