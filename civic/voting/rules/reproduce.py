"""Does civic reproduce a Pabulib file's official winners with the file's own rule?

Used by ``flask voting tally-dir`` and the tests on real files. The answer is one of:
"same" (civic's published tie-break gives the official winners), "same-at-ties" (only when
exact ties follow the file's project order, which is how a file records a tie its city settled
by lot or by its own ranking), "differs" (with the projects that differ and what the file
says about it), "no-official" (the file marks no winners) or "unreadable" (with the error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .election import Election
from .meta import RuleError, tally
from .outcome import Outcome
from .pabulib import PabulibError, read


@dataclass
class Check:
    path: str
    status: str
    vote_type: str = ""
    rule: str = ""  # the rule that ran
    named: str = ""  # the rule the file names
    different: dict[str, tuple[int, int]] = field(default_factory=dict)  # id: (file, civic)
    why: str = ""
    problems: int = 0  # ballots that break the file's own limits (counted, and reported)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.path,
            "status": self.status,
            "vote_type": self.vote_type,
            "rule": self.rule,
            "named": self.named,
            "different": {p: {"file": a, "civic": b} for p, (a, b) in self.different.items()},
            "why": self.why,
            "ballot_problems": self.problems,
        }


def official_marks(election: Election) -> dict[str, int]:
    """The winners the file marks, with their marks (1, or 2 and 3 for later steps)."""
    return {p: mark for p, mark in (election.selected or {}).items() if mark > 0}


def check_file(path: Path) -> Check:
    try:
        election = read(path)
    except (PabulibError, OSError, UnicodeDecodeError) as exc:
        return Check(str(path), "unreadable", why=str(exc))
    return check(election, str(path))


def check(election: Election, name: str) -> Check:
    vote_type = str(election.vote_type)
    named = election.meta.get("rule", "").strip() or "unknown"
    # The money step 3 of greedy-custom used: no file states it, so the projects it funded.
    extra = sum(election.projects[p].cost for p, m in official_marks(election).items() if m == 3)
    try:
        outcome = tally(election, extra_funds=extra)
    except RuleError as exc:
        return Check(name, "unreadable", vote_type, named=named, why=str(exc))
    found = Check(
        name, "", vote_type, outcome.rule, named, problems=len(election.problems), why=outcome.note
    )
    if election.selected is None:
        found.status = "no-official"
        return found
    official = official_marks(election)
    if outcome.marks() == official:
        found.status = "same"
        return found
    at_ties = tally(election, ties="order", extra_funds=extra)
    if at_ties.marks() == official:
        found.status = "same-at-ties"
        found.why = _join(found.why, "Equal scores were settled as the file's order records.")
        return found
    found.status = "differs"
    found.different = _difference(official, at_ties)
    found.why = _join(found.why, _explain(election, found.different))
    return found


def _difference(official: dict[str, int], outcome: Outcome) -> dict[str, tuple[int, int]]:
    ours = outcome.marks()
    return {
        p: (official.get(p, 0), ours.get(p, 0))
        for p in sorted(set(official) | set(ours))
        if official.get(p, 0) != ours.get(p, 0)
    }


def _explain(election: Election, different: dict[str, tuple[int, int]]) -> str:
    """What the file itself says that may explain a difference."""
    parts = []
    later = sorted({mark for mark, _ in different.values() if mark > 1})
    if later and election.meta.get("rule", "") != "greedy-custom":
        parts.append(f"the file marks winners {later} from a step its rule does not define")
    comment = election.meta.get("comment", "").strip()
    if comment:
        parts.append(f"the file's comment: {comment}")
    return "; ".join(parts) or "the file gives no explanation"


def _join(first: str, second: str) -> str:
    return f"{first} {second}".strip()
