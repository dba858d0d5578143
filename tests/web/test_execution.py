"""Execution tracking: funded projects enter tracking when their funding is decided; staff report
status, progress, money, milestones and updates with photos; the public reads them and
followers get an e-mail at each change. Bad reports change nothing."""

from __future__ import annotations

import io
import os
import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from huey import RedisHuey
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.core.audit import AuditEntry
from civic.core.time import utcnow
from civic.execution import services
from civic.execution.models import (
    FollowerNotice,
    Milestone,
    ProjectFollower,
    ProjectUpdate,
    TrackedProject,
    UpdatePhoto,
)
from civic.execution.tasks import tell_followers_left
from civic.proposals.models import Proposal
from civic.voting.models import VoteResult
from civic.voting.services import counting
from tests.conftest import csrf_from
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import make_voting_call
from tests.support import Mailbox, free_port


def _post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST with a CSRF token taken from the home page, as a browser would send one."""
    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kw)


def _png(colour: str = "green") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def funded(app: Flask, db: Session) -> dict[str, Any]:
    """A vote whose result is published by staff: its two winners enter tracking."""
    staff = make_user(db, roles=(Role.STAFF,), email="ufficio@example.org")
    with app.test_request_context("/"):
        call, projects = make_voting_call(db, voting_open=False)
        area = sorted(projects)[0]
        winners = projects[area][:2]
        db.add(
            VoteResult(
                call_id=call.id,
                area_id=area,
                rule="greedy",
                budget_cents=1_000_000_00,
                winners=winners,
                explanation={},
                ballots=3,
                voters=3,
                computed_at=utcnow(),
            )
        )
        db.flush()
        counting.publish_results(db, staff, call, now=utcnow())
        db.commit()
    tracked = db.scalars(select(TrackedProject).order_by(TrackedProject.source_id)).all()
    return {"call": call, "winners": winners, "staff": staff, "projects": tracked}


def _staff_client(app: Flask, staff: Any) -> FlaskClient:
    client = app.test_client()
    log_in(client, staff)
    return client


def _form(**changes: Any) -> dict[str, Any]:
    form = {"status": "in_progress", "percent": "30", "committed": "1.000,00", "spent": "250,00"}
    form.update(changes)
    return form


def _nothing_changed(db: Session, project: TrackedProject) -> None:
    db.expire_all()
    fresh = db.get(TrackedProject, project.id)
    assert fresh is not None
    assert (fresh.status, fresh.percent, fresh.committed_cents, fresh.spent_cents) == (
        "planned", 0, 0, 0,
    )  # fmt: skip
    assert db.scalar(select(func.count()).select_from(ProjectUpdate)) == 0
    assert db.scalar(select(func.count()).select_from(UpdatePhoto)) == 0


def test_publishing_a_result_starts_tracking_each_winner_once(
    funded: dict[str, Any], db: Session, client: FlaskClient
) -> None:
    projects = funded["projects"]
    assert [p.source_id for p in projects] == sorted(funded["winners"])
    for project in projects:
        proposal = db.get(Proposal, project.source_id)
        assert proposal is not None
        assert project.source == "budget"
        assert (project.title, project.funded_cents) == (proposal.title, proposal.cost_cents)
        assert (project.area_id, project.theme_id) == (proposal.area_id, proposal.theme_id)
        assert (project.status, project.percent) == ("planned", 0)
    assert services.track_funded(db, now=utcnow()) == 0  # again: nothing new
    page = client.get("/progetti-finanziati").get_data(as_text=True)
    for project in projects:
        assert f"/progetti-finanziati/{project.id}" in page
    assert "2 progetti" in page
    one = client.get(f"/progetti-finanziati/{projects[0].id}").get_data(as_text=True)
    assert f"/proposte/{projects[0].source_id}" in one  # the funding decision
    assert "Nessun aggiornamento" in one


def test_a_staff_update_is_public_and_each_follower_is_told(
    app: Flask, funded: dict[str, Any], db: Session, mailbox: Mailbox
) -> None:
    project = funded["projects"][0]
    follower = make_user(db, email="segue@example.org")
    bystander = make_user(db, email="passante@example.org")
    reader = app.test_client()
    log_in(reader, follower)
    assert _post(reader, f"/progetti-finanziati/{project.id}/segui").status_code == 302
    assert _post(reader, f"/progetti-finanziati/{project.id}/segui").status_code == 302  # twice
    staff = _staff_client(app, funded["staff"])
    answer = _post(
        staff,
        f"/gestione/progetti-finanziati/{project.id}/aggiornamento",
        data=_form(
            body="Cantiere aperto in via Padova.",
            photo_1=(io.BytesIO(_png()), "cantiere.png"),
            alt_1="Il cantiere recintato, con la gru",
        ),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    db.expire_all()
    fresh = db.get(TrackedProject, project.id)
    assert fresh is not None
    assert (fresh.status, fresh.percent, fresh.committed_cents, fresh.spent_cents) == (
        "in_progress", 30, 1_000_00, 250_00,
    )  # fmt: skip
    page = reader.get(f"/progetti-finanziati/{project.id}").get_data(as_text=True)
    assert "Cantiere aperto in via Padova." in page
    assert "Avanzamento: 0% → 30%" in page
    assert 'alt="Il cantiere recintato, con la gru"' in page
    photo = db.scalars(select(UpdatePhoto)).one()
    served = reader.get(f"/progetti-finanziati/foto/{photo.stored_name}")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert Image.open(io.BytesIO(served.data)).size == (40, 30)
    served.close()
    assert reader.get("/progetti-finanziati/foto/../../etc/passwd").status_code == 404
    assert reader.get("/progetti-finanziati/foto/nessuna.png").status_code == 404
    mails = mailbox.to("segue@example.org")
    assert len(mails) == 1  # followed twice, told once
    body = Mailbox.body(mails[0])
    assert "Novità su" in str(mails[0]["Subject"])
    assert "Stato: Programmato → In corso" in body
    assert "Avanzamento: 0% → 30%" in body
    assert "Cantiere aperto in via Padova." in body
    assert f"/progetti-finanziati/{project.id}" in body
    assert mailbox.to("passante@example.org") == []
    assert bystander.id != follower.id
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "execution.update")).one()
    assert entry.actor_id == funded["staff"].id
    assert entry.after == {"status": "in_progress", "percent": 30, "committed_cents": 1_000_00,
                           "spent_cents": 250_00, "photos": 1}  # fmt: skip


def test_unfollowing_stops_the_emails(
    app: Flask, funded: dict[str, Any], db: Session, mailbox: Mailbox
) -> None:
    project = funded["projects"][0]
    follower = make_user(db, email="segue@example.org")
    reader = app.test_client()
    log_in(reader, follower)
    _post(reader, f"/progetti-finanziati/{project.id}/segui")
    assert "Smetti di seguire" in reader.get(f"/progetti-finanziati/{project.id}").get_data(
        as_text=True
    )
    _post(reader, f"/progetti-finanziati/{project.id}/non-seguire")
    staff = _staff_client(app, funded["staff"])
    _post(staff, f"/gestione/progetti-finanziati/{project.id}/aggiornamento", data=_form())
    assert mailbox.to("segue@example.org") == []


def test_following_needs_an_account(funded: dict[str, Any], client: FlaskClient) -> None:
    project = funded["projects"][0]
    answer = _post(client, f"/progetti-finanziati/{project.id}/segui")
    assert answer.status_code == 302
    assert "/accedi" in answer.headers["Location"]
    page = client.get(f"/progetti-finanziati/{project.id}").get_data(as_text=True)
    assert "Accedi per seguire questo progetto" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (_form(spent="2.000,00"), "Le somme spese non possono superare quelle impegnate."),
        (_form(status="completed", percent="90"), "Un progetto completato è al 100%."),
        (_form(status="planned", percent="10"), "un progetto programmato è allo 0%"),
        (_form(percent="130"), "Avanzamento"),
        (_form(committed="mille"), "Scrivi un importo come 1.234,50."),
        (_form(committed="1.000.000.000,01"), "Scrivi un importo tra zero e un miliardo di euro."),
        (_form(status="finito"), "Stato"),
        (
            _form(photo_1=(io.BytesIO(b"%PDF-1.4 not an image"), "x.png"), alt_1="Foto"),
            "immagine JPEG, PNG o WebP.",
        ),
        (
            _form(photo_1=(io.BytesIO(_png()), "x.png"), alt_1=""),
            "Descrivi ogni foto per chi non può vederla.",
        ),
        (_form(status="planned", percent="0", committed="0", spent="0"), "Niente da pubblicare"),
    ],
    ids=[
        "overspent",
        "completed-not-full",
        "planned-with-progress",
        "percent-too-high",
        "amount-in-words",
        "amount-too-large",
        "unknown-status",
        "not-an-image",
        "photo-without-description",
        "nothing",
    ],
)
def test_a_bad_report_is_explained_and_changes_nothing(
    app: Flask,
    funded: dict[str, Any],
    db: Session,
    mailbox: Mailbox,
    form: dict[str, Any],
    message: str,
) -> None:
    project = funded["projects"][0]
    follower = make_user(db, email="segue@example.org")
    services.follow(db, follower, project, now=utcnow())
    db.commit()
    folder = services_folder(app)
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    staff = _staff_client(app, funded["staff"])
    answer = _post(
        staff,
        f"/gestione/progetti-finanziati/{project.id}/aggiornamento",
        data=form,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert message in page, re.findall(r"(?s)<div class=\"alert.{0,300}", page)
    _nothing_changed(db, project)
    after = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    assert after == before  # no photo left behind
    assert mailbox.to("segue@example.org") == []


def services_folder(app: Flask) -> str:
    return os.path.join(app.config["UPLOAD_DIR"], "execution")


def test_a_completed_project_cannot_be_reopened(
    app: Flask, funded: dict[str, Any], db: Session
) -> None:
    project = funded["projects"][0]
    staff = _staff_client(app, funded["staff"])
    done = _form(status="completed", percent="100", committed="1.000,00", spent="1.000,00")
    _post(staff, f"/gestione/progetti-finanziati/{project.id}/aggiornamento", data=done)
    answer = _post(
        staff,
        f"/gestione/progetti-finanziati/{project.id}/aggiornamento",
        data=_form(status="in_progress", percent="90"),
    )
    assert "Un progetto completato o annullato non può cambiare stato." in answer.get_data(
        as_text=True
    )
    db.expire_all()
    assert db.get(TrackedProject, project.id).status == "completed"  # type: ignore[union-attr]
    assert db.scalar(select(func.count()).select_from(ProjectUpdate)) == 1


def test_milestones_are_set_reached_once_and_told(
    app: Flask, funded: dict[str, Any], db: Session, mailbox: Mailbox
) -> None:
    project = funded["projects"][0]
    follower = make_user(db, email="segue@example.org")
    services.follow(db, follower, project, now=utcnow())
    db.commit()
    staff = _staff_client(app, funded["staff"])
    base = f"/gestione/progetti-finanziati/{project.id}/tappe"
    refused = _post(staff, base, data={"title": "Inizio lavori", "due_on": "non so"})
    assert refused.status_code == 200
    assert db.scalar(select(func.count()).select_from(Milestone)) == 0
    assert (
        _post(staff, base, data={"title": "Inizio lavori", "due_on": "2027-03-01"}).status_code
        == 302
    )
    milestone = db.scalars(select(Milestone)).one()
    assert "Nuova tappa: Inizio lavori" in Mailbox.body(mailbox.last_to("segue@example.org"))
    done = _post(staff, f"{base}/{milestone.id}", data={f"m{milestone.id}-done_on": "2027-03-04"})
    assert done.status_code == 302
    again = _post(staff,
        f"{base}/{milestone.id}", data={f"m{milestone.id}-done_on": "2027-03-05"},
        follow_redirects=True,
    )  # fmt: skip
    assert "Questa tappa è già stata raggiunta." in again.get_data(as_text=True)
    db.expire_all()
    assert str(db.get(Milestone, milestone.id).done_on) == "2027-03-04"  # type: ignore[union-attr]
    assert len(mailbox.to("segue@example.org")) == 2
    assert "Tappa raggiunta: Inizio lavori" in Mailbox.body(mailbox.last_to("segue@example.org"))
    page = app.test_client().get(f"/progetti-finanziati/{project.id}").get_data(as_text=True)
    assert "Inizio lavori" in page
    assert "4 marzo 2027" in page
    other = app.test_client()
    log_in(other, funded["staff"])
    wrong = _post(
        other,
        f"/gestione/progetti-finanziati/{funded['projects'][1].id}/tappe/{milestone.id}",
        data={f"m{milestone.id}-done_on": "2027-03-04"},
        follow_redirects=True,
    )
    assert "Questa tappa non esiste." in wrong.get_data(as_text=True)
    actions = set(db.scalars(select(AuditEntry.action)).all())
    assert {"execution.milestone.add", "execution.milestone.done"} <= actions


def test_staff_find_funded_projects_not_yet_listed(
    app: Flask, funded: dict[str, Any], db: Session
) -> None:
    db.query(TrackedProject).delete()
    db.commit()
    staff = _staff_client(app, funded["staff"])
    answer = _post(staff, "/gestione/progetti-finanziati/aggiorna", follow_redirects=True)
    assert "2 aggiunti" in answer.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(TrackedProject)) == 2
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "execution.track").order_by(AuditEntry.id)
    ).all()
    assert [e.actor_id for e in entries] == [None, funded["staff"].id]  # at publication, by staff


def test_missing_projects_and_bad_filters_are_not_errors(
    funded: dict[str, Any], client: FlaskClient
) -> None:
    assert client.get("/progetti-finanziati/999999").status_code == 404
    for query in (
        "stato=x",
        "fonte=%C3%A8",
        "anno=abc",
        "municipio=-3",
        "tema=99999999999",
        "page=x",
    ):
        assert client.get(f"/progetti-finanziati?{query}").status_code == 200
    grants_only = client.get("/progetti-finanziati?fonte=grant").get_data(as_text=True)
    assert "Nessun progetto finanziato corrisponde" in grants_only


def _followers(db: Session, project: TrackedProject, count: int) -> list[str]:
    addresses = [f"segue{n}@example.org" for n in range(count)]
    for address in addresses:
        services.follow(db, make_user(db, email=address), project, now=utcnow())
    db.commit()
    return addresses


def test_a_project_with_many_followers_tells_each_once_in_batches_after_the_request(
    app: Flask,
    funded: dict[str, Any],
    db: Session,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The request tells one batch; the job it queues after its commit tells the rest."""
    monkeypatch.setattr(services, "FOLLOWERS_PER_BATCH", 3)
    project = funded["projects"][0]
    addresses = _followers(db, project, 8)
    bystander = make_user(db, email="passante@example.org")
    staff = _staff_client(app, funded["staff"])
    answer = _post(
        staff,
        f"/gestione/progetti-finanziati/{project.id}/aggiornamento",
        data=_form(body="Cantiere aperto."),
    )
    assert answer.status_code == 302
    assert [len(mailbox.to(a)) for a in addresses] == [1] * 8
    assert mailbox.to("passante@example.org") == []  # follows nothing
    assert bystander.email
    assert "Cantiere aperto." in Mailbox.body(mailbox.last_to(addresses[-1]))
    notice = db.scalars(select(FollowerNotice)).one()
    assert notice.done_at is not None
    last = db.scalar(
        select(func.max(ProjectFollower.user_id)).where(ProjectFollower.project_id == project.id)
    )
    assert notice.told_up_to == last


def test_followers_left_untold_are_told_by_the_sweep_once(
    app_ctx: Flask,
    funded: dict[str, Any],
    db: Session,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the job never runs (the queue was down, the process died after the commit), the
    sweep finishes the notice once it is a minute old, and a second sweep tells nobody."""
    monkeypatch.setattr(services, "FOLLOWERS_PER_BATCH", 3)
    from civic.execution import tasks
    from civic.extensions import huey

    down = RedisHuey("civic-down", url=f"redis://127.0.0.1:{free_port()}/0")
    down._registry = huey._registry  # the same job, on a queue that cannot be reached
    monkeypatch.setattr(tasks.tell_followers_job, "huey", down)
    project = funded["projects"][0]
    addresses = _followers(db, project, 7)
    services.add_milestone(
        db, funded["staff"], project.id, "Inizio lavori", date(2027, 3, 1), now=utcnow()
    )
    db.commit()  # the job for the rest cannot be queued
    assert sum(len(mailbox.to(a)) for a in addresses) == 3  # the first batch, with the commit
    assert tell_followers_left.call_local() == 0  # too recent: its job may still be on its way
    notice = db.scalars(select(FollowerNotice)).one()
    notice.created_at = utcnow() - timedelta(minutes=2)
    db.commit()
    assert tell_followers_left.call_local() == 4
    assert [len(mailbox.to(a)) for a in addresses] == [1] * 7
    assert "Inizio lavori" in Mailbox.body(mailbox.last_to(addresses[-1]))
    assert tell_followers_left.call_local() == 0
    assert len(mailbox.messages) == 7 + 0  # nobody told twice


def test_a_rolled_back_change_leaves_no_notice_and_tells_nobody(
    app_ctx: Flask,
    funded: dict[str, Any],
    db: Session,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "FOLLOWERS_PER_BATCH", 2)
    project = funded["projects"][0]
    addresses = _followers(db, project, 5)
    services.add_milestone(
        db, funded["staff"], project.id, "Inizio lavori", date(2027, 3, 1), now=utcnow()
    )
    db.rollback()
    assert db.scalar(select(func.count()).select_from(FollowerNotice)) == 0
    assert tell_followers_left.call_local() == 0
    assert all(mailbox.to(a) == [] for a in addresses)
