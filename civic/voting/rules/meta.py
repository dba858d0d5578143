"""Pick a rule by name, or the one a Pabulib file names in its META.

A rule name civic does not know is an error that names it: a tally never quietly applies a
different rule than the one published. Only 'unknown' (the library's word for "not recorded")
runs greedy, and the outcome says so. Every greedy variant honours the file's
``min_project_score_threshold``.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .election import Election
from .greedy import greedy
from .greedy_steps import greedy_with_reserve
from .mes import equal_shares
from .outcome import Outcome

# civic's own names (the CLI's --rule and a live call's settings).
RULES = (
    "meta",
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-exclusive",
    "greedy-custom",
    "mes",
    "mes-add1",
    "mes-add1-exhaustive",
    "mes-add1-greedy",
    "mes-add1-comparison",
)

# The names Pabulib files use, as civic's.
META_NAMES = {
    "greedy": "greedy",
    "greedy-no-skip": "greedy-no-skip",
    "greedy_no_skip": "greedy-no-skip",
    "greedy-threshold": "greedy-threshold",
    "greedy-exclusive": "greedy-exclusive",
    "greedy-custom": "greedy-custom",
    "equalshares": "mes",
    "equalshares/add1": "mes-add1",
    "equalshares/add1/greedy": "mes-add1-greedy",
    "equalshares/add1/exhaustive": "mes-add1-exhaustive",
    "equalshares/add1-comparison": "mes-add1-comparison",
    "equalshares/add1/comparison": "mes-add1-comparison",
}
UNKNOWN = "unknown"
_RESERVE = re.compile(r"at least (\d+(?:\.\d+)?)\s*% of (?:that|the) project", re.IGNORECASE)


class RuleError(ValueError):
    """A rule civic cannot run as named: unknown, or missing what defines it."""


def rule_from_meta(meta: dict[str, str]) -> str:
    """civic's name for the rule a file names; 'unknown' (or no rule) stays 'unknown'."""
    named = meta.get("rule", "").strip().lower()
    if named in ("", UNKNOWN):
        return UNKNOWN
    if named not in META_NAMES:
        raise RuleError(f"the file names the rule {named!r}, which civic does not implement")
    return META_NAMES[named]


def _threshold(election: Election) -> int:
    return election.limits.min_project_score_threshold or 0


def reserve_share(election: Election) -> Fraction:
    """The reserve step of 'greedy-custom', as the file's comment defines it."""
    found = _RESERVE.search(election.meta.get("comment", ""))
    if found is None:
        raise RuleError(
            "'greedy-custom' is defined by the file's comment, and this file's comment does "
            "not define a reserve step ('at least N% of that project')"
        )
    return Fraction(found.group(1)) / 100


def tally(
    election: Election,
    rule: str = "meta",
    *,
    ties: str = "cheaper",
    extra_funds: int = 0,
    reserve: Fraction | None = None,
) -> Outcome:
    """Run a named rule (or the file's own with 'meta').

    ``ties``: "cheaper" (civic's published tie-break) or "order" (the file's order, as its city
    settled ties). For 'greedy-custom': ``reserve``, the share of the next project the money
    left must cover (by default the file's comment says), and ``extra_funds`` for step 3."""
    named = ""
    if rule == "meta":
        rule = rule_from_meta(election.meta)
        if rule == UNKNOWN:
            outcome = greedy(election, threshold=_threshold(election), ties=ties)
            outcome.named = UNKNOWN
            outcome.note = "The file does not record its rule: greedy ran."
            return outcome
        named = election.meta.get("rule", "").strip()
    outcome = _run(election, rule, ties, extra_funds, reserve)
    outcome.named = named
    return outcome


def _run(
    election: Election, rule: str, ties: str, extra_funds: int, reserve: Fraction | None
) -> Outcome:
    threshold = _threshold(election)
    if rule == "greedy":
        return greedy(election, threshold=threshold, ties=ties)
    if rule == "greedy-no-skip":
        return greedy(election, skip=False, threshold=threshold, ties=ties)
    if rule == "greedy-threshold":
        if not threshold:
            raise RuleError("'greedy-threshold' needs min_project_score_threshold in META")
        return greedy(election, threshold=threshold, ties=ties)
    if rule == "greedy-exclusive":
        # Warsaw's rule: greedy, where the city also excludes projects that conflict with one
        # already chosen. No file lists such conflicts, so greedy is what can be recomputed.
        outcome = greedy(election, threshold=threshold, ties=ties, name="greedy-exclusive")
        outcome.note = (
            "Projects that exclude each other are not listed in the file: none was excluded."
        )
        return outcome
    if rule == "greedy-custom":
        return greedy_with_reserve(
            election,
            reserve_share=reserve_share(election) if reserve is None else reserve,
            extra_funds=extra_funds,
            threshold=threshold,
            ties=ties,
        )
    if rule == "mes":
        return equal_shares(election)
    if rule == "mes-add1":
        return equal_shares(election, completion="add1")
    if rule == "mes-add1-exhaustive":
        return equal_shares(election, completion="add1-exhaustive")
    if rule == "mes-add1-greedy":
        return equal_shares(election, completion="add1-greedy")
    if rule == "mes-add1-comparison":
        outcome = equal_shares(election, completion="add1", compare_with_greedy=True)
        if "replaced" in outcome.details:
            outcome.note = "More voters preferred greedy's outcome, so it replaced equal shares'."
        outcome.rule = "mes-add1-comparison"
        return outcome
    raise RuleError(f"unknown rule {rule!r}; use one of {', '.join(RULES)}")
