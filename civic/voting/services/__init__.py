"""Voting use cases. The roll and the ballot are written in one transaction and never linked."""

from ...accounts.services import PermissionDenied
from .casting import audit_settings, cast_ballot, change_ballot, record_paper_ballot
from .common import VoteRefused, ballot_rules, candidates, settings_of
from .counting import (
    election_for,
    export_pb,
    import_pb,
    override_winner,
    publish_results,
    running_counts_hidden,
    tally_call,
)

__all__ = [
    "PermissionDenied",
    "VoteRefused",
    "audit_settings",
    "ballot_rules",
    "candidates",
    "cast_ballot",
    "change_ballot",
    "election_for",
    "export_pb",
    "import_pb",
    "override_winner",
    "publish_results",
    "record_paper_ballot",
    "running_counts_hidden",
    "settings_of",
    "tally_call",
]
