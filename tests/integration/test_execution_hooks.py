"""Funded projects enter execution tracking when their funding is decided, whatever funded them:
a campaign that meets its goal, a final grant ranking, a reserve moved up; and a grant revoked
or renounced cancels its project, telling followers why."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.time import utcnow
from civic.crowdfunding import ledger
from civic.crowdfunding.closing import close_campaign
from civic.execution import services as execution
from civic.execution.models import ProjectUpdate, TrackedProject
from civic.grants import jury, ranking, services
from civic.grants.states import State
from tests.factories.accounts import make_user
from tests.factories.crowdfunding import make_campaign, pledge
from tests.factories.grants import make_application, make_grant_call
from tests.integration.test_grant_award import _admit, _score_all
from tests.stripe_support import flush
from tests.support import Mailbox


@pytest.fixture
def app_overrides(localstripe: str) -> dict[str, Any]:
    flush(localstripe)
    return {"STRIPE_API_BASE": localstripe}


def _tracked(db: Session, source: str) -> list[TrackedProject]:
    return list(
        db.scalars(
            select(TrackedProject)
            .where(TrackedProject.source == source)
            .order_by(TrackedProject.source_id)
        )
    )


def test_a_campaign_that_meets_its_goal_is_tracked_with_the_money_raised_and_matched(
    localstripe: str, app_ctx: Flask, db: Session
) -> None:
    campaign = make_campaign(db, cost_cents=20_000_00)  # goal 10,000 euro, match 10,000 euro
    for _ in range(2):
        pledge(db, localstripe, campaign, 5_000_00)
    failing = make_campaign(db, cost_cents=20_000_00)
    pledge(db, localstripe, failing, 1_000_00)
    assert close_campaign(db, campaign.id, now=campaign.ends_at + timedelta(minutes=1)) == (
        "succeeded"
    )
    assert close_campaign(db, failing.id, now=failing.ends_at + timedelta(minutes=1)) == "failed"
    tracked = _tracked(db, "campaign")
    assert [t.source_id for t in tracked] == [campaign.id]  # not the one that failed
    totals = ledger.totals(db, campaign.id)
    assert tracked[0].funded_cents == totals.charged + totals.city_match == 20_000_00
    assert (tracked[0].title, tracked[0].call_id) == (campaign.title, campaign.call_id)
    # Closing again (the job rerun) adds nothing.
    close_campaign(db, campaign.id, now=campaign.ends_at + timedelta(days=1))
    assert len(_tracked(db, "campaign")) == 1


def test_grants_are_tracked_when_awarded_and_cancelled_when_revoked(
    app_ctx: Flask, db: Session, mailbox: Mailbox
) -> None:
    staff = make_user(db, roles=(Role.STAFF,))
    # Room for one grant; the other waits in reserve.
    call, settings = make_grant_call(db, staff, jurors_per_application=1, budget_cents=30_000_00)
    juror = make_user(db, roles=(Role.JUROR,))
    first = make_application(db, call, settings, make_user(db), total_cents=20_000_00)
    second = make_application(db, call, settings, make_user(db), total_cents=15_000_00)
    for application in (first, second):
        _admit(db, staff, application)
    jury.auto_assign(db, staff, call.id, settings, now=utcnow())
    _score_all(db, juror, settings, 9)
    ranking.publish(db, staff, call.id, settings, kind="final", now=utcnow())
    funded = [a for a in (first, second) if a.state == State.FUNDED.value]
    reserve = [a for a in (first, second) if a.state == State.RESERVE.value]
    assert len(funded) == len(reserve) == 1
    tracked = _tracked(db, "grant")
    assert [t.source_id for t in tracked] == [funded[0].id]
    assert tracked[0].funded_cents == funded[0].total_cents
    follower = make_user(db, email="segue@example.org")
    execution.follow(db, follower, tracked[0], now=utcnow())
    db.commit()
    services.award_step(
        db, staff, funded[0], State.RENOUNCED, reason="Il gruppo si è sciolto.", now=utcnow()
    )
    services.award_step(db, staff, reserve[0], State.FUNDED, now=utcnow())
    db.commit()
    db.expire_all()
    by_source = {t.source_id: t for t in _tracked(db, "grant")}
    assert by_source[funded[0].id].status == "cancelled"
    assert by_source[reserve[0].id].status == "planned"  # the reserve moved up is tracked
    update = db.scalars(
        select(ProjectUpdate).where(ProjectUpdate.project_id == by_source[funded[0].id].id)
    ).one()
    assert update.body == "Il gruppo si è sciolto."
    assert update.changes == {"status": ["planned", "cancelled"]}
    body = Mailbox.body(mailbox.last_to("segue@example.org"))
    assert "Stato: Programmato → Annullato" in body
    assert "Il gruppo si è sciolto." in body
