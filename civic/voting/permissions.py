"""Who may do what with votes. No one may read a person's choices: there is no such route."""

from __future__ import annotations

from typing import Any

from ..accounts.permissions import is_staff


def can_run_vote(user: Any) -> bool:
    """Staff configure the vote, sit at paper desks, tally, review and publish."""
    return is_staff(user)
