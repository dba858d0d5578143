"""``flask crowdfunding reconcile`` and ``flask crowdfunding close-due``."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from ..core.db import get_session
from ..core.time import utcnow

crowdfunding_cli = AppGroup("crowdfunding", help="Civic crowdfunding.")


@crowdfunding_cli.command("reconcile")
@with_appcontext
def reconcile_command() -> None:
    """Compare our ledger with Stripe; exit 1 and list the differences if there are any."""
    from .reconcile import reconcile

    differences = reconcile(get_session())
    if not differences:
        click.echo("ledger and Stripe agree; every movement balances to the cent")
        return
    for difference in differences:
        who = f"pledge {difference.pledge_id}" if difference.pledge_id else "ledger"
        click.echo(f"{who}: {difference.problem} {difference.detail}".rstrip())
    raise SystemExit(1)


@crowdfunding_cli.command("close-due")
@with_appcontext
def close_due_command() -> None:
    """Run the closing job now for every campaign that has work to do."""
    from flask import current_app

    from .closing import close_campaign, due_campaigns

    session = get_session()
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        for campaign_id in due_campaigns(session, utcnow()):
            state = close_campaign(session, campaign_id, now=utcnow())
            click.echo(f"campaign {campaign_id}: {state}")
