"""Citizen sign-in with SPID and CIE through the city's OpenID Connect broker (Authlib).

Authorisation code flow with PKCE; Authlib checks the state, the nonce and the ID token's
signature against the provider's published keys, its issuer, audience and expiry. On first
sign-in the account is made from the claims; later it is found by the fiscal number's keyed hash.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit, signals
from ..core.refusals import Refused
from .models import User
from .services.common import _new_stamp as new_stamp

NAME = "broker"


class SignInRefused(Refused):
    """A SPID/CIE sign-in the claims do not allow (no fiscal number, ...)."""


def register(app: Flask) -> None:
    """Set up the client when an issuer is configured; otherwise SPID/CIE sign-in is off.
    Each app has its own registry (the tests make several apps with different providers)."""
    registry = OAuth(app)
    app.extensions["civic_oauth"] = registry
    if app.config.get("OIDC_ISSUER"):
        registry.register(
            NAME,
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            server_metadata_url=app.config["OIDC_ISSUER"].rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": app.config["OIDC_SCOPES"],
                "code_challenge_method": "S256",
                "timeout": app.config["OIDC_TIMEOUT"],
            },
        )


def enabled() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER"))


def client() -> Any:
    return current_app.extensions["civic_oauth"].create_client(NAME)


def _birth_date(claims: dict[str, Any]) -> date | None:
    raw = claims.get("birthdate") or claims.get("date_of_birth")
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def sign_in_from_claims(session: Session, claims: dict[str, Any], *, now: datetime) -> User:
    """The person the broker vouches for; the features that care (the census check of their
    residency) hear of it through ``identity_confirmed``."""
    person = account_from_claims(session, claims, now=now)
    signals.identity_confirmed.send("accounts", session=session, person=person, now=now)
    return person


def account_from_claims(session: Session, claims: dict[str, Any], *, now: datetime) -> User:
    """Find the person by fiscal number (or make the account), and bring it up to date."""
    from ..core.identity import fiscal_hash, normalise_fiscal_number

    fiscal = normalise_fiscal_number(str(claims.get("fiscal_number") or ""))
    if fiscal is None:
        raise SignInRefused("no_fiscal_number")
    key = fiscal_hash(fiscal)
    email = str(claims.get("email") or "").strip().lower() or None
    name = " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part
    ).strip()
    person = session.scalar(select(User).where(User.fiscal_number_hash == key))
    created = False
    if person is None and email:
        same_email = session.scalar(select(User).where(User.email == email))
        if same_email is not None:
            if same_email.fiscal_number_hash is not None:
                raise SignInRefused("email_taken")
            person = same_email  # a local account of the same person: now linked to SPID/CIE
    if person is None:
        if not email:
            raise SignInRefused("no_email")
        person = User(
            email=email,
            password_hash=None,
            language="it",
            security_stamp=new_stamp(),
            created_at=now,
            email_verified_at=now,  # the identity provider has verified it
        )
        session.add(person)
        created = True
    if person.deleted_at is not None:
        raise SignInRefused("account_deleted")
    person.fiscal_number, person.fiscal_number_hash = fiscal, key
    person.birth_date = _birth_date(claims) or person.birth_date
    if name:
        person.full_name = name[:120]
    if email and email != person.email:
        taken = session.scalar(select(User.id).where(User.email == email, User.id != person.id))
        if taken is None:
            person.email = email
    person.email_verified_at = person.email_verified_at or now
    person.last_sign_in_at = now
    session.flush()
    audit.record(
        session,
        actor_id=person.id,
        action="account.oidc_created" if created else "account.oidc_sign_in",
        target_type="user",
        target_id=person.id,
        now=now,
    )
    return person
