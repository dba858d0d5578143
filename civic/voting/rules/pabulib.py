"""Read and write Pabulib (.pb) files: sections META, PROJECTS and VOTES, ';'-separated.

Every vote type of the format is read (approval, choose-1, ordinal, cumulative, scoring), with
quoted fields, CRLF line ends and the limits META may set on a ballot. A file that breaks the
format is refused with the line and the field; a ballot that breaks the file's own limits is
counted as the file records it and listed in ``Election.problems``, never dropped unseen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path

from .election import (
    Ballot,
    BallotProblem,
    Election,
    Limits,
    Project,
    VoteType,
    positional_points,
)

csv.field_size_limit(10**8)
SECTIONS = ("META", "PROJECTS", "VOTES")


class PabulibError(ValueError):
    """The file is not a well-formed Pabulib election; says where when it can."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        where = ", ".join(
            part
            for part in (f"line {line}" if line else "", f"field {field!r}" if field else "")
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.line = line
        self.field = field


Row = tuple[int, list[str]]  # (line number, cells)
Points = tuple[tuple[str, int], ...]  # one vote's (project, points) pairs


def _sections(text: str) -> dict[str, list[Row]]:
    sections: dict[str, list[Row]] = {}
    current: list[Row] | None = None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        for row in reader:
            if not row or not any(cell.strip() for cell in row):
                continue
            head = row[0].strip().upper()
            if head in SECTIONS and not any(cell.strip() for cell in row[1:]):
                if head in sections:
                    raise PabulibError(f"section {head} appears twice", line=reader.line_num)
                current = sections.setdefault(head, [])
                continue
            if current is None:
                raise PabulibError("data before the first section", line=reader.line_num)
            current.append((reader.line_num, row))
    except csv.Error as exc:
        raise PabulibError(str(exc), line=reader.line_num) from exc
    for name in SECTIONS:
        if not sections.get(name):
            raise PabulibError(f"missing section {name}")
    return sections


def _records(
    rows: list[Row], required: tuple[str, ...], section: str
) -> list[tuple[int, dict[str, str]]]:
    line, header_cells = rows[0]
    header = [h.strip() for h in header_cells]
    for name in required:
        if name not in header:
            raise PabulibError(f"the {section} header has no column {name!r}", line=line)
    records = []
    for number, row in rows[1:]:
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise PabulibError(f"more cells than the {section} header has columns", line=number)
        records.append((number, {h: v.strip() for h, v in zip(header, row, strict=False)}))
    return records


def _number(text: str, *, line: int, field: str) -> int:
    """A whole number as the files write it ('1500', '1500.0'); anything else is an error."""
    try:
        value = float(text)
    except ValueError:
        raise PabulibError(f"{text!r} is not a number", line=line, field=field) from None
    if value != value or value in (float("inf"), float("-inf")) or value != int(value):
        raise PabulibError(f"{text!r} is not a whole number", line=line, field=field)
    return int(value)


def _meta(rows: list[Row]) -> tuple[dict[str, str], dict[str, int]]:
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, row in rows:
        key = row[0].strip()
        if key == "key" and not meta:
            continue  # the section's header row
        meta[key] = row[1].strip() if len(row) > 1 else ""
        lines[key] = line
    return meta, lines


def _limits(meta: dict[str, str], lines: dict[str, int]) -> Limits:
    values: dict[str, int | None] = {}
    for name in Limits.KEYS:
        raw = meta.get(name, "")
        values[name] = _number(raw, line=lines[name], field=name) if raw else None
    return Limits(**values)


def parse(text: str) -> Election:
    """An Election from the text of a .pb file (identical ballots grouped)."""
    sections = _sections(text.lstrip("\ufeff"))
    meta, meta_lines = _meta(sections["META"])
    if "budget" not in meta:
        raise PabulibError("META has no budget")
    budget = _number(meta["budget"], line=meta_lines["budget"], field="budget")
    try:
        vote_type = VoteType(meta.get("vote_type", "approval") or "approval")
    except ValueError:
        raise PabulibError(
            f"unknown vote type {meta['vote_type']!r}",
            line=meta_lines.get("vote_type"),
            field="vote_type",
        ) from None
    limits = _limits(meta, meta_lines)
    projects, selected = _projects(sections["PROJECTS"])
    ballots, problems = _votes(sections["VOTES"], vote_type, projects, limits)
    official = [p for p, mark in selected.items() if mark == 1] if selected else None
    return Election(
        budget=budget,
        projects=projects,
        ballots=ballots,
        vote_type=vote_type,
        meta=meta,
        official_winners=official,
        selected=selected or None,
        limits=limits,
        problems=problems,
    )


def _projects(rows: list[Row]) -> tuple[dict[str, Project], dict[str, int]]:
    projects: dict[str, Project] = {}
    selected: dict[str, int] = {}
    for line, record in _records(rows, ("project_id", "cost"), "PROJECTS"):
        project_id = record["project_id"]
        if not project_id:
            raise PabulibError("a project without an id", line=line, field="project_id")
        if project_id in projects:
            raise PabulibError(f"project {project_id!r} twice", line=line, field="project_id")
        cost = _number(record["cost"], line=line, field="cost")
        if cost < 0:
            raise PabulibError("a negative cost", line=line, field="cost")
        projects[project_id] = Project(
            project_id,
            cost,
            record.get("name", ""),
            categories=_listed(record.get("category", "")),
            targets=_listed(record.get("target", "")),
        )
        if "selected" in record:
            mark = record["selected"]
            # Blank means the file does not say; 1 won by the rule, 2 and 3 by later steps.
            selected[project_id] = _number(mark, line=line, field="selected") if mark else 0
    return projects, selected


def _listed(text: str) -> tuple[str, ...]:
    return tuple(part for part in map(str.strip, text.split(",")) if part)


def _votes(
    rows: list[Row], vote_type: VoteType, projects: dict[str, Project], limits: Limits
) -> tuple[list[Ballot], list[BallotProblem]]:
    """The ballots, identical ones as one with a weight. Each distinct ballot is read and
    checked once: a city's file repeats a few thousand ballots tens of thousands of times."""
    line, cells = rows[0]
    header = [h.strip() for h in cells]
    for name in ("voter_id", "vote"):
        if name not in header:
            raise PabulibError(f"the VOTES header has no column {name!r}", line=line)
    with_points = vote_type in (VoteType.CUMULATIVE, VoteType.SCORING)
    if len(rows) > 1 and with_points and "points" not in header:
        raise PabulibError(f"{vote_type} votes need a points column", line=line)
    width, voter_at, vote_at = len(header), header.index("voter_id"), header.index("vote")
    points_at = header.index("points") if "points" in header else None
    seen: dict[tuple[str, str], tuple[Points, list[str]]] = {}
    weights: dict[Points, int] = {}
    problems: list[BallotProblem] = []
    for line, row in rows[1:]:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            raise PabulibError("more cells than the VOTES header has columns", line=line)
        vote = row[vote_at].strip() if vote_at < len(row) else ""
        points = row[points_at].strip() if points_at is not None and points_at < len(row) else ""
        key = (vote, points if vote_type is not VoteType.APPROVAL else "")
        known = seen.get(key)
        voter = row[voter_at].strip() if voter_at < len(row) else ""
        if known is None:
            record = {"voter_id": voter, "vote": vote, "points": points}
            points_given = _ballot(line, record, vote_type, projects, limits.max_length)
            known = seen[key] = (points_given, limits.broken_by(points_given, projects, vote_type))
        for message in known[1]:
            problems.append(BallotProblem(line, voter, message))
        weights[known[0]] = weights.get(known[0], 0) + 1
    # Identical ballots (however the file spelled them) are one with a weight.
    return [Ballot(points, weight) for points, weight in weights.items()], problems


def _ballot(
    line: int,
    record: dict[str, str],
    vote_type: VoteType,
    projects: dict[str, Project],
    ranks: int | None,
) -> Points:
    """One vote's (project, points) pairs, in the vote's order."""
    chosen = _listed(record["vote"])
    distinct = set(chosen)
    if not distinct <= projects.keys():
        unknown = next(p for p in chosen if p not in projects)
        raise PabulibError(f"vote for unknown project {unknown!r}", line=line, field="vote")
    if len(distinct) != len(chosen):
        raise PabulibError("the same project twice in one vote", line=line, field="vote")
    raw_points = record.get("points", "")
    if vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_1):
        return tuple(zip(chosen, repeat(1)))
    if vote_type is VoteType.ORDINAL and not raw_points:
        return positional_points(chosen, ranks or len(chosen))
    given = [_number(x, line=line, field="points") for x in raw_points.split(",") if x.strip()]
    if len(given) != len(chosen):
        raise PabulibError(
            f"voter {record['voter_id']}: {len(given)} points for {len(chosen)} projects",
            line=line,
            field="points",
        )
    return tuple(zip(chosen, given, strict=True))


def read(path: str | Path) -> Election:
    """An Election from a .pb file."""
    return parse(Path(path).read_text(encoding="utf-8-sig"))


def write(
    meta: dict[str, str],
    projects: Iterable[Project],
    ballots: Iterable[Ballot],
    votes: dict[str, int] | None = None,
    selected: set[str] | dict[str, int] | None = None,
) -> str:
    """The text of a .pb file. Voters get sequential ids: nothing links them to people.
    ``selected``: the winners (marked 1), or each project's mark (1, 2 for a reserve step...)."""
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
    marks = selected if isinstance(selected, dict) else dict.fromkeys(selected or (), 1)
    for project in projects:
        row = [project.id, str(project.cost), str((votes or {}).get(project.id, 0)), project.name]
        if selected is not None:
            row.append(str(marks.get(project.id, 0)))
        writer.writerow(row)
    writer.writerow(["VOTES"])
    vote_type = meta.get("vote_type", "approval")
    with_points = vote_type in ("cumulative", "scoring")
    writer.writerow(["voter_id", "vote", "points"] if with_points else ["voter_id", "vote"])
    voter = 0
    for ballot in ballots:
        for _ in range(ballot.weight):
            voter += 1
            row = [str(voter), ",".join(ballot.projects)]
            if with_points:
                row.append(",".join(str(points) for _, points in ballot.points))
            writer.writerow(row)
    return out.getvalue()
