"""Who may do what in crowdfunding."""

from __future__ import annotations

from typing import Any

from ..accounts.permissions import is_staff


def can_manage_crowdfunding(user: Any) -> bool:
    """City staff run the calls, select projects, open campaigns and record payouts."""
    return is_staff(user)


def is_lead(user: Any, campaign: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and campaign.lead_user_id == user.id)


def can_post_on_campaign(user: Any, campaign: Any) -> bool:
    """The lead partner (and staff) post updates and set reward tiers."""
    return is_lead(user, campaign) or is_staff(user)


def can_read_application(user: Any, application: Any) -> bool:
    """An application is read by the organisation's lead who sent it and by staff."""
    return is_lead(user, application) or is_staff(user)


def owns_pledge(user: Any, pledge: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and pledge.backer_id == user.id)
