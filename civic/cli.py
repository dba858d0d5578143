"""Flask commands: ``flask --app wsgi db upgrade``, ``flask --app wsgi seed-demo``."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .core.db import get_session
from .core.migrate import upgrade
from .core.time import utcnow
from .demo.people import DEMO_PEOPLE

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations up to the newest."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load Milan's Municipi and the demo people, once."""
    from .demo import load_demo

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("demo data is never loaded in production")
    # E-mails the demo queues (trustees named) link to the public address.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        session = get_session()
        added = load_demo(session, utcnow(), report=click.echo)
        session.commit()
    click.echo(
        f"demo data: {added['municipi']} Municipi, {added['people']} people, "
        f"{added['calls']} calls, {added['proposals']} proposals and "
        f"{added.get('meetings', 0)} meetings, {added.get('campaigns', 0)} crowdfunding "
        f"campaigns and {added.get('grant_applications', 0)} grant applications added"
    )
    click.echo("demo accounts (e-mail / password):")
    for email, _name, role, password, _m in DEMO_PEOPLE:
        click.echo(f"  {role or 'citizen':8} {email:30} {password}")


@click.command("load-reference")
@click.argument("source", type=click.Path(dir_okay=False))
@with_appcontext
def load_reference_command(source: str) -> None:
    """Load a city's Municipi and themes from its reference file (civic/reference/milano.json
    is Milan's, and the format); what is there already stays as it is."""
    from pathlib import Path

    from .reference import ReferenceProblem, load, read

    try:
        reference = read(Path(source))
    except ReferenceProblem as problem:
        raise click.ClickException(f"{source}: {problem}") from None
    session = get_session()
    added = load(session, reference)
    session.commit()
    click.echo(
        f"{reference.city}: {added['areas']} of {len(reference.municipi)} Municipi and "
        f"{added['themes']} of {len(reference.themes)} themes added"
    )


def register(app: Flask) -> None:
    """Add the commands to ``flask``."""
    app.cli.add_command(db_cli)
    app.cli.add_command(seed_demo)

    from .crowdfunding.cli import crowdfunding_cli
    from .voting.cli import voting_cli

    app.cli.add_command(voting_cli)
    app.cli.add_command(crowdfunding_cli)

    from .checks import civic_cli

    civic_cli.add_command(load_reference_command)
    app.cli.add_command(civic_cli)
