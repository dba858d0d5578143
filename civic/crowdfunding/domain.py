"""Pure money rules of a crowdfunding call: goals, the city's match, days, amounts in cents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CallRules:
    """What a crowdfunding call sets (the 2024-25 edition: 50% crowd, city up to 50,000 euro)."""

    crowd_share_pct: int  # the share of the approved cost citizens must raise, in percent
    city_cap_cents: int  # the most the city pays for one project
    min_cost_cents: int
    max_cost_cents: int
    min_days: int  # campaign length
    max_days: int
    grace_days: int = 7  # how long a backer has to complete a charge that failed


def goal_cents(rules: CallRules, approved_cost_cents: int) -> int:
    """The crowd's share of the approved cost, rounded up to the cent (the city never pays more
    than its share because of rounding)."""
    return -(-approved_cost_cents * rules.crowd_share_pct // 100)


def city_match_cents(rules: CallRules, approved_cost_cents: int) -> int:
    """The rest of the approved cost, up to the city's cap."""
    return min(rules.city_cap_cents, approved_cost_cents - goal_cents(rules, approved_cost_cents))


def cost_problem(rules: CallRules, cost_cents: int) -> str | None:
    """Why a project's cost does not fit the call, or None."""
    if cost_cents < rules.min_cost_cents:
        return "cost_too_low"
    if cost_cents > rules.max_cost_cents:
        return "cost_too_high"
    if goal_cents(rules, cost_cents) + rules.city_cap_cents < cost_cents:
        return "cost_beyond_match"  # crowd share plus the city's cap would not cover it
    return None


def length_problem(rules: CallRules, starts_at: datetime, ends_at: datetime) -> str | None:
    days = (ends_at - starts_at) / timedelta(days=1)
    if days < rules.min_days or days > rules.max_days:
        return "length_outside_range"
    return None


def reached(goal: int, raised: int) -> bool:
    return raised >= goal


def days_left(ends_at: datetime, now: datetime) -> int:
    """Whole days left, counting a started day as one; 0 once the deadline has passed."""
    if now >= ends_at:
        return 0
    return -(-(ends_at - now) // timedelta(days=1))


def percent_of(part: int, whole: int) -> int:
    """0 to 100, for progress bars (the bar stops at 100 even when a campaign is over-funded)."""
    if whole <= 0:
        return 0
    return max(0, min(100, part * 100 // whole))


MIN_PLEDGE_CENTS = 500  # 5 euro: smaller amounts cost more in fees than they bring
MAX_PLEDGE_CENTS = 1_000_000  # 10,000 euro from one person


def pledge_problem(amount_cents: int, tier_minimum_cents: int | None = None) -> str | None:
    if amount_cents < MIN_PLEDGE_CENTS:
        return "pledge_too_small"
    if amount_cents > MAX_PLEDGE_CENTS:
        return "pledge_too_large"
    if tier_minimum_cents is not None and amount_cents < tier_minimum_cents:
        return "below_reward_minimum"
    return None
