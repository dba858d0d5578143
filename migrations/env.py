"""Alembic environment: the models' metadata, batch mode for SQLite."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

import config as settings
from civic.core.db import UTCDateTime, make_engine
from civic.models import metadata

alembic_config = context.config


def _url() -> str:
    url = alembic_config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get(
        "url"
    )
    return str(url or settings.load()["DATABASE_URL"])


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations spell the plain column type, so they do not import the app.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = alembic_config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
