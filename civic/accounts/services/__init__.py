"""Account use cases. Each takes the session and the clock, flushes, and never commits."""

from .common import (
    AccountRefused,
    Links,
    create_user,
    get_user_by_email,
    hash_password,
)
from .passwords import (
    ResetOutcome,
    change_password,
    request_password_reset,
    reset_password,
    user_for_reset_token,
)
from .profile import delete_account, export_personal_data, set_language, update_profile
from .registration import VerifyOutcome, register_user, verify_email
from .roles import grant_role, revoke_role
from .sessions import begin_session, end_session, end_sessions_everywhere
from .signin import SignInOutcome, SignInResult, sign_in
from .signin_link import request_sign_in_link, send_sign_in_link, sign_in_with_link

__all__ = [
    "AccountRefused",
    "Links",
    "ResetOutcome",
    "SignInOutcome",
    "SignInResult",
    "VerifyOutcome",
    "begin_session",
    "change_password",
    "create_user",
    "delete_account",
    "end_session",
    "end_sessions_everywhere",
    "export_personal_data",
    "get_user_by_email",
    "grant_role",
    "hash_password",
    "register_user",
    "request_password_reset",
    "request_sign_in_link",
    "reset_password",
    "revoke_role",
    "send_sign_in_link",
    "set_language",
    "sign_in",
    "sign_in_with_link",
    "update_profile",
    "user_for_reset_token",
    "verify_email",
]
