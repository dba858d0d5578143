"""Pick a rule by name, or from a Pabulib file's META ('rule', 'min_project_score_threshold')."""

from __future__ import annotations

from .election import Election
from .greedy import greedy
from .mes import equal_shares
from .outcome import Outcome

RULES = (
    "meta",
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "mes",
    "mes-add1",
    "mes-add1-exhaustive",
    "mes-add1-greedy",
)

_META_NAMES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy_no_skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1/greedy": "mes-add1-greedy",
    "equalshares/add1/exhaustive": "mes-add1-exhaustive",
}


def rule_from_meta(meta: dict[str, str]) -> str:
    """The rule a file says it used; 'unknown' or absent means greedy, the commonest."""
    name = _META_NAMES.get(meta.get("rule", "greedy").strip().lower(), "greedy")
    if name == "greedy" and _threshold(meta):
        return "greedy-threshold"
    return name


def _threshold(meta: dict[str, str]) -> int:
    raw = meta.get("min_project_score_threshold", "").strip()
    return int(float(raw)) if raw else 0


def tally(election: Election, rule: str = "meta") -> Outcome:
    """Run a named rule (or the file's own with 'meta')."""
    if rule == "meta":
        rule = rule_from_meta(election.meta)
    if rule == "greedy":
        return greedy(election)
    if rule == "greedy-no-skip":
        return greedy(election, skip=False)
    if rule == "greedy-threshold":
        return greedy(election, threshold=_threshold(election.meta))
    if rule == "mes":
        return equal_shares(election)
    if rule == "mes-add1":
        return equal_shares(election, completion="add1")
    if rule == "mes-add1-exhaustive":
        return equal_shares(election, completion="add1-exhaustive")
    if rule == "mes-add1-greedy":
        return equal_shares(election, completion="add1-greedy")
    raise ValueError(f"unknown rule {rule!r}; use one of {', '.join(RULES)}")
