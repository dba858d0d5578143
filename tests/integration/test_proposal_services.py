"""Proposal use cases against a real database: phases, revisions, supports, review, moderation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls import services as call_services
from civic.calls.domain import PhaseKind, Window
from civic.core.audit import AuditEntry
from civic.core.time import utcnow
from civic.proposals import services
from civic.proposals.domain import IllegalMove
from civic.proposals.models import Notification, ProposalRevision, Support
from tests.factories.accounts import make_user
from tests.factories.calls import DAY, make_call, make_proposal, open_windows, proposal_data
from tests.support import Mailbox


def test_submitting_outside_the_submission_phase_is_refused(app_ctx: Flask, db: Session) -> None:
    now = utcnow()
    closed = [Window(PhaseKind.SUBMISSION, now - 10 * DAY, now - DAY)]
    call = make_call(db, windows=closed)
    with pytest.raises(services.PhaseClosed):
        services.create_proposal(db, make_user(db), call, proposal_data(call), submit=True, now=now)


def test_a_municipio_outside_the_call_is_refused(app_ctx: Flask, db: Session) -> None:
    call = make_call(db)
    outside = 999_999
    with pytest.raises(services.NotAllowed, match="area_not_eligible"):
        services.create_proposal(
            db, make_user(db), call, proposal_data(call, area_id=outside), submit=True, now=utcnow()
        )


def test_markdown_is_sanitised(app_ctx: Flask, db: Session) -> None:
    call = make_call(db)
    body = "Ciao <script>alert(1)</script> [link](javascript:alert(1)) **forte**"
    proposal = make_proposal(db, call, body_md=body)
    assert "<script" not in proposal.body_html
    assert "javascript:" not in proposal.body_html
    assert "<strong>forte</strong>" in proposal.body_html


def test_every_change_keeps_a_revision(app_ctx: Flask, db: Session) -> None:
    call = make_call(db)
    author = make_user(db)
    proposal = make_proposal(db, call, author)
    services.update_proposal(
        db, author, proposal, call, proposal_data(call, title="Un orto in via Padova"), now=utcnow()
    )
    db.commit()
    titles = db.scalars(
        select(ProposalRevision.title)
        .where(ProposalRevision.proposal_id == proposal.id)
        .order_by(ProposalRevision.number)
    ).all()
    assert titles == ["Un giardino condiviso in via Padova", "Un orto in via Padova"]


def test_editing_stops_when_the_review_starts(app_ctx: Flask, db: Session) -> None:
    now = utcnow()
    windows = [
        Window(PhaseKind.SUBMISSION, now - 10 * DAY, now + DAY),
        Window(PhaseKind.REVIEW, now - DAY, now + 10 * DAY),
    ]
    call = make_call(db, windows=windows)
    author = make_user(db)
    proposal = make_proposal(db, call, author)
    with pytest.raises(services.NotAllowed, match="not_editable"):
        services.update_proposal(
            db, author, proposal, call, proposal_data(call, title="Altro titolo"), now=now
        )


def test_a_person_supports_once(app_ctx: Flask, db: Session) -> None:
    call = make_call(db, threshold=0)
    proposal = make_proposal(db, call)
    fan = make_user(db)
    assert services.support_proposal(db, fan, proposal, call, now=utcnow()) is True
    assert services.support_proposal(db, fan, proposal, call, now=utcnow()) is False
    db.commit()
    assert db.scalar(select(func.count()).select_from(Support)) == 1


def test_authors_cannot_support_their_own_proposal(app_ctx: Flask, db: Session) -> None:
    call = make_call(db)
    author = make_user(db)
    proposal = make_proposal(db, call, author)
    with pytest.raises(services.PermissionDenied):
        services.support_proposal(db, author, proposal, call, now=utcnow())


def test_the_threshold_moves_a_proposal_to_review_and_tells_followers(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    call = make_call(db, threshold=2)
    author = make_user(db, email="autrice@example.org")
    proposal = make_proposal(db, call, author)
    services.support_proposal(db, make_user(db), proposal, call, now=utcnow())
    db.commit()
    assert proposal.status == "submitted"
    services.support_proposal(db, make_user(db), proposal, call, now=utcnow())
    db.commit()
    db.refresh(proposal)
    assert proposal.status == "in_review"
    assert "In revisione" in Mailbox.body(mailbox.last_to("autrice@example.org"))
    assert (
        db.scalar(select(Notification.kind).where(Notification.user_id == author.id))
        == "status_changed"
    )


def test_supports_can_be_withdrawn_only_while_the_phase_is_open(
    app_ctx: Flask, db: Session
) -> None:
    call = make_call(db, threshold=0)
    proposal = make_proposal(db, call)
    fan = make_user(db)
    services.support_proposal(db, fan, proposal, call, now=utcnow())
    db.commit()
    after_phase = utcnow() + 30 * DAY
    with pytest.raises(services.PhaseClosed):
        services.withdraw_support(db, fan, proposal, call, now=after_phase)
    assert services.withdraw_support(db, fan, proposal, call, now=utcnow()) is True


def test_review_records_the_outcome_and_emails_the_author(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    call = make_call(db)
    staff = make_user(db, roles=(Role.STAFF,))
    reviewer = make_user(db, roles=(Role.STAFF,))
    proposal = make_proposal(db, call, make_user(db, email="autore@example.org"))
    services.start_review(db, staff, proposal, now=utcnow())
    services.assign_reviewer(db, staff, proposal, reviewer, now=utcnow())
    data = services.ReviewData(
        True, "Fattibile con il verde pubblico.", 30_000_00, 2_000_00, 6, "nota interna"
    )
    services.record_review(db, reviewer, proposal, data, now=utcnow())
    db.commit()
    db.refresh(proposal)
    assert proposal.status == "feasible"
    body = Mailbox.body(mailbox.last_to("autore@example.org"))
    assert "Fattibile" in body
    assert "nota interna" not in body


def test_only_assigned_reviewers_record_a_review(app_ctx: Flask, db: Session) -> None:
    call = make_call(db)
    staff = make_user(db, roles=(Role.STAFF,))
    proposal = make_proposal(db, call)
    services.start_review(db, staff, proposal, now=utcnow())
    data = services.ReviewData(False, "Non di competenza comunale.", 0, 0, 0)
    with pytest.raises(services.PermissionDenied):
        services.record_review(db, make_user(db, roles=(Role.STAFF,)), proposal, data, now=utcnow())


def test_a_review_before_the_proposal_is_in_review_is_an_illegal_move(
    app_ctx: Flask, db: Session
) -> None:
    call = make_call(db)
    admin = make_user(db, roles=(Role.ADMIN,))
    proposal = make_proposal(db, call)
    data = services.ReviewData(True, "Fattibile.", 1, 1, 1)
    with pytest.raises(IllegalMove):
        services.record_review(db, admin, proposal, data, now=utcnow())


def test_hiding_needs_a_reason_and_is_logged_and_appealable_once(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    call = make_call(db)
    moderator = make_user(db, roles=(Role.STAFF,))
    author = make_user(db, email="autore@example.org")
    proposal = make_proposal(db, call, author)
    services.flag(db, make_user(db), "proposal", proposal.id, "Pubblicità", now=utcnow())
    with pytest.raises(services.NotAllowed, match="reason_required"):
        services.resolve_flags(
            db, moderator, "proposal", proposal.id, hide=True, public_reason=" ", now=utcnow()
        )
    services.resolve_flags(
        db,
        moderator,
        "proposal",
        proposal.id,
        hide=True,
        public_reason="Pubblicità commerciale",
        now=utcnow(),
    )
    db.commit()
    assert proposal.status == "hidden"
    assert "Pubblicità commerciale" in Mailbox.body(mailbox.last_to("autore@example.org"))
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "moderation.hide")) is not None
    services.appeal(db, author, "proposal", proposal.id, "Non è pubblicità", now=utcnow())
    actions = list(
        db.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(proposal.id)))
    )
    assert {"moderation.flag", "moderation.hide", "moderation.appeal"} <= set(actions)
    with pytest.raises(services.NotAllowed, match="already_appealed"):
        services.appeal(db, author, "proposal", proposal.id, "Ancora", now=utcnow())


def test_an_upheld_appeal_restores_the_previous_state(app_ctx: Flask, db: Session) -> None:
    from civic.proposals.models import Appeal

    call = make_call(db)
    moderator = make_user(db, roles=(Role.STAFF,))
    author = make_user(db)
    proposal = make_proposal(db, call, author)
    services.resolve_flags(
        db, moderator, "proposal", proposal.id, hide=True, public_reason="Errore", now=utcnow()
    )
    services.appeal(db, author, "proposal", proposal.id, "Per favore", now=utcnow())
    item = db.scalar(select(Appeal))
    assert item is not None
    services.decide_appeal(db, moderator, item, uphold=True, now=utcnow())
    db.commit()
    assert (proposal.status, proposal.hidden_from_status) == ("submitted", None)


def test_comments_reply_one_level_and_edit_for_fifteen_minutes(app_ctx: Flask, db: Session) -> None:
    call = make_call(db)
    proposal = make_proposal(db, call)
    person = make_user(db)
    first = services.add_comment(db, person, proposal, "Bella idea", parent_id=None, now=utcnow())
    reply = services.add_comment(
        db, make_user(db), proposal, "Concordo", parent_id=first.id, now=utcnow()
    )
    with pytest.raises(services.NotAllowed, match="bad_parent"):
        services.add_comment(
            db, person, proposal, "Troppo in fondo", parent_id=reply.id, now=utcnow()
        )
    services.edit_comment(
        db, person, first, "Bellissima idea", now=first.created_at + timedelta(minutes=14)
    )
    with pytest.raises(services.NotAllowed, match="edit_window_closed"):
        services.edit_comment(
            db, person, first, "Tardi", now=first.created_at + timedelta(minutes=16)
        )


def test_rules_freeze_once_a_proposal_exists_and_an_admin_override_is_audited(
    app_ctx: Flask, db: Session
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    admin = make_user(db, roles=(Role.ADMIN,))
    call = make_call(db, staff=staff)
    make_proposal(db, call)

    def changed() -> call_services.CallData:
        return call_services.CallData(
            kind=call_services.CallKind.PARTICIPATORY_BUDGET,
            title_it=call.title_it,
            title_en=call.title_en,
            theme_ids=[t.id for t in call.themes],
            area_budgets={a.area_id: 1 for a in call.areas},
            total_budget_cents=call.total_budget_cents,
            support_threshold=call.support_threshold,
            windows=open_windows(utcnow()),
        )

    phases_before = {p.kind: (p.starts_at, p.ends_at) for p in call.phases}
    data = changed()
    data.windows = [Window(w.kind, *phases_before[w.kind.value]) for w in data.windows]
    with pytest.raises(call_services.RulesFrozen) as frozen:
        call_services.update_call(db, staff, call, data, now=utcnow())
    assert frozen.value.touched == ["area_budgets"]
    with pytest.raises(call_services.RulesFrozen):
        call_services.update_call(db, staff, call, data, now=utcnow(), override_reason="Correzione")
    updated = call_services.update_call(
        db, admin, call, data, now=utcnow(), override_reason="Errore di battitura"
    )
    db.commit()
    assert {a.budget_cents for a in updated.areas} == {1}
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "call.rules_override"))
    assert entry is not None
    assert entry.reason == "Errore di battitura"
    assert entry.actor_id == admin.id
