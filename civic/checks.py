"""``flask civic check``: is this environment fit to run in production?"""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext

import config as settings


def problems(environ_settings: dict[str, Any] | None = None) -> tuple[list[str], list[str]]:
    """(errors, warnings) for the production settings read from the environment."""
    errors: list[str] = []
    warnings: list[str] = []
    if environ_settings is None:
        try:
            environ_settings = settings.load("production")
        except settings.ConfigError as error:
            return [str(error)], warnings
    cfg = environ_settings
    if not str(cfg["DATABASE_URL"]).startswith("postgresql"):
        errors.append("DATABASE_URL: production runs on PostgreSQL")
    if not cfg.get("REDIS_URL"):
        errors.append("REDIS_URL: rate limits and jobs must be shared by every worker (Redis)")
    if not str(cfg.get("PUBLIC_URL", "")).startswith("https://"):
        errors.append("CIVIC_PUBLIC_URL: links in e-mails must use https")
    if not cfg.get("SESSION_COOKIE_SECURE"):
        errors.append("SESSION_COOKIE_SECURE: cookies must be secure behind https")
    if str(cfg.get("MAIL_SERVER", "")) in ("127.0.0.1", "localhost"):
        warnings.append("MAIL_SERVER: e-mail goes to this machine; set the city's SMTP relay")
    if cfg.get("STRIPE_API_BASE"):
        errors.append("STRIPE_API_BASE: payments must go to Stripe, not a local stand-in")
    if str(cfg.get("STRIPE_SECRET_KEY", "")).startswith("sk_test_"):
        warnings.append("STRIPE_SECRET_KEY: a test-mode key; no real payment will be made")
    if not cfg.get("OIDC_ISSUER"):
        warnings.append("OIDC_ISSUER: SPID/CIE sign-in is off")
    if cfg.get("LOG_FORMAT") != "json":
        warnings.append("LOG_FORMAT: logs are not JSON")
    return errors, warnings


@click.group("civic", help="Operating civic.")
def civic_cli() -> None:
    """Commands for operators."""


@civic_cli.command("check")
def check_command() -> None:
    """Validate the production configuration in this environment; exit 1 on any error."""
    errors, warnings = problems()
    for line in errors:
        click.echo(f"error: {line}")
    for line in warnings:
        click.echo(f"warning: {line}")
    if errors:
        raise SystemExit(1)
    click.echo("the production configuration is complete")


@civic_cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(target: str) -> None:
    """Write a backup of the PostgreSQL database (pg_dump, custom format)."""
    from pathlib import Path

    from flask import current_app

    from .backups import BackupError, backup

    try:
        backup(current_app.config["DATABASE_URL"], Path(target))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written to {target}")


@civic_cli.command("restore-check")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_check_command(source: str) -> None:
    """Restore a backup into an empty database and compare every table's row count."""
    from pathlib import Path

    from flask import current_app

    from .backups import BackupError, restore_check

    try:
        differences = restore_check(current_app.config["DATABASE_URL"], Path(source))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    for table, (live, restored) in differences.items():
        click.echo(f"{table}: {live} rows live, {restored} restored")
    if differences:
        raise SystemExit(1)
    click.echo("the backup restores with the same number of rows in every table")
