"""What the audit log's entries say to the people who read it: each action and each kind of
target in words, in Italian and English. The stored keys (``vote.publish``, ``proposal:12``)
stay what the code writes and what the filter matches; the page shows these labels instead.
An action missing here is shown by its area's label, never by its key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from flask_babel import lazy_gettext as _l

AREAS = {
    "account": _l("Accounts"),
    "area": _l("Municipi"),
    "call": _l("Calls"),
    "crowdfunding": _l("Crowdfunding"),
    "execution": _l("Funded projects"),
    "grant": _l("Grants"),
    "meeting": _l("Meetings"),
    "moderation": _l("Moderation"),
    "proposal": _l("Proposals"),
    "residency": _l("Residency"),
    "role": _l("Roles"),
    "site": _l("Site settings"),
    "user": _l("People"),
    "vote": _l("Voting"),
}

ACTIONS = {
    "account.delete": _l("Account deleted"),
    "account.oidc_created": _l("Account created with SPID or CIE"),
    "account.signed_out_everywhere": _l("Signed out on every device"),
    "area.boundary": _l("Municipio outline uploaded"),
    "call.create": _l("Call created"),
    "call.document_add": _l("Document added to a call"),
    "call.document_remove": _l("Document removed from a call"),
    "call.publish": _l("Call published"),
    "call.rules_override": _l("Frozen rules changed with a reason"),
    "crowdfunding.open": _l("Campaign opened"),
    "crowdfunding.payout": _l("Payout recorded"),
    "crowdfunding.rank": _l("Application scored"),
    "crowdfunding.reject": _l("Application rejected"),
    "crowdfunding.rules": _l("Crowdfunding rules saved"),
    "crowdfunding.select": _l("Project selected for a campaign"),
    "crowdfunding.succeeded": _l("Campaign succeeded"),
    "crowdfunding.deadline.succeeded": _l("Campaign closed: succeeded"),
    "crowdfunding.deadline.failed": _l("Campaign closed: failed"),
    "execution.milestone.add": _l("Milestone added"),
    "execution.milestone.done": _l("Milestone reached"),
    "execution.track": _l("Project tracked"),
    "execution.update": _l("Progress update published"),
    "grant.award": _l("Grant moved to its next step"),
    "grant.consensus_report": _l("Consensus report saved"),
    "grant.rules": _l("Grant rules saved"),
    "grant.submit": _l("Grant application submitted"),
    "grant.formal_check": _l("Formal check recorded"),
    "grant.integration_sent": _l("Integration sent"),
    "grant.instalments": _l("Instalments planned"),
    "grant.report_uploaded": _l("Grantee's report uploaded"),
    "grant.report_accepted": _l("Grantee's report accepted"),
    "grant.jury.assign": _l("Jurors assigned"),
    "grant.jury.assign_manual": _l("Juror added by hand"),
    "grant.jury.remove": _l("Juror removed"),
    "grant.jury.conflict": _l("Juror declared a conflict"),
    "grant.jury.no_conflict": _l("Juror declared no conflict"),
    "grant.jury.scores_submitted": _l("Scores submitted"),
    "grant.jury.reassign": _l("Application reassigned"),
    "grant.jury.recused_interest": _l("Juror recused: behind the application"),
    "grant.ranking.provisional": _l("Provisional ranking published"),
    "grant.ranking.final": _l("Final ranking published"),
    "meeting.agenda.add": _l("Agenda item added"),
    "meeting.cancel": _l("Meeting cancelled"),
    "meeting.check_in": _l("Attendee checked in"),
    "meeting.create": _l("Meeting created"),
    "meeting.erase_registrations": _l("Registrations erased"),
    "meeting.group.add": _l("Group added"),
    "meeting.minutes": _l("Minutes published"),
    "meeting.promote": _l("Place offered from the waiting list"),
    "meeting.publish": _l("Meeting published"),
    "meeting.register": _l("Registration"),
    "meeting.report": _l("Meeting report published"),
    "meeting.speaker.decide": _l("Request to speak decided"),
    "meeting.unregister": _l("Registration withdrawn"),
    "meeting.update": _l("Meeting changed"),
    "moderation.appeal": _l("Appeal"),
    "moderation.appeal_upheld": _l("Appeal upheld"),
    "moderation.appeal_rejected": _l("Appeal rejected"),
    "moderation.flag": _l("Content reported"),
    "moderation.hide": _l("Content hidden"),
    "proposal.assign_reviewer": _l("Reviewer assigned"),
    "proposal.status": _l("Proposal status changed"),
    "residency.census": _l("Residency checked against the census"),
    "residency.census_import": _l("Census imported"),
    "residency.declared": _l("Residency declared"),
    "residency.desk": _l("Residency checked at a desk"),
    "role.grant": _l("Role granted"),
    "role.revoke": _l("Role removed"),
    "site.setting": _l("Site setting changed"),
    "user.identity_viewed": _l("Identity data viewed"),
    "vote.box": _l("Ballot box set up"),
    "vote.box_opened": _l("Ballot box opened for the count"),
    "vote.import_pb": _l("Election imported from a .pb file"),
    "vote.key_made": _l("Election key made"),
    "vote.override": _l("Ballot changed after voting opened, with a reason"),
    "vote.paper": _l("Paper ballot recorded"),
    "vote.publish": _l("Results published"),
    "vote.settings": _l("Vote settings saved"),
    "vote.share_collected": _l("Trustee's share collected"),
    "vote.share_entered": _l("Trustee's share entered"),
    "vote.tally": _l("Votes counted"),
    "vote.trustee_ready": _l("Trustee ready"),
}

TARGETS = {
    "area": _l("Municipio"),
    "call": _l("Call"),
    "census": _l("Census"),
    "crowdfunding_application": _l("Crowdfunding application"),
    "crowdfunding_campaign": _l("Campaign"),
    "grant_application": _l("Grant application"),
    "meeting": _l("Meeting"),
    "proposal": _l("Proposal"),
    "site_setting": _l("Site setting"),
    "tracked_project": _l("Funded project"),
    "user": _l("Person"),
}


# The fields entries record before and after a change, in words. A field missing here is shown
# as "other detail" with its value, never by its key (a test lists every field written).
FIELDS = {
    "accessibility": _l("Accessibility services"),
    "add": _l("Added"),
    "address": _l("Address"),
    "allow_organisations": _l("Organisations may apply"),
    "allow_self_declared": _l("Self-declared residents may vote"),
    "amount_cents": _l("Amount"),
    "approved_cost_cents": _l("Approved cost"),
    "area_budgets": _l("Budgets of the Municipi"),
    "area_id": _l("Municipio"),
    "areas": _l("Municipi"),
    "attended": _l("Attended"),
    "ballot_kind": _l("Kind of ballot"),
    "ballots": _l("Ballots"),
    "batch": _l("Batch"),
    "blind": _l("Blind review"),
    "call_id": _l("Call"),
    "campaign": _l("Campaign"),
    "cancelled": _l("Cancelled"),
    "capacity": _l("Places"),
    "charged": _l("Charged"),
    "city_cap_cents": _l("City's cap per project"),
    "city_match": _l("City's match"),
    "committed_cents": _l("Committed"),
    "confirmed": _l("Confirmed"),
    "contribution_days": _l("Days for written contributions"),
    "criteria": _l("Criteria"),
    "crowd_share_pct": _l("Citizens' share (%)"),
    "cutoffs": _l("Cut-off dates"),
    "description": _l("Description"),
    "desk": _l("Desk"),
    "disagreement_half": _l("Disagreement threshold"),
    "document": _l("Document"),
    "document_type": _l("Document type"),
    "done_on": _l("Done on"),
    "due_on": _l("Due on"),
    "ends_at": _l("Ends"),
    "external_url": _l("Link to register elsewhere"),
    "extra_areas": _l("Other Municipi a voter may vote in"),
    "fingerprint": _l("Key fingerprint"),
    "flags": _l("Reports"),
    "format": _l("Format"),
    "from": _l("From"),
    "funded": _l("Funded"),
    "goal": _l("Goal"),
    "grace_days": _l("Days to complete payments"),
    "granted": _l("Role granted"),
    "group": _l("Group"),
    "had_boundary": _l("Had an outline"),
    "has_boundary": _l("Has an outline"),
    "item": _l("Agenda item"),
    "juror_id": _l("Juror"),
    "jurors_per_application": _l("Jurors per application"),
    "kind": _l("Kind"),
    "lat": _l("Latitude"),
    "lon": _l("Longitude"),
    "max_cost_cents": _l("Highest cost"),
    "max_days": _l("Longest campaign (days)"),
    "max_grant_cents": _l("Largest grant"),
    "milestone": _l("Milestone"),
    "min_age": _l("Minimum age"),
    "min_cost_cents": _l("Lowest cost"),
    "min_days": _l("Shortest campaign (days)"),
    "minutes": _l("Minutes"),
    "mode": _l("Mode"),
    "municipio_id": _l("Municipio"),
    "n": _l("How many"),
    "online_url": _l("Online link"),
    "overall_threshold_half": _l("Overall threshold"),
    "percent": _l("Percent"),
    "phases": _l("Phases"),
    "photos": _l("Photos"),
    "progress_percent": _l("Progress (%)"),
    "project_id": _l("Project"),
    "projects": _l("Projects"),
    "proposals": _l("Proposals"),
    "protocol_prefix": _l("Protocol prefix"),
    "questions": _l("Questions for people registering"),
    "raised": _l("Raised"),
    "ranking_basis": _l("Ranking on"),
    "reference": _l("Reference"),
    "registration": _l("Registration"),
    "request": _l("Request"),
    "reserved": _l("Reserved"),
    "reserved_places": _l("Reserved places"),
    "retention_days": _l("Days registrations are kept"),
    "reviewer_id": _l("Reviewer"),
    "revision": _l("Version"),
    "revoked": _l("Role removed"),
    "roles": _l("Roles"),
    "rows": _l("Rows"),
    "rule": _l("Counting rule"),
    "score": _l("Score"),
    "secrecy": _l("Who can open the ballot box"),
    "session": _l("Session"),
    "spent_cents": _l("Spent"),
    "started": _l("Started"),
    "starts_at": _l("Starts"),
    "status": _l("Status"),
    "support_threshold": _l("Supports needed for review"),
    "themes": _l("Themes"),
    "threshold": _l("Threshold"),
    "tie_break": _l("Tie-break"),
    "title": _l("Title"),
    "title_en": _l("Title in English"),
    "title_it": _l("Title in Italian"),
    "to": _l("To"),
    "told_up_to": _l("Followers told up to"),
    "total_budget_cents": _l("Total budget"),
    "trustees": _l("Trustees"),
    "value": _l("Value"),
    "venue": _l("Venue"),
    "waiting": _l("Waiting"),
    "windows": _l("Phases"),
}


def action_label(action: str) -> str:
    """An entry's action in words; its area's name for an action without words of its own."""
    for key in (action, action.rpartition(".")[0]):
        if key in ACTIONS:
            return str(ACTIONS[key])
    area = AREAS.get(action.partition(".")[0])
    return str(area) if area is not None else str(_l("Other action"))


def target_label(kind: str | None, target_id: object) -> str:
    """'Proposta 12': the kind of thing acted on, in words, and its number."""
    if not kind:
        return ""
    name = TARGETS.get(kind)
    return f"{name if name is not None else _l('Record')} {target_id or ''}".strip()


# Words for the coded values entries record (a meeting's format, a call's kind, a project's
# status). The features sit above admin, so each registers its own words (register_values) next
# to the labels its forms use; a value without words is shown as recorded.
_VALUE_WORDS: dict[str, dict[str, object]] = {}


def register_values(field: str, words: Mapping[Any, object]) -> None:
    """Show these words for these coded values of ``field`` in the audit log."""
    _VALUE_WORDS.setdefault(field, {}).update({str(code): word for code, word in words.items()})


def field_label(key: str) -> str:
    """A recorded field in words. A number as a key is what an entry counts per Municipio or
    per item (the ballot box's figures per area): shown as that number."""
    if key.isdigit():
        return str(_l("no. %(n)s", n=key))
    label = FIELDS.get(key)
    return str(label) if label is not None else str(_l("Other detail"))


def value_text(key: str, value: object) -> str:
    """A recorded value as a person reads it: amounts in euros, yes and no, lists joined."""
    from ..core.jinja import eur

    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if key.endswith("_cents") and isinstance(value, int):
        return eur(value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {value_text(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(value_text(key, item) for item in value)
    if key in _ROLE_FIELDS:
        return _role_words(str(value))
    words = _VALUE_WORDS.get(key, {})
    if isinstance(value, str) and value in words:
        return str(words[value])
    if isinstance(value, str):
        return _moment_text(value) or value
    return str(value)


def _moment_text(value: str) -> str | None:
    """A recorded day or instant (ISO, as JSON keeps them) on Milan's calendar and clock, in
    the reader's language; None for any other text."""
    from datetime import date, datetime

    from ..core.jinja import rome_date, rome_datetime

    if not _ISO_MOMENT.fullmatch(value):
        return None
    try:
        if len(value) == 10:
            return rome_date(date.fromisoformat(value), "medium")
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the app stores UTC
    return rome_datetime(moment)


_ROLE_FIELDS = ("roles", "granted", "revoked")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+([+-]\d{2}:\d{2}|Z)?)?")


def _role_words(role: str) -> str:
    from ..accounts.domain import Role
    from ..accounts.forms import ROLE_LABELS

    known = {r.value: r for r in Role}
    return str(ROLE_LABELS[known[role]]) if role in known else role


def _fields(recorded: object) -> dict[str, object]:
    if recorded is None:
        return {}
    return recorded if isinstance(recorded, dict) else {"value": recorded}


def changes(before: object, after: object) -> list[tuple[str, str, str]]:
    """What an entry changed: (field in words, value before, value after), field by field, in
    the order recorded. An entry that recorded no fields has no lines."""
    old = _fields(before)
    new = _fields(after)
    lines = []
    for key in [*old, *(k for k in new if k not in old)]:
        lines.append(
            (field_label(key), value_text(key, old.get(key)), value_text(key, new.get(key)))
        )
    return lines
