"""Tally rules in pure Python: the same functions tally a live call and a Pabulib file.

Nothing here knows Flask or the database. Every decision uses exact arithmetic (integers and
fractions).
"""

from .election import Ballot, Election, Project
from .greedy import greedy
from .mes import equal_shares
from .outcome import Outcome, ProjectResult

__all__ = ["Ballot", "Election", "Outcome", "Project", "ProjectResult", "equal_shares", "greedy"]
