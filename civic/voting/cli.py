"""`flask voting tally FILE`: tally any Pabulib file with civic's rules."""

from __future__ import annotations

import json
import time

import click
from flask.cli import AppGroup

from .rules.meta import RULES, tally
from .rules.pabulib import PabulibError, read

voting_cli = AppGroup("voting", help="Participatory-budget tallies.")


@voting_cli.command("tally")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--rule",
    type=click.Choice(RULES),
    default="meta",
    show_default=True,
    help="meta: the rule named in the file's META.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of the ids.")
def tally_command(path: str, rule: str, as_json: bool) -> None:
    """Print the winning project ids, in order of selection."""
    try:
        started = time.perf_counter()
        election = read(path)
        parsed = time.perf_counter()
        outcome = tally(election, rule)
        finished = time.perf_counter()
    except PabulibError as exc:
        raise click.ClickException(f"not a valid Pabulib file: {exc}") from exc
    if as_json:
        click.echo(
            json.dumps(
                {
                    "rule": outcome.rule,
                    "winners": outcome.winners,
                    "seconds": round(finished - parsed, 6),
                    "parse_seconds": round(parsed - started, 6),
                }
            )
        )
    else:
        for project_id in outcome.winners:
            click.echo(project_id)
