"""Giving each application its jurors: balanced, honouring conflicts, stable when re-run.

Each application needs ``per_application`` different jurors; no juror sees an application they
declared a conflict on; every juror gets as close to the same number as possible. Applications
are served in a published order (fewest eligible jurors first, so the hard ones are not left
without), each taking the least-loaded eligible jurors (ties by name). A recusal takes the juror
off and gives the application the least-loaded eligible juror not already on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class NotEnoughJurors(Exception):
    def __init__(self, application: str, needed: int, available: int) -> None:
        super().__init__(f"{application}: needs {needed} jurors, {available} available")
        self.application, self.needed, self.available = application, needed, available


@dataclass(frozen=True)
class Assignment:
    jurors: dict[str, list[str]]  # application -> jurors
    load: dict[str, int]  # juror -> applications


def assign(
    applications: Sequence[str],
    jurors: Sequence[str],
    per_application: int,
    conflicts: Mapping[str, set[str]] | None = None,  # juror -> applications
    existing: Mapping[str, Sequence[str]] | None = None,  # kept as they are (manual changes)
) -> Assignment:
    conflicts = conflicts or {}
    load = {juror: 0 for juror in jurors}
    result: dict[str, list[str]] = {}
    for application, given in (existing or {}).items():
        result[application] = list(given)
        for juror in given:
            load[juror] = load.get(juror, 0) + 1

    def eligible(application: str) -> list[str]:
        taken = result.get(application, [])
        return [j for j in jurors if application not in conflicts.get(j, set()) and j not in taken]

    pending = [a for a in applications if len(result.get(a, [])) < per_application]
    pending.sort(key=lambda a: (len(eligible(a)), a))
    for application in pending:
        have = result.setdefault(application, [])
        missing = per_application - len(have)
        candidates = sorted(eligible(application), key=lambda j: (load[j], j))
        if len(candidates) < missing:
            raise NotEnoughJurors(application, per_application, len(have) + len(candidates))
        for juror in candidates[:missing]:
            have.append(juror)
            load[juror] += 1
    return Assignment(result, load)


def recuse(
    assignment: Assignment,
    application: str,
    juror: str,
    jurors: Sequence[str],
    conflicts: Mapping[str, set[str]],
) -> tuple[Assignment, str]:
    """Take ``juror`` off ``application`` (a declared conflict) and put the least-loaded
    eligible juror on it; returns the new assignment and who replaces them."""
    current = {a: list(js) for a, js in assignment.jurors.items()}
    load = dict(assignment.load)
    if juror not in current.get(application, []):
        raise ValueError(f"{juror} is not assigned to {application}")
    current[application].remove(juror)
    load[juror] -= 1
    candidates = sorted(
        (
            j
            for j in jurors
            if j not in current[application]
            and j != juror
            and application not in conflicts.get(j, set())
        ),
        key=lambda j: (load.get(j, 0), j),
    )
    if not candidates:
        raise NotEnoughJurors(application, len(current[application]) + 1, len(current[application]))
    replacement = candidates[0]
    current[application].append(replacement)
    load[replacement] = load.get(replacement, 0) + 1
    return Assignment(current, load), replacement
