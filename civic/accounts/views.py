"""Account pages: register, verify, sign in and out, reset, profile, my data, delete."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import requests
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from wtforms import SelectChoice

from ..core import personal_data
from ..core.actions import describe, run
from ..core.db import get_session
from ..core.time import utcnow
from ..core.web import client_ip, require, safe_next, signed_in
from ..extensions import limiter
from ..places.queries import list_municipi
from . import forms, notices, oidc, permissions, services
from .domain import Role
from .links import RequestLinks
from .models import User
from .services import ResetOutcome, SignInOutcome, VerifyOutcome

bp = Blueprint("accounts", __name__)


@bp.app_context_processor
def _what_the_user_may_do() -> dict[str, object]:
    user = current_user if has_request_context() else None
    return {
        "role_label": lambda role: str(forms.ROLE_LABELS[Role(role)]),
        "may": {
            "find_users": permissions.can_find_users(user),
            "view_audit_log": permissions.can_view_audit_log(user),
            "moderate": permissions.has_role(user, Role.STAFF)
            or permissions.has_role(user, Role.ADMIN),
            "judge": permissions.has_role(user, Role.JUROR),
        },
    }


def _limit(name: str) -> str:
    return str(current_app.config[name])


@bp.route("/registrati", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_REGISTER"), methods=["POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = forms.RegisterForm()
    page = functools.partial(render_template, "accounts/register.html", form=form)
    if request.method == "GET":
        return page()
    language = str(session.get("lang") or request.accept_languages.best_match(["it", "en"]) or "it")
    return run(
        lambda db: services.register_user(
            db,
            email=form.email.data,
            password=form.password.data,
            full_name=form.full_name.data,
            language=language,
            links=RequestLinks(),
            now=utcnow(),
        ),
        form=form,
        again=page,
        # the same page whether or not the address was new: nobody learns who has an account
        to=lambda _outcome: make_response(
            render_template("accounts/check_email.html", email=form.email.data)
        ),
    )


@bp.route("/verifica-email/<token>")
def verify_email(token: str) -> ResponseReturnValue:
    return run(
        lambda db: services.verify_email(db, token=token, now=utcnow()),
        to=lambda _outcome: url_for(
            "accounts.account" if current_user.is_authenticated else "accounts.sign_in"
        ),
        again=url_for("accounts.sign_in"),
        done=_verified_message,
    )


def _verified_message(outcome: VerifyOutcome) -> tuple[str, str]:
    messages = {
        VerifyOutcome.VERIFIED: (
            _("Your e-mail address is verified. You can now sign in."),
            "success",
        ),
        VerifyOutcome.ALREADY: (_("This address was already verified."), "info"),
        VerifyOutcome.EXPIRED: (
            _("This link has expired: sign in to receive a new one."),
            "warning",
        ),
        VerifyOutcome.INVALID: (_("This link is not valid."), "danger"),
    }
    text, category = messages[outcome]
    return str(text), category


@bp.route("/accedi", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_SIGN_IN"), methods=["POST"])
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = forms.SignInForm()
    page = functools.partial(
        render_template, "accounts/sign_in.html", form=form, oidc=oidc.enabled()
    )
    if request.method == "GET":
        return page()
    # The attempt is kept even when it fails (the throttle counts it), so the outcome, not a
    # refusal, says what went wrong.
    return run(
        lambda db: services.sign_in(
            db,
            email=form.email.data,
            password=form.password.data,
            links=RequestLinks(),
            now=utcnow(),
            client=client_ip(),
        ),
        form=form,
        again=page,
        to=lambda result: _after_sign_in(result, form, page),
    )


def _after_sign_in(
    result: services.SignInResult, form: Any, page: Callable[[], str]
) -> ResponseReturnValue:
    """After the attempt is committed: in, or the form again with the reason."""
    if result.outcome is SignInOutcome.OK and result.user is not None:
        if not permissions.may_sign_in_with_password(result.user, _oidc_required(get_session())):
            form.password.errors.append(
                _("Citizens sign in with SPID or CIE: use the button below.")
            )
            return make_response(page())
        login_user(services.begin_session(result.user), remember=form.remember.data)
        session["lang"] = result.user.language
        return redirect(safe_next(request.args.get("next"), url_for("accounts.account")))
    form.password.errors.append(_sign_in_message(result))
    return make_response(page())


def _oidc_required(db: Any) -> bool:
    from .site import REQUIRE_OIDC, get_flag

    return oidc.enabled() and get_flag(db, REQUIRE_OIDC)


@bp.route("/accedi/spid")
def oidc_start() -> ResponseReturnValue:
    """Off to the city's SPID/CIE broker, with state, nonce and a PKCE challenge."""
    if not oidc.enabled():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    session["oidc_next"] = safe_next(request.args.get("next"), url_for("accounts.account"))
    try:
        return oidc.client().authorize_redirect(  # type: ignore[no-any-return]
            url_for("accounts.oidc_callback", _external=True)
        )
    except (requests.RequestException, OSError, ValueError, KeyError):
        flash(_oidc_message("down"), "danger")
        return redirect(url_for("accounts.sign_in"))


def _oidc_message(code: str) -> str:
    messages = {
        "state": _("The sign-in expired or was not started here: please try again."),
        "refused": _("The identity provider did not confirm who you are."),
        "invalid": _("Your identity could not be verified: please try again."),
        "down": _("The SPID/CIE sign-in service cannot be reached right now: please try later."),
        "no_fiscal_number": _("The identity provider did not send a valid fiscal number."),
        "no_email": _("The identity provider did not send an e-mail address."),
        "email_taken": _("This e-mail address belongs to another person's account."),
        "account_deleted": _("This account has been deleted."),
    }
    return str(messages.get(code, messages["invalid"]))


@bp.route("/accedi/spid/ritorno")
def oidc_callback() -> ResponseReturnValue:
    """Back from the broker: the state, the code (with the PKCE verifier), then the ID token's
    signature, issuer, audience, expiry and nonce are checked before anyone is signed in."""
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    if not oidc.enabled():
        abort(404)
    back = redirect(url_for("accounts.sign_in"))
    try:
        token = oidc.client().authorize_access_token()
        claims = dict(token.get("userinfo") or {})
    except MismatchingStateError:
        flash(_oidc_message("state"), "danger")
        return back
    except OAuthError:
        flash(_oidc_message("refused"), "danger")
        return back
    except (JoseError, AuthlibBaseError, ValueError, KeyError):
        flash(_oidc_message("invalid"), "danger")
        return back
    except (requests.RequestException, OSError):
        flash(_oidc_message("down"), "danger")
        return back
    return run(
        lambda db: oidc.sign_in_from_claims(db, claims, now=utcnow()),
        to=_signed_in_with_oidc,
        again=url_for("accounts.sign_in"),
    )


def _signed_in_with_oidc(person: Any) -> str:
    login_user(services.begin_session(person))
    session["lang"] = person.language
    return str(session.pop("oidc_next", None) or url_for("accounts.account"))


@describe(oidc.SignInRefused)
def _oidc_refused(refused: oidc.SignInRefused) -> str:
    return str(_oidc_message(refused.code))


def _sign_in_message(result: services.SignInResult) -> str:
    if result.outcome is SignInOutcome.LOCKED:
        message = _(
            "Too many failed attempts from this device. Wait a few minutes, or sign in with a "
            "link sent by e-mail."
        )
    elif result.outcome is SignInOutcome.LOCKED_EVERYWHERE:
        message = _(
            "Too many failed attempts on this address, from many places: for its safety, "
            "passwords wait for a while. Sign in with a link sent by e-mail."
        )
    elif result.outcome is SignInOutcome.UNVERIFIED:
        message = _("Please verify your e-mail address first: we have sent you a new link.")
    else:
        message = _("E-mail address or password not recognised.")
    return str(message)


@bp.route("/esci", methods=["POST"])
def sign_out() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("home.show"))
    person = current_user._get_current_object()
    keep_for = timedelta(seconds=int(current_app.config["REMEMBER_COOKIE_DURATION"]))
    return run(
        lambda db: services.end_session(db, person, now=utcnow(), keep_for=keep_for),
        to=lambda _none: _signed_out(),
        again=url_for("accounts.account"),
        done=_("You have signed out."),
    )


@bp.route("/account/esci-ovunque", methods=["POST"])
@require(signed_in)
def sign_out_everywhere() -> ResponseReturnValue:
    person = current_user._get_current_object()
    return run(
        lambda db: services.end_sessions_everywhere(db, person, now=utcnow()),
        to=lambda _none: _signed_out(),
        again=url_for("accounts.account"),
        done=_("You have signed out on every device."),
    )


def _signed_out() -> str:
    logout_user()  # the language chosen stays: the person still reads the site in it
    return url_for("home.show")


@bp.route("/accedi/link", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def request_sign_in_link() -> ResponseReturnValue:
    form = forms.SignInLinkForm()
    page = functools.partial(render_template, "accounts/sign_in_link.html", form=form)
    if request.method == "GET":
        return page()
    minutes = int(current_app.config["SIGN_IN_LINK_MAX_AGE"]) // 60
    return run(
        lambda db: services.request_sign_in_link(db, email=form.email.data),
        form=form,
        again=page,
        to=lambda _none: make_response(
            render_template("accounts/check_email.html", email=form.email.data, link=minutes)
        ),
    )


@bp.route("/accedi/link/<token>", methods=["GET", "POST"])
def sign_in_with_link(token: str) -> ResponseReturnValue:
    if request.method == "GET":  # a button to press: a mail scanner opening it uses nothing up
        return render_template("accounts/sign_in_link_confirm.html")
    return run(
        lambda db: _linked_person(db, token),
        to=_signed_in_by_link,
        again=url_for("accounts.request_sign_in_link"),
        done=_("You are signed in."),
    )


def _linked_person(db: Any, token: str) -> Any:
    person = services.sign_in_with_link(db, token, now=utcnow())
    if not permissions.may_sign_in_with_password(person, _oidc_required(db)):
        raise services.AccountRefused("spid_required")  # a link stands in for a password
    return person


def _signed_in_by_link(person: Any) -> str:
    login_user(services.begin_session(person))
    session["lang"] = person.language
    return url_for("accounts.account")


@bp.route("/password-dimenticata", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = forms.ForgotPasswordForm()
    page = functools.partial(render_template, "accounts/forgot_password.html", form=form)
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.request_password_reset(db, email=form.email.data),
        form=form,
        again=page,
        to=lambda _none: make_response(
            render_template("accounts/check_email.html", email=form.email.data, reset=True)
        ),
    )


@bp.route("/reimposta-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: _limit("RATELIMIT_PASSWORD_RESET"), methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    db = get_session()
    outcome, user = services.user_for_reset_token(db, token)
    if user is None:
        flash(
            _("This link has expired.")
            if outcome is ResetOutcome.EXPIRED
            else _("This link is not valid."),
            "danger",
        )
        return redirect(url_for("accounts.forgot_password"))
    form = forms.ResetPasswordForm()
    form.email_hint = user.email
    page = functools.partial(render_template, "accounts/reset_password.html", form=form)
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.reset_password(
            db, token=token, new_password=form.password.data, now=utcnow()
        ),
        form=form,
        again=page,
        to=url_for("accounts.sign_in"),
        done=_("Your password has been changed. You can now sign in."),
    )


@bp.route("/account")
@require(signed_in)
def account() -> str:
    municipi = {area.id: area for area in list_municipi(get_session())}
    roles = [str(forms.ROLE_LABELS[role]) for role in permissions.roles_of(current_user)]
    return render_template(
        "accounts/account.html", municipio=municipi.get(current_user.municipio_id), roles=roles
    )


# What each kind of contribution is called on the activity page (core.personal_data.Activity).
ACTIVITY_LABELS = {
    "proposal": _l("Proposal"),
    "proposal_draft": _l("Proposal draft, not sent"),
    "comment": _l("Comment"),
    "support": _l("Support"),
    "follow": _l("Following a proposal"),
    "vote": _l("Vote cast"),
    "trustee": _l("Trustee of a ballot box"),
    "pledge": _l("Pledge"),
    "crowdfunding_application": _l("Crowdfunding application"),
    "grant_application": _l("Grant application"),
    "jury": _l("Jury assignment"),
    "meeting": _l("Meeting registration"),
    "project_follow": _l("Following a funded project"),
}


@bp.route("/account/attivita")
@require(signed_in)
def activity() -> str:
    done = personal_data.activity(get_session(), current_user)
    return render_template(
        "accounts/activity.html",
        done=done,
        labels=ACTIVITY_LABELS,
        links=[
            url_for(item.endpoint, **dict(item.values)) if item.endpoint else None for item in done
        ],
    )


@bp.route("/account/e-mail", methods=["GET", "POST"])
@require(signed_in)
def email_settings() -> ResponseReturnValue:
    person = current_user._get_current_object()
    return _email_settings(person, asked=None, token=None)


@bp.route("/e-mail/impostazioni/<token>", methods=["GET", "POST"])
def email_settings_by_link(token: str) -> ResponseReturnValue:
    """From the link in any e-mail, without signing in: the token names the person and the
    notice the e-mail was (or "all" for a message that is always sent)."""
    named = notices.read_unsubscribe(token)
    person = get_session().get(User, named[0]) if named else None
    if named is None or person is None or person.deleted_at is not None:
        return render_template("accounts/email_link_invalid.html"), 404
    return _email_settings(person, asked=named[1], token=token)


def _email_settings(person: User, *, asked: str | None, token: str | None) -> ResponseReturnValue:
    modes = {kind: notices.mode_of(person, kind) for kind in notices.KINDS}
    form = forms.email_settings_form(notices.KINDS, modes)
    here = (
        url_for("accounts.email_settings_by_link", token=token)
        if token
        else url_for("accounts.email_settings")
    )
    page = functools.partial(
        render_template,
        "accounts/email_settings.html",
        form=form,
        kinds=notices.KINDS,
        asked=asked,
        here=here,
    )
    if request.method == "GET":
        return page()
    if request.form.get("action") == "stop" and asked is not None:
        # One button: this notice (or every notice) off, nothing else to fill in.
        stop = {kind: "off" for kind in notices.KINDS if asked in (kind, notices.ALL)}
        return run(
            lambda db: notices.set_modes(db, person, stop, now=utcnow()),
            to=here,
            done=_("Done: you will not receive these e-mails any more."),
        )
    chosen = {kind: str(getattr(form, kind).data) for kind in notices.KINDS}
    return run(
        lambda db: notices.set_modes(db, person, chosen, now=utcnow()),
        form=form,
        again=page,
        to=here,
        done=_("Your e-mail settings are saved."),
    )


@bp.route("/account/profilo", methods=["GET", "POST"])
@require(signed_in)
def profile() -> ResponseReturnValue:
    form = forms.ProfileForm(obj=current_user)
    form.municipio_id.choices = [SelectChoice(0, _("Not given"))] + [
        SelectChoice(area.id, area.label) for area in list_municipi(get_session())
    ]
    page = functools.partial(render_template, "accounts/profile.html", form=form)
    if request.method == "GET":
        form.municipio_id.data = current_user.municipio_id or 0
        return page()
    return run(
        lambda db: services.update_profile(
            db,
            current_user,
            full_name=form.full_name.data,
            municipio_id=form.municipio_id.data or None,
            language=form.language.data,
            now=utcnow(),
        ),
        form=form,
        again=page,
        to=lambda _none: _language_kept(form.language.data),
        done=_("Your profile has been saved."),
    )


def _language_kept(language: str) -> str:
    session["lang"] = language
    return url_for("accounts.account")


@bp.route("/account/password", methods=["GET", "POST"])
@require(signed_in)
def change_password() -> ResponseReturnValue:
    form = forms.ChangePasswordForm()
    form.email_hint = current_user.email
    page = functools.partial(render_template, "accounts/change_password.html", form=form)
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.change_password(
            db,
            current_user,
            current_password=form.current.data,
            new_password=form.password.data,
            now=utcnow(),
        ),
        form=form,
        again=page,
        to=lambda _changed: _signed_in_again(),
        done=_("Your password has been changed."),
    )


def _signed_in_again() -> str:
    # The stamp changed: sign this session in again (others end). The user, not the proxy.
    login_user(services.begin_session(current_user._get_current_object()))
    return url_for("accounts.account")


@bp.route("/account/i-miei-dati.json")
@require(signed_in)
def download_data() -> Response:
    data = services.export_personal_data(get_session(), current_user, now=utcnow())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="civic-i-miei-dati.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/elimina", methods=["GET", "POST"])
@require(signed_in)
def delete_account() -> ResponseReturnValue:
    form = forms.DeleteAccountForm()
    page = functools.partial(render_template, "accounts/delete_account.html", form=form)
    if request.method == "GET":
        return page()
    return run(
        lambda db: services.delete_account(
            db, current_user, password=form.password.data, now=utcnow()
        ),
        form=form,
        again=page,
        to=lambda _deleted: _signed_out(),
        done=_("Your account has been deleted and your personal data erased."),
    )


@describe(services.AccountRefused)
def _words(refused: services.AccountRefused) -> str | None:
    if refused.code == "wrong_password":
        if refused.field == "current":
            return str(_("The current password is not correct."))
        return str(_("The password is not correct."))
    links = {
        "link_expired": _("This sign-in link has expired: ask for a new one."),
        "link_used": _("This sign-in link has already been used: ask for a new one."),
        "link_invalid": _("This sign-in link is not valid: ask for a new one."),
        "spid_required": _("Citizens sign in with SPID or CIE."),
    }
    return str(links[refused.code]) if refused.code in links else None
