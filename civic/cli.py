"""Flask commands: ``flask --app wsgi db upgrade``, ``flask --app wsgi seed-demo``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .core.db import get_session
from .core.migrate import upgrade
from .core.time import utcnow

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")

# Printed by `make run` so a newcomer can sign in; refused in production.
DEMO_PEOPLE = (
    ("admin@demo.example.org", "Alessandra Admin", "admin", "Demo-admin-2026", 1),
    ("staff@demo.example.org", "Stefano Staff", "staff", "Demo-staff-2026", 1),
    ("giurato@demo.example.org", "Giulia Giurata", "juror", "Demo-juror-2026", 3),
    ("lucia@demo.example.org", "Lucia Bianchi", None, "Demo-citizen-2026", 3),
    ("marco@demo.example.org", "Marco Rossi", None, "Demo-citizen-2026", 8),
    ("fatima@demo.example.org", "Fatima El Amrani", None, "Demo-citizen-2026", 6),
)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations up to the newest."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load Milan's Municipi and the demo people, once."""
    from .accounts.domain import Role
    from .accounts.models import RoleGrant
    from .accounts.services import create_user, get_user_by_email
    from .places.queries import list_municipi
    from .places.services import seed_municipi

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo data is never loaded in production")
    session = get_session()
    now = utcnow()
    added_areas = seed_municipi(session)
    municipi = {area.number: area.id for area in list_municipi(session)}
    added_people = 0
    for email, name, role, password, municipio in DEMO_PEOPLE:
        if get_user_by_email(session, email) is not None:
            continue
        user = create_user(
            session,
            email=email,
            password=password,
            full_name=name,
            verified=True,
            now=now,
            municipio_id=municipi[municipio],
        )
        if role:
            session.add(RoleGrant(user_id=user.id, role=Role(role).value, granted_at=now))
        added_people += 1
    session.commit()
    click.echo(f"demo data: {added_areas} Municipi and {added_people} people added")
    click.echo("demo accounts (e-mail / password):")
    for email, _name, role, password, _m in DEMO_PEOPLE:
        click.echo(f"  {role or 'citizen':8} {email:30} {password}")


def register(app: Flask) -> None:
    """Add the commands to ``flask``."""
    app.cli.add_command(db_cli)
    app.cli.add_command(seed_demo)
