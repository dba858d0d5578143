"""The security review as tests: every route in the URL map is either public by design (listed
here, each with its reason) or sends an anonymous visitor to sign in; every answer, whatever
its status, carries the security headers; nothing answers with a 500."""

from __future__ import annotations

import pytest
from flask import Flask, url_for
from sqlalchemy.orm import Session
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

# Public by design: what a visitor may open or send without an account.
PUBLIC_BY_DESIGN = {
    "static": "the design system's files",
    "home.show": "the home page",
    "pages.privacy": "the privacy notice",
    "pages.ballot_secrecy": "how the secret ballot is protected",
    "places.outlines": "the Municipi's outlines, drawn on the public maps",
    "ballot_box.box": "the public ballot box: tracking codes, never choices",
    "pages.accessibility": "the accessibility statement",
    "pages.set_language": "anyone may switch language",
    "pages.health": "liveness for the load balancer",
    "readyz": "readiness for the load balancer (up or down, no detail)",
    "accounts.sign_out": "signing out; for a visitor it does nothing",
    "accounts.sign_in": "signing in",
    "accounts.register": "registering",
    "accounts.forgot_password": "asking for a reset link",
    "accounts.request_sign_in_link": "asking for a sign-in link (the owner's way in)",
    "accounts.sign_in_with_link": "the sign-in link from the e-mail (token-checked, once)",
    "accounts.reset_password": "the reset link from the e-mail (token-checked)",
    "accounts.email_settings_by_link": "the settings link in every e-mail (token-checked)",
    "accounts.verify_email": "the verification link from the e-mail (token-checked)",
    "accounts.oidc_start": "SPID/CIE sign-in starts before there is an account",
    "accounts.oidc_callback": "the identity provider's answer (state- and nonce-checked)",
    "calls.list_calls": "calls are public",
    "calls.show_call": "calls are public",
    "calls.download_document": "a call's published documents",
    "proposals.list_proposals": "proposals are public",
    "proposals.show_proposal": "proposals are public",
    "proposals.revisions": "a public proposal's history of edits",
    "proposals.download_file": "a published proposal's files",
    "voting.results": "published results",
    "voting.results_csv": "published results as open data",
    "voting.download_pb": "anonymous ballots of a closed vote (Pabulib)",
    "meetings.list_meetings": "the public calendar",
    "meetings.show_meeting": "a meeting's page",
    "meetings.meeting_ics": "a meeting as iCalendar",
    "meetings.feed_all": "every meeting as iCalendar",
    "meetings.feed_call": "a call's meetings as iCalendar",
    "meetings.minutes_history": "published minutes, with every revision",
    "crowdfunding.list_campaigns": "campaigns are public",
    "crowdfunding.show_campaign": "campaigns are public",
    "crowdfunding.stripe_webhook": "Stripe's signed notifications (signature-checked)",
    "grants.public_ranking": "published rankings",
    "grants.ranking_csv": "published rankings as open data",
    "grants.ranking_pdf_view": "published rankings as PDF",
    "grants.transparency": "the transparency table the law asks for",
    "opendata.index": "open data: the list of datasets",
    "opendata.download_csv": "open data (public records only, no personal data)",
    "opendata.download_json": "open data (public records only, no personal data)",
    "opendata.catalog": "the open data catalogue",
    "opendata.openapi": "the public API's description",
    "opendata.api_docs": "the public API's documentation",
    "opendata.api_list": "the public read-only API (public records only)",
    "opendata.api_item": "the public read-only API (public records only)",
    "dashboard.show": "the transparency dashboard: figures over public records",
    "dashboard.figures_csv": "the dashboard's figures as open data",
    "dashboard.proposals": "the public proposals a dashboard figure counts",
    "dashboard.votes": "the published results a dashboard figure counts",
    "dashboard.campaigns": "the open campaigns a dashboard figure counts (totals only)",
    "dashboard.grants": "the grants awarded a dashboard figure counts",
    "execution.list_projects": "execution tracking: funded projects are public",
    "execution.show_project": "execution tracking: a funded project's public page",
    "execution.photo": "photos published with a project's public updates",
}


def _url(app: Flask, rule: Rule) -> str:
    """The rule's path built with a sample value for each argument: 1 for numbers, the first
    choice for a fixed list, 'x' otherwise."""
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "x"
    with app.test_request_context("/"):
        return str(url_for(rule.endpoint, **values))


def _walk(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, _url(app, rule)))
    return found


def test_the_allow_list_names_only_real_routes(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unknown = sorted(set(PUBLIC_BY_DESIGN) - endpoints)
    assert unknown == [], "\n".join(unknown)


def test_every_route_is_public_by_design_or_refuses_anonymous_visitors(
    app: Flask, db: Session
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # reach the permission check, not the CSRF one
    client = app.test_client()
    exposed, errors = [], []
    for endpoint, method, url in _walk(app):
        if endpoint == "static":
            continue
        response = client.open(url, method=method, data={} if method == "POST" else None)
        if response.status_code >= 500:
            errors.append(f"{method} {url}: {response.status_code}")
        if endpoint in PUBLIC_BY_DESIGN:
            continue
        refused = response.status_code in (401, 403) or (
            response.status_code == 302 and "/accedi" in response.headers["Location"]
        )
        if not refused:
            exposed.append(f"{endpoint} {method} {url}: {response.status_code}")
    assert errors == [], "\n".join(errors)
    assert exposed == [], "\n".join(exposed)


REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
def test_every_answer_carries_the_security_headers(
    app: Flask, db: Session, signed_in: bool
) -> None:
    from civic.accounts.domain import Role
    from tests.factories.accounts import log_in, make_user

    client = app.test_client()
    if signed_in:
        log_in(client, make_user(db, roles=(Role.ADMIN, Role.STAFF)))
    missing = []
    for endpoint, method, url in _walk(app):
        if method != "GET" or endpoint == "static":
            continue
        response = client.get(url)
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        problems = [name for name, value in REQUIRED.items() if headers.get(name) != value]
        if "default-src 'self'" not in csp or "unsafe-inline" in csp or "unsafe-eval" in csp:
            problems.append("CSP")
        if problems:
            missing.append(f"{url} ({response.status_code}): {problems}")
    assert missing == [], "\n".join(missing)


def test_a_request_larger_than_the_limit_gets_the_413_page_and_changes_nothing(
    app: Flask, db: Session
) -> None:
    from sqlalchemy import func, select

    from civic.accounts.models import User

    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    body = b"email=x%40example.org&photo=" + b"0" * app.config["MAX_CONTENT_LENGTH"]
    response = client.post(
        "/registrati", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "it-header-wrapper" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(User)) == 0
