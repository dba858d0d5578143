"""`flask voting tally FILE`: tally any Pabulib file with civic's rules."""

from __future__ import annotations

import json
import time

import click
from flask.cli import AppGroup, with_appcontext

from .rules.meta import RULES, RuleError, tally
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
    except RuleError as exc:
        raise click.ClickException(str(exc)) from exc
    for problem in election.problems[:20]:
        click.echo(f"line {problem.line}, voter {problem.voter_id}: {problem.message}", err=True)
    if outcome.note:
        click.echo(outcome.note, err=True)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "rule": outcome.rule,
                    "named": outcome.named,
                    "note": outcome.note,
                    "winners": outcome.winners,
                    "marks": outcome.marks(),
                    "ballot_problems": len(election.problems),
                    "seconds": round(finished - parsed, 6),
                    "parse_seconds": round(parsed - started, 6),
                }
            )
        )
    else:
        for project_id in outcome.winners:
            click.echo(project_id)


@voting_cli.command("tally-dir")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object: every file and totals.")
def tally_dir_command(folder: str, as_json: bool) -> None:
    """Tally every .pb file in FOLDER with its own rule; say which reproduce their winners."""
    from collections import Counter
    from pathlib import Path

    from .rules.reproduce import check_file

    checks = [check_file(path) for path in sorted(Path(folder).glob("*.pb"))]
    totals: Counter[tuple[str, str, str]] = Counter(
        (c.vote_type or "-", c.named or "-", c.status) for c in checks
    )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "files": [c.as_dict() for c in checks],
                    "totals": [
                        {"vote_type": t, "rule": r, "status": s, "files": n}
                        for (t, r, s), n in sorted(totals.items())
                    ],
                },
                ensure_ascii=False,
            )
        )
        return
    click.echo(f"{'vote type':<12}{'rule':<30}{'result':<14}{'files':>6}")
    for (vote_type, rule, status), count in sorted(totals.items()):
        click.echo(f"{vote_type:<12}{rule:<30}{status:<14}{count:>6}")
    statuses = Counter(c.status for c in checks)
    click.echo(", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + f" of {len(checks)}")
    for c in checks:
        if c.status in ("differs", "unreadable", "same-at-ties"):
            detail = ", ".join(f"{p}: file {a}, civic {b}" for p, (a, b) in c.different.items())
            click.echo(f"{Path(c.path).name}: {c.status}" + (f" ({detail})" if detail else ""))
            if c.why:
                click.echo(f"    {c.why}")


@voting_cli.command("export-pb")
@click.argument("call_slug")
@click.option("--area", "area_id", type=int, default=None, help="One area id; default: every area.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=".", show_default=True)
@with_appcontext
def export_pb_command(call_slug: str, area_id: int | None, out_dir: str) -> None:
    """Write a closed, published call's anonymous ballots as Pabulib files, one per area."""
    from pathlib import Path

    from ..calls.queries import get_call_by_slug
    from ..core.db import get_session
    from .services import VoteRefused, export_pb

    session = get_session()
    call = get_call_by_slug(session, call_slug)
    if call is None:
        raise click.ClickException(f"no call {call_slug!r}")
    areas = [area_id] if area_id is not None else [a.area_id for a in call.areas]
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for area in areas:
        try:
            text = export_pb(session, call, area)
        except VoteRefused as exc:
            if exc.code == "too_few_to_publish" and area_id is None:
                click.echo(f"area {area}: too few ballots to publish one by one, skipped")
                continue
            raise click.ClickException(f"cannot export area {area}: {exc.code}") from exc
        path = folder / f"{call.slug}-{area}.pb"
        path.write_text(text, encoding="utf-8")
        click.echo(str(path))


@voting_cli.command("import-pb")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--call", "call_slug", required=True, help="The call to load the election into.")
@click.option("--area", "area_number", type=int, required=True, help="The Municipio number.")
@click.option("--as", "staff_email", required=True, help="The staff member doing the import.")
@with_appcontext
def import_pb_command(path: str, call_slug: str, area_number: int, staff_email: str) -> None:
    """Load a Pabulib file as one Municipio's projects and ballots of a call."""
    from pathlib import Path

    from ..accounts.queries import get_user
    from ..accounts.services import get_user_by_email
    from ..calls.queries import get_call_by_slug
    from ..core.db import get_session
    from ..core.refusals import PermissionDenied
    from ..core.time import utcnow
    from ..places.queries import list_municipi
    from .services import VoteRefused, import_pb

    session = get_session()
    call = get_call_by_slug(session, call_slug)
    person = get_user_by_email(session, staff_email)
    actor = get_user(session, person.id) if person else None
    area = next((a for a in list_municipi(session) if a.number == area_number), None)
    if call is None or actor is None or area is None:
        raise click.ClickException("unknown call, person or Municipio")
    try:
        ids = import_pb(
            session, actor, call, area.id, Path(path).read_text(encoding="utf-8-sig"), now=utcnow()
        )
    except (VoteRefused, PermissionDenied, PabulibError) as exc:
        raise click.ClickException(f"not imported: {exc}") from exc
    session.commit()
    click.echo(f"imported {len(ids)} projects into {call.slug}, Municipio {area_number}")
