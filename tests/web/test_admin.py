"""Admins find people, grant and revoke roles; every change is in the audit log."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.accounts.models import RoleGrant
from civic.core.audit import AuditEntry
from tests.factories.accounts import log_in, make_user
from tests.web.helpers import submit, text


def _admin(client: FlaskClient, db: Session):  # type: ignore[no-untyped-def]
    admin = make_user(db, email="admin@example.org", roles=(Role.ADMIN,))
    log_in(client, admin)
    return admin


def test_admins_find_people_by_name_or_address(client: FlaskClient, db: Session) -> None:
    _admin(client, db)
    make_user(db, email="lucia@example.org", full_name="Lucia Bianchi")
    make_user(db, email="marco@example.org", full_name="Marco Rossi")
    page = text(client.get("/admin/utenti?q=bianchi"))
    assert "lucia@example.org" in page
    assert "marco@example.org" not in page
    page = text(client.get("/admin/utenti?q=MARCO@"))
    assert "marco@example.org" in page
    assert "lucia@example.org" not in page


def test_admins_filter_people_by_role(client: FlaskClient, db: Session) -> None:
    _admin(client, db)
    make_user(db, email="juror@example.org", roles=(Role.JUROR,))
    make_user(db, email="plain@example.org")
    page = text(client.get("/admin/utenti?ruolo=juror"))
    assert "juror@example.org" in page
    assert "plain@example.org" not in page


def test_search_wildcards_are_taken_literally(client: FlaskClient, db: Session) -> None:
    _admin(client, db)
    make_user(db, email="lucia@example.org")
    assert "lucia@example.org" not in text(client.get("/admin/utenti?q=%25"))


def test_granting_a_role_is_audited_with_before_and_after(client: FlaskClient, db: Session) -> None:
    admin = _admin(client, db)
    person = make_user(db, email="lucia@example.org")
    response = submit(
        client,
        f"/admin/utenti/{person.id}/ruoli/concedi",
        {"role": "staff"},
        form_page=f"/admin/utenti/{person.id}",
    )
    assert response.status_code == 302
    assert db.scalar(
        select(RoleGrant).where(RoleGrant.user_id == person.id, RoleGrant.role == "staff")
    )
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "role.grant"))
    assert entry is not None
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin.id,
        "user",
        str(person.id),
    )
    assert entry.before == {"roles": []}
    assert entry.after is not None
    assert entry.after["roles"] == ["staff"]


def test_revoking_a_role_is_audited(client: FlaskClient, db: Session) -> None:
    _admin(client, db)
    person = make_user(db, email="lucia@example.org", roles=(Role.JUROR,))
    submit(
        client,
        f"/admin/utenti/{person.id}/ruoli/revoca",
        {"role": "juror"},
        form_page=f"/admin/utenti/{person.id}",
    )
    assert db.scalar(select(RoleGrant).where(RoleGrant.user_id == person.id)) is None
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "role.revoke"))
    assert entry is not None
    assert entry.before == {"roles": ["juror"]}
    assert entry.after is not None
    assert entry.after["roles"] == []


def test_granting_a_held_role_changes_nothing(client: FlaskClient, db: Session) -> None:
    _admin(client, db)
    person = make_user(db, roles=(Role.JUROR,))
    submit(
        client,
        f"/admin/utenti/{person.id}/ruoli/concedi",
        {"role": "juror"},
        form_page=f"/admin/utenti/{person.id}",
    )
    assert len(db.scalars(select(RoleGrant).where(RoleGrant.user_id == person.id)).all()) == 1
    assert db.scalar(select(AuditEntry)) is None


def test_an_admin_cannot_remove_their_own_admin_role(client: FlaskClient, db: Session) -> None:
    admin = _admin(client, db)
    submit(
        client,
        f"/admin/utenti/{admin.id}/ruoli/revoca",
        {"role": "admin"},
        form_page=f"/admin/utenti/{admin.id}",
    )
    assert db.scalar(
        select(RoleGrant).where(RoleGrant.user_id == admin.id, RoleGrant.role == "admin")
    )


def test_an_unknown_role_is_refused(client: FlaskClient, db: Session) -> None:
    _admin(client, db)
    person = make_user(db)
    response = submit(
        client,
        f"/admin/utenti/{person.id}/ruoli/concedi",
        {"role": "emperor"},
        form_page=f"/admin/utenti/{person.id}",
    )
    assert response.status_code == 400
    assert db.scalar(select(RoleGrant).where(RoleGrant.user_id == person.id)) is None


def test_an_unknown_person_is_a_404(client: FlaskClient, db: Session) -> None:
    _admin(client, db)
    assert client.get("/admin/utenti/999999").status_code == 404


def test_the_audit_log_lists_and_filters_entries(client: FlaskClient, db: Session) -> None:
    _admin(client, db)
    person = make_user(db)
    submit(
        client,
        f"/admin/utenti/{person.id}/ruoli/concedi",
        {"role": "juror"},
        form_page=f"/admin/utenti/{person.id}",
    )
    page = text(client.get("/admin/registro"))
    assert "Ruolo concesso" in page
    assert f"Persona {person.id}" in page
    assert "role.grant" not in page  # the stored key stays behind the words
    assert "user:" not in page
    # What changed, in words: the person's roles before and after, no JSON and no field key.
    assert "<strong>Ruoli</strong>: " in page
    assert "<strong>Ruolo concesso</strong>" in page
    assert "juror" not in page  # the role in words too
    assert '"roles"' not in page
    assert "granted" not in page
    mine = text(client.get(f"/admin/registro?tipo=user&numero={person.id}"))
    assert "Ruolo concesso" in mine
    assert "Ruolo concesso" not in text(client.get("/admin/registro?tipo=user&numero=999999"))
    assert "Ruolo concesso" in text(client.get("/admin/registro?azione=role."))
    assert "Ruolo concesso" not in text(client.get("/admin/registro?azione=account."))


def test_every_action_the_code_records_has_words() -> None:
    """The labels name every action key written anywhere in the code, so none shows a key."""
    import pathlib
    import re

    from civic.admin.audit_labels import ACTIONS, AREAS

    written: set[str] = set()
    for path in pathlib.Path("civic").rglob("*.py"):
        written |= set(re.findall(r'action="([a-z_]+(?:\.[a-z_]+)+)"', path.read_text()))
    assert written, "the search finds the audit calls"
    assert sorted(written - set(ACTIONS)) == []
    assert {key.partition(".")[0] for key in ACTIONS} <= set(AREAS)


def test_every_field_an_entry_records_has_words() -> None:
    """Each field name written as a literal before or after in the code, each field of the
    settings recorded whole, and each field the demo's actions record has a label, so the log
    shows no field key. (The fallback, "other detail", would hide a key, not show it.)"""
    import ast
    import pathlib

    from civic.admin.audit_labels import FIELDS
    from civic.crowdfunding.domain import CallRules
    from civic.grants.services.rules import SettingsData

    written: set[str] = set()
    for path in pathlib.Path("civic").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            for keyword in node.keywords if isinstance(node, ast.Call) else []:
                if keyword.arg in ("before", "after") and isinstance(keyword.value, ast.Dict):
                    written |= {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
    assert len(written) > 40, "the search finds the audit calls"
    written |= set(SettingsData.__dataclass_fields__) | set(CallRules.__dataclass_fields__)
    assert sorted(written - set(FIELDS)) == []


def test_the_audit_log_offers_no_way_to_edit(client: FlaskClient, db: Session) -> None:
    _admin(client, db)
    assert client.post("/admin/registro").status_code in (400, 405)
    assert (
        '<form method="post"'
        not in text(client.get("/admin/registro")).split("<main")[1].split("</main>")[0]
    )


def test_the_people_list_runs_a_fixed_number_of_queries(
    client: FlaskClient, db: Session, count_queries: list[str]
) -> None:
    _admin(client, db)
    for n in range(3):
        make_user(db, roles=(Role.JUROR,), email=f"few{n}@example.org")
    count_queries.clear()
    client.get("/admin/utenti")
    few = len(count_queries)
    for n in range(12):
        make_user(db, roles=(Role.STAFF, Role.JUROR), email=f"many{n}@example.org")
    count_queries.clear()
    client.get("/admin/utenti")
    assert len(count_queries) == few


def test_the_audit_log_runs_a_fixed_number_of_queries(
    client: FlaskClient, db: Session, count_queries: list[str]
) -> None:
    _admin(client, db)
    person = make_user(db)
    count_queries.clear()
    client.get("/admin/registro")
    few = len(count_queries)
    for role in ("juror", "staff", "organisation_member"):
        submit(
            client,
            f"/admin/utenti/{person.id}/ruoli/concedi",
            {"role": role},
            form_page=f"/admin/utenti/{person.id}",
        )
    count_queries.clear()
    client.get("/admin/registro")
    assert len(count_queries) == few


def test_recorded_days_and_instants_read_as_dates_in_milan(app) -> None:  # type: ignore[no-untyped-def]
    """JSON keeps them as ISO text; the log shows them as people read dates, on Milan's clock."""
    from civic.admin.audit_labels import value_text

    with app.test_request_context("/"):
        assert value_text("due_on", "2027-02-05") == "5 feb 2027"
        # 23:30 UTC on 31 December is already New Year's Day in Milan.
        assert value_text("starts_at", "2026-12-31T23:30:00+00:00").startswith("1 gen 2027")
        assert value_text("title", "2026 in festa") == "2026 in festa"  # text stays text
        assert value_text("title", "2026-13-45") == "2026-13-45"  # not a date: as recorded
