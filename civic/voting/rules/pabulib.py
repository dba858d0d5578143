"""Read and write Pabulib (.pb) files: sections META, PROJECTS and VOTES, ';'-separated."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from .election import Ballot, Election, Project, VoteType, group_ballots, positional_points

csv.field_size_limit(10**8)


class PabulibError(ValueError):
    """The file is not a well-formed Pabulib election."""


def _sections(text: str) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if not row:
            continue
        head = row[0].strip()
        if len(row) == 1 and head.upper() in ("META", "PROJECTS", "VOTES"):
            current = sections.setdefault(head.upper(), [])
            continue
        if current is None:
            raise PabulibError("data before the first section")
        current.append(row)
    for name in ("META", "PROJECTS", "VOTES"):
        if name not in sections or not sections[name]:
            raise PabulibError(f"missing section {name}")
    return sections


def _records(rows: list[list[str]]) -> list[dict[str, str]]:
    header = [h.strip() for h in rows[0]]
    return [dict(zip(header, (value.strip() for value in row), strict=False)) for row in rows[1:]]


def parse(text: str) -> Election:
    """An Election from the text of a .pb file (identical ballots grouped)."""
    sections = _sections(text)
    meta = {row[0].strip(): row[1].strip() if len(row) > 1 else "" for row in sections["META"][1:]}
    try:
        vote_type = VoteType(meta.get("vote_type", "approval"))
        budget = int(float(meta["budget"]))
        projects: dict[str, Project] = {}
        official: list[str] = []
        has_selected = False
        for record in _records(sections["PROJECTS"]):
            project_id = record["project_id"]
            projects[project_id] = Project(
                project_id, int(float(record["cost"])), record.get("name", "")
            )
            if "selected" in record:
                has_selected = True
                if record["selected"] in ("1", "1.0"):
                    official.append(project_id)
        max_length = int(meta.get("max_length", "0") or 0)
        ballots = []
        for record in _records(sections["VOTES"]):
            chosen = tuple(p.strip() for p in record.get("vote", "").split(",") if p.strip())
            if vote_type is VoteType.APPROVAL:
                points = tuple((p, 1) for p in chosen)
            elif vote_type is VoteType.ORDINAL:
                points = positional_points(chosen, max_length or len(chosen))
            else:
                given = [int(float(x)) for x in record.get("points", "").split(",") if x.strip()]
                if len(given) != len(chosen):
                    raise PabulibError(
                        f"voter {record.get('voter_id')}: points do not match the vote"
                    )
                points = tuple(zip(chosen, given, strict=True))
            ballots.append(Ballot(points))
    except (KeyError, ValueError) as exc:
        raise PabulibError(str(exc)) from exc
    return Election(
        budget=budget,
        projects=projects,
        ballots=group_ballots(ballots),
        vote_type=vote_type,
        meta=meta,
        official_winners=official if has_selected else None,
    )


def read(path: str | Path) -> Election:
    """An Election from a .pb file."""
    return parse(Path(path).read_text(encoding="utf-8-sig"))


def write(
    meta: dict[str, str],
    projects: Iterable[Project],
    ballots: Iterable[Ballot],
    votes: dict[str, int] | None = None,
    selected: set[str] | None = None,
) -> str:
    """The text of a .pb file. Voters get sequential ids: nothing links them to people."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])
    writer.writerow(["PROJECTS"])
    header = ["project_id", "cost", "votes", "name"] + (
        ["selected"] if selected is not None else []
    )
    writer.writerow(header)
    for project in projects:
        row = [project.id, str(project.cost), str((votes or {}).get(project.id, 0)), project.name]
        if selected is not None:
            row.append("1" if project.id in selected else "0")
        writer.writerow(row)
    writer.writerow(["VOTES"])
    cumulative = meta.get("vote_type", "approval") in ("cumulative", "scoring")
    writer.writerow(["voter_id", "vote", "points"] if cumulative else ["voter_id", "vote"])
    voter = 0
    for ballot in ballots:
        for _ in range(ballot.weight):
            voter += 1
            row = [str(voter), ",".join(ballot.projects)]
            if cumulative:
                row.append(",".join(str(points) for _, points in ballot.points))
            writer.writerow(row)
    return out.getvalue()
