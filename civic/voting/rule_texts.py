"""How each counting rule works, in words anyone can follow: shown where staff choose the rule
and on the results, with the rule's official name so anyone can recompute it
(docs/tally-rules.md has the same in full)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# civic's name: (the official name, as Pabulib and equalshares.net write it; the explanation).
RULES: dict[str, tuple[str, Any]] = {
    "greedy": (
        "greedy",
        _l(
            "Projects are taken in order of votes, most voted first. Each is funded if it fits "
            "in the money still left; one that does not fit is passed over and the next is tried."
        ),
    ),
    "greedy-no-skip": (
        "greedy-no-skip",
        _l(
            "Projects are taken in order of votes, most voted first, and funded while they fit. "
            "The count stops at the first project that does not fit in the money left."
        ),
    ),
    "greedy-threshold": (
        "greedy-threshold",
        _l(
            "As greedy, but a project needs at least %(score)s votes (points, for points "
            "ballots) to be funded."
        ),
    ),
    "greedy-custom": (
        "greedy-custom",
        _l(
            "Projects are taken in order of votes and funded while they fit; the count stops at "
            "the first that does not fit. That project is funded too, from the reserve, if the "
            "money left covers at least %(reserve)s%% of its cost."
        ),
    ),
    "mes": (
        "equalshares",
        _l(
            "Method of Equal Shares: the budget is divided equally among the voters. A project "
            "is funded when the voters who chose it can pay for it from their shares; the "
            "project that costs its supporters least for what it gives them goes first."
        ),
    ),
    "mes-add1": (
        "equalshares/add1",
        _l(
            "Method of Equal Shares, then, while money is left, every voter's share is raised "
            "by one euro and the count repeated, keeping the last result that fits the budget."
        ),
    ),
    "mes-add1-exhaustive": (
        "equalshares/add1/exhaustive",
        _l(
            "Method of Equal Shares with shares raised one euro at a time, until the result "
            "fits the budget and no other project would still fit."
        ),
    ),
    "mes-add1-greedy": (
        "equalshares/add1/greedy",
        _l(
            "Method of Equal Shares with shares raised one euro at a time; money still left "
            "then goes to the most voted projects that fit."
        ),
    ),
    "mes-add1-comparison": (
        "equalshares/add1-comparison",
        _l(
            "Method of Equal Shares with shares raised one euro at a time, then compared with "
            "greedy: if more voters prefer greedy's result (it spends more on the projects they "
            "chose), greedy's result is used."
        ),
    ),
}


def explain(rule: str, *, min_score: int = 0, reserve_percent: int = 0) -> str:
    """The rule in words, with the call's own numbers."""
    _official, text = RULES.get(rule, ("", ""))
    return str(text) % {"score": min_score, "reserve": reserve_percent} if text else ""


def official_name(rule: str) -> str:
    return RULES.get(rule, (rule, ""))[0]
