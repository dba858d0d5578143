"""50 backers at once for a reward with 10 left: never oversold, every pledge accounted for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.queries import get_user
from civic.core.db import get_database
from civic.core.migrate import upgrade
from civic.core.time import utcnow
from civic.crowdfunding import services
from civic.crowdfunding.models import Campaign, Pledge, RewardTier
from tests.conftest import make_test_app
from tests.factories.accounts import make_user
from tests.factories.crowdfunding import make_campaign
from tests.stripe_support import flush
from tests.support import Mailbox, postgres_url_or_skip, run_in_parallel, throwaway_database

CLIENTS = 50
STOCK = 10


@pytest.fixture(params=["sqlite", "postgresql"])
def live_app(
    request: pytest.FixtureRequest, tmp_path: Path, smtp: tuple[int, Mailbox], localstripe: str
) -> Iterator[Flask]:
    base = postgres_url_or_skip() if request.param == "postgresql" else "sqlite://"
    flush(localstripe)
    with throwaway_database(base, str(tmp_path)) as url:
        upgrade(url)
        app = make_test_app(url, smtp[0], STRIPE_API_BASE=localstripe)
        yield app
        get_database(app).engine.dispose()


def test_fifty_pledges_for_a_limited_reward_never_oversell(live_app: Flask) -> None:
    with live_app.test_request_context("/"):
        setup = get_database(live_app).session_factory()
        campaign = make_campaign(setup)
        lead = get_user(setup, campaign.lead_user_id or 0)
        assert lead is not None
        tier = services.add_reward_tier(
            setup,
            lead,
            campaign,
            title="Cena in cortile",
            description="",
            min_amount_cents=50_00,
            quantity=STOCK,
            now=utcnow(),
        )
        backers = [make_user(setup).id for _ in range(CLIENTS)]
        setup.commit()
        campaign_id, tier_id = campaign.id, tier.id
        setup.close()

    def pledge(session: Session, i: int) -> str:
        services.start_pledge(
            session,
            get_user(session, backers[i]),  # type: ignore[arg-type]
            session.get(Campaign, campaign_id),  # type: ignore[arg-type]
            amount_cents=50_00,
            tier_id=tier_id,
            anonymous=False,
            now=utcnow(),
        )
        return "pledged"

    found = run_in_parallel(live_app, CLIENTS, pledge, services.Refused, request_context=True)
    outcomes = [o.removeprefix("refused:") for o in found]

    assert [o for o in outcomes if o.startswith("error")] == []
    assert outcomes.count("pledged") == STOCK
    assert outcomes.count("tier_sold_out") == CLIENTS - STOCK
    with live_app.app_context():
        session = get_database(live_app).session_factory()
        claimed = session.scalar(select(RewardTier.claimed).where(RewardTier.id == tier_id))
        pledges = session.scalar(
            select(func.count()).select_from(Pledge).where(Pledge.reward_tier_id == tier_id)
        )
        session.close()
    assert claimed == pledges == STOCK
