"""Admin screens: find people, grant and revoke roles, read the audit log."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from ..accounts import permissions, queries
from ..accounts import services as account_services
from ..accounts.domain import GRANTABLE_ROLES, Role
from ..accounts.forms import RoleForm
from ..core.actions import describe, run
from ..core.db import get_session
from ..core.time import utcnow
from ..core.web import client_ip, page_arg, require
from . import services
from .audit_labels import AREAS, TARGETS, action_label, changes, target_label
from .queries import list_audit_entries

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _role_arg(raw: str | None) -> Role | None:
    return Role(raw) if raw in {role.value for role in Role} else None


@bp.route("/utenti")
@require(permissions.can_find_users)
def users() -> str:
    text = request.args.get("q", "")[:200]
    role = _role_arg(request.args.get("ruolo"))
    page = queries.search_users(get_session(), text, role, page_arg())
    return render_template("admin/users.html", page=page, q=text, role=role, roles=list(Role))


@bp.route("/utenti/<int:user_id>")
@require(permissions.can_manage_roles)
def user(user_id: int) -> str:
    person = queries.get_user(get_session(), user_id) or abort(404)
    return _user_page(person, None)


@bp.route("/utenti/<int:user_id>/identita", methods=["POST"])
@require(permissions.can_manage_roles)
def reveal_identity(user_id: int) -> ResponseReturnValue:
    """An admin sees a person's fiscal number and date of birth, after giving a reason."""
    person = queries.get_user(get_session(), user_id) or abort(404)
    return run(
        lambda db: services.reveal_identity(
            db, current_user, person, request.form.get("reason", ""), ip=client_ip(), now=utcnow()
        ),
        to=lambda identity: make_response(_user_page(person, identity)),
        again=url_for("admin.user", user_id=user_id),
    )


def _user_page(person: Any, identity: dict[str, Any] | None) -> str:
    form = RoleForm()
    form.role.choices = [SelectChoice(role.value) for role in GRANTABLE_ROLES]
    return render_template(
        "admin/user.html", person=person, form=form, grantable=GRANTABLE_ROLES, identity=identity
    )


@describe(services.AdminRefused)
def _words(_refused: services.AdminRefused) -> str:
    return str(_("Give a reason of at least ten characters."))


@bp.route("/impostazioni", methods=["GET", "POST"])
@require(permissions.can_manage_roles)
def site_settings() -> ResponseReturnValue:
    """Switches for the whole site: for now, whether citizens must use SPID/CIE."""
    from ..accounts.site import REQUIRE_OIDC, get_flag, set_flag

    if request.method == "POST":
        on = request.form.get("require_oidc") == "y"
        return run(
            lambda db: set_flag(db, current_user, REQUIRE_OIDC, on, now=utcnow()),
            to=url_for("admin.site_settings"),
            done=_("Settings saved."),
        )
    return render_template(
        "admin/settings.html", require_oidc=get_flag(get_session(), REQUIRE_OIDC)
    )


@bp.route("/utenti/<int:user_id>/ruoli/<action>", methods=["POST"])
@require(permissions.can_manage_roles)
def change_role(user_id: int, action: str) -> ResponseReturnValue:
    db = get_session()
    person = queries.get_user(db, user_id) or abort(404)
    form = RoleForm()
    form.role.choices = [SelectChoice(role.value) for role in GRANTABLE_ROLES]
    if action not in ("concedi", "revoca") or not form.validate_on_submit():
        abort(400)
    role = Role(form.role.data)
    if action == "revoca" and not permissions.can_revoke_role(current_user, person, role):
        flash(_("You cannot remove your own admin role."), "danger")
        return redirect(url_for("admin.user", user_id=user_id))
    change = account_services.grant_role if action == "concedi" else account_services.revoke_role
    return run(
        lambda db: change(db, current_user, person, role, now=utcnow(), ip=client_ip()),
        to=url_for("admin.user", user_id=user_id),
        done=lambda changed: (
            (_("Roles updated."), "success") if changed else (_("Nothing to change."), "info")
        ),
    )


@bp.route("/registro")
@require(permissions.can_view_audit_log)
def audit_log() -> str:
    actor, kind, number = (request.args.get(k, "") for k in ("attore", "tipo", "numero"))
    target = f"{kind}:{number}" if kind in TARGETS and number.isdigit() else kind
    page = list_audit_entries(
        get_session(),
        action=request.args.get("azione", "")[:80],
        actor_id=int(actor) if actor.isdigit() and len(actor) < 12 else None,
        target=(target or request.args.get("oggetto", ""))[:80],
        page=page_arg(),
    )
    return render_template(
        "admin/audit_log.html",
        page=page,
        args=request.args,
        areas=AREAS,
        targets=TARGETS,
        action_label=action_label,
        target_label=target_label,
        changes=changes,
    )
