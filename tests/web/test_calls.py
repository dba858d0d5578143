"""Call pages: staff create, edit and publish; the public sees lists, timeline and documents."""

from __future__ import annotations

import io

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import Call, CallPhase
from civic.core.audit import AuditEntry
from civic.core.time import utcnow
from civic.places.queries import list_municipi
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import make_call, make_proposal
from tests.factories.places import seed_municipi
from tests.support import plain_pdf
from tests.web.helpers import submit, text

PDF = plain_pdf()


NEXT = utcnow().year + 1  # a new call's phases start after today


def _staff(client: FlaskClient, db: Session, role: Role = Role.STAFF):  # type: ignore[no-untyped-def]
    user = make_user(db, roles=(role,))
    log_in(client, user)
    return user


def test_staff_create_a_call_with_budgets_and_a_timeline_in_rome_time(
    client: FlaskClient, db: Session
) -> None:
    seed_municipi(db)
    db.commit()
    _staff(client, db)
    area = list_municipi(db)[2]
    form = {
        "kind": "participatory_budget",
        "title_it": "Bilancio 2027",
        "title_en": "Budget 2027",
        f"area_{area.id}": "y",
        f"budget_{area.id}": "1.000.000,00",
        "total_budget": "1.000.000,00",
        "submission_start": f"{NEXT}-03-01T09:00",
        "submission_end": f"{NEXT}-03-31T18:00",
        "support_threshold": "10",
    }
    response = submit(client, "/gestione/bandi/nuovo", form)
    assert response.status_code == 302
    call = db.scalar(select(Call).where(Call.title_it == "Bilancio 2027"))
    assert call is not None
    assert call.total_budget_cents == 100_000_000
    assert call.published_at is None
    phase = db.scalar(select(CallPhase).where(CallPhase.call_id == call.id))
    assert phase is not None
    assert (
        phase.starts_at.isoformat() == f"{NEXT}-03-01T08:00:00+00:00"
    )  # 09:00 in Rome, winter time
    assert (
        db.scalar(select(AuditEntry.action).where(AuditEntry.target_id == str(call.id)))
        == "call.create"
    )


def test_a_bad_amount_or_timeline_is_refused_with_a_message(
    client: FlaskClient, db: Session
) -> None:
    seed_municipi(db)
    db.commit()
    _staff(client, db)
    form = {
        "kind": "participatory_budget",
        "title_it": "X",
        "total_budget": "mille euro",
        "voting_start": f"{NEXT}-03-10T09:00",
        "voting_end": f"{NEXT}-03-01T09:00",
    }
    response = submit(client, "/gestione/bandi/nuovo", form)
    assert response.status_code == 200
    assert 'id="total_budget-error"' in text(response)
    assert db.scalar(select(Call)) is None


def test_drafts_are_hidden_from_the_public_until_published(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db, published=False)
    assert client.get(f"/bandi/{call.slug}").status_code == 404
    assert call.title_it not in text(client.get("/bandi"))
    staff = _staff(client, db)
    assert staff is not None
    submit(client, f"/gestione/bandi/{call.id}/pubblica", {}, form_page=f"/bandi/{call.slug}")
    client.post("/esci")
    public = client.application.test_client()
    assert public.get(f"/bandi/{call.slug}").status_code == 200


def test_the_public_page_shows_the_timeline_as_a_stepper_with_the_current_phase(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    html = text(client.get(f"/bandi/{call.slug}"))
    assert 'class="civic-stepper"' in html
    assert html.count('aria-current="step"') == 2  # submission and supports are both running
    assert "Presentazione delle proposte" in html


def test_the_list_groups_open_upcoming_and_closed_calls(client: FlaskClient, db: Session) -> None:
    make_call(db, title="Bando aperto")
    html = text(client.get("/bandi"))
    assert html.index("Aperti") < html.index("Bando aperto") < html.index("In arrivo")


def test_documents_must_be_pdfs_by_content_and_are_served_by_the_app(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    _staff(client, db)
    fake = {
        "title": "Regolamento",
        "file": (io.BytesIO(b"<html>not a pdf</html>"), "regolamento.pdf"),
    }
    submit(client, f"/gestione/bandi/{call.id}/documenti", fake, form_page=f"/bandi/{call.slug}")
    assert "regolamento.pdf" not in text(client.get(f"/bandi/{call.slug}"))
    real = {"title": "Regolamento", "file": (io.BytesIO(PDF), "regolamento.pdf")}
    submit(client, f"/gestione/bandi/{call.id}/documenti", real, form_page=f"/bandi/{call.slug}")
    html = text(client.get(f"/bandi/{call.slug}"))
    link = html.split('href="/bandi/' + call.slug + "/documenti/")[1].split('"')[0]
    download = client.get(f"/bandi/{call.slug}/documenti/{link}")
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert download.data == PDF
    download.close()


def test_editing_frozen_rules_needs_an_admin_and_a_reason(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    make_proposal(db, call)
    _staff(client, db)
    page = text(client.get(f"/gestione/bandi/{call.id}/modifica"))
    assert 'value="Bilancio partecipativo 2026"' in page
    area = call.areas[0].area_id
    form = _form_of(client, call.id) | {f"budget_{area}": "1,00"}
    refused = submit(client, f"/gestione/bandi/{call.id}/modifica", form)
    assert refused.status_code == 200
    assert 'id="override_reason-error"' in text(refused)
    db.expire_all()
    assert {a.budget_cents for a in db.get(Call, call.id).areas} == {100_000_00}  # type: ignore[union-attr]
    admin = make_user(db, roles=(Role.ADMIN,))
    log_in(client, admin)
    accepted = submit(
        client, f"/gestione/bandi/{call.id}/modifica", form | {"override_reason": "Refuso"}
    )
    assert accepted.status_code == 302
    assert (
        db.scalar(select(AuditEntry).where(AuditEntry.action == "call.rules_override")) is not None
    )


def _form_of(client: FlaskClient, call_id: int) -> dict[str, str]:
    """The edit form's current values, as a browser would send them back."""
    import re

    html = text(client.get(f"/gestione/bandi/{call_id}/modifica"))
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                values[name.group(1)] = value.group(1) if value else "y"
        else:
            values[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = body.strip()
    values["kind"] = "participatory_budget"
    return values


def test_a_live_calls_text_can_be_edited_when_its_phases_carry_seconds(
    client: FlaskClient, db: Session
) -> None:
    """The edit form shows times to the minute; a phase stored with seconds (as a call made by
    an import or a script is) must not count as moved when only a text changes."""
    from datetime import timedelta

    from civic.calls.models import CallPhase

    call = make_call(db)
    make_proposal(db, call)  # in use: the rules are frozen
    phases = list(db.scalars(select(CallPhase).where(CallPhase.call_id == call.id)))
    exact = {}
    for phase in phases:
        phase.starts_at = phase.starts_at.replace(second=0, microsecond=0) + timedelta(seconds=37)
        exact[phase.kind] = (phase.starts_at, phase.ends_at)
    db.commit()
    _staff(client, db)
    form = _form_of(client, call.id) | {"description_it": "Nuova descrizione, nessuna regola."}
    answer = submit(client, f"/gestione/bandi/{call.id}/modifica", form)
    assert answer.status_code == 302, text(answer)
    db.expire_all()
    saved = db.get(Call, call.id)
    assert saved is not None
    assert saved.description_it == "Nuova descrizione, nessuna regola."
    after = {
        p.kind: (p.starts_at, p.ends_at)
        for p in db.scalars(select(CallPhase).where(CallPhase.call_id == call.id))
    }
    assert after == exact  # seconds kept, nothing moved
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "call.update")) is not None


def test_each_call_card_says_what_phase_it_is_in(client: FlaskClient, db: Session) -> None:
    make_call(db, title="Bando aperto")  # submissions and supports are running
    html = text(client.get("/bandi"))
    card = html.split("Bando aperto", 1)[1].split("</div>", 1)[0]
    assert "Ora: " in card
    assert ", fino al " in card


def test_a_call_description_is_markdown_rendered_and_sanitised(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    call.description_it = (
        "**Importante**: leggi il [regolamento](https://example.org/regole).\n\n"
        "- primo punto\n- secondo punto\n\n<script>alert(1)</script>"
    )
    db.commit()
    page = text(client.get(f"/bandi/{call.slug}"))
    assert "<strong>Importante</strong>" in page
    assert "<li>primo punto</li>" in page
    assert 'href="https://example.org/regole"' in page
    assert "<script>alert(1)</script>" not in page
    assert "**Importante**" not in page
