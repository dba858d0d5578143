"""What the audit log's entries say to the people who read it: each action and each kind of
target in words, in Italian and English. The stored keys (``vote.publish``, ``proposal:12``)
stay what the code writes and what the filter matches; the page shows these labels instead.
An action missing here is shown by its area's label, never by its key."""

from __future__ import annotations

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
