"""Proposal pages: submit, phase checks, files by content, supports, listing, map, notices."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.domain import PhaseKind, Window
from civic.core.time import utcnow
from civic.proposals import services
from civic.proposals.models import Proposal, ProposalFile, Support
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import DAY, make_call, make_proposal
from tests.support import Mailbox
from tests.web.helpers import submit, text


def _form(call, **changes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    values = {
        "title": "Panchine in piazza Leonardo",
        "body_md": "Servono **panchine** e ombra per chi aspetta il tram.",
        "area_id": str(call.areas[0].area_id),
        "theme_id": str(call.themes[0].id),
        "cost": "12.500,00",
        "lat": "45.478",
        "lon": "9.227",
        "action": "submit",
    }
    values.update(changes)
    return values


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "green")
    exif = Image.Exif()
    exif[0x010F] = "Fotocamera"  # maker: any metadata must be dropped
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_citizen_submits_a_proposal(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    author = make_user(db)
    log_in(client, author)
    response = submit(client, f"/bandi/{call.slug}/proposte/nuova", _form(call))
    assert response.status_code == 302
    proposal = db.scalar(select(Proposal))
    assert proposal is not None
    assert (proposal.status, proposal.cost_cents, proposal.author_id) == (
        "submitted",
        1_250_000,
        author.id,
    )
    assert (proposal.lat, proposal.lon) == (45.478, 9.227)
    assert "<strong>panchine</strong>" in text(client.get(f"/proposte/{proposal.id}"))


def test_a_draft_stays_private_until_submitted(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    log_in(client, make_user(db))
    submit(client, f"/bandi/{call.slug}/proposte/nuova", _form(call, action="draft"))
    proposal = db.scalar(select(Proposal))
    assert proposal is not None
    assert proposal.status == "draft"
    stranger = client.application.test_client()
    assert stranger.get(f"/proposte/{proposal.id}").status_code == 404
    assert "Panchine" not in text(stranger.get(f"/bandi/{call.slug}/proposte"))


def test_submitting_after_the_phase_is_refused_whatever_the_form_says(
    client: FlaskClient, db: Session
) -> None:
    now = utcnow()
    call = make_call(db, windows=[Window(PhaseKind.SUBMISSION, now - 20 * DAY, now - DAY)])
    log_in(client, make_user(db))
    response = submit(client, f"/bandi/{call.slug}/proposte/nuova", _form(call))
    assert response.status_code == 200
    assert "solo mentre è aperta la fase di presentazione" in text(response)
    assert db.scalar(select(func.count()).select_from(Proposal)) == 0


def test_a_municipio_outside_the_call_is_refused_by_the_form(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    log_in(client, make_user(db))
    response = submit(client, f"/bandi/{call.slug}/proposte/nuova", _form(call, area_id="999999"))
    assert 'id="area_id-error"' in text(response)
    assert db.scalar(select(Proposal)) is None


def test_images_are_checked_by_content_and_stripped_of_metadata(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    author = make_user(db)
    proposal = make_proposal(db, call, author)
    log_in(client, author)
    page = f"/proposte/{proposal.id}/modifica"
    pdf_named_jpg = {"kind": "image", "file": (io.BytesIO(b"%PDF-1.4 nope %%EOF"), "foto.jpg")}
    submit(client, f"/proposte/{proposal.id}/file", pdf_named_jpg, form_page=page)
    assert db.scalar(select(ProposalFile)) is None
    photo = {"kind": "image", "file": (io.BytesIO(_jpeg_with_gps()), "foto.jpg")}
    submit(client, f"/proposte/{proposal.id}/file", photo, form_page=page)
    stored = db.scalar(select(ProposalFile))
    assert stored is not None
    assert stored.mimetype == "image/jpeg"
    served = client.get(f"/proposte/{proposal.id}/file/{stored.id}")
    assert served.status_code == 200
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.getexif().get(0x010F) is None
    served.close()


def test_at_most_five_images(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    author = make_user(db)
    proposal = make_proposal(db, call, author)
    log_in(client, author)
    for n in range(6):
        photo = {"kind": "image", "file": (io.BytesIO(_jpeg_with_gps()), f"{n}.jpg")}
        submit(
            client,
            f"/proposte/{proposal.id}/file",
            photo,
            form_page=f"/proposte/{proposal.id}/modifica",
        )
    assert db.scalar(select(func.count()).select_from(ProposalFile)) == 5


def test_the_files_of_a_hidden_proposal_are_not_served_to_others(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    author = make_user(db)
    proposal = make_proposal(db, call, author)
    log_in(client, author)
    photo = {"kind": "image", "file": (io.BytesIO(_jpeg_with_gps()), "a.jpg")}
    submit(
        client,
        f"/proposte/{proposal.id}/file",
        photo,
        form_page=f"/proposte/{proposal.id}/modifica",
    )
    stored = db.scalar(select(ProposalFile))
    assert stored is not None
    moderator = make_user(db, roles=(Role.STAFF,))
    with client.application.test_request_context("/"):
        services.resolve_flags(
            db,
            moderator,
            "proposal",
            proposal.id,
            hide=True,
            public_reason="Foto di minori",
            now=utcnow(),
        )
        db.commit()
    stranger = client.application.test_client()
    assert stranger.get(f"/proposte/{proposal.id}/file/{stored.id}").status_code == 404
    page = text(stranger.get(f"/proposte/{proposal.id}"))
    assert "Foto di minori" in page
    assert "panchine" not in page.lower()
    own = client.get(f"/proposte/{proposal.id}/file/{stored.id}")
    assert own.status_code == 200
    own.close()


def test_supporting_twice_counts_once_and_the_button_turns_into_withdraw(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db, threshold=0)
    proposal = make_proposal(db, call)
    log_in(client, make_user(db))
    for _ in range(2):
        submit(
            client, f"/proposte/{proposal.id}/sostegno", {}, form_page=f"/proposte/{proposal.id}"
        )
    assert db.scalar(select(func.count()).select_from(Support)) == 1
    assert "Ritira il mio sostegno" in text(client.get(f"/proposte/{proposal.id}"))


def test_listing_filters_by_municipio_theme_status_and_text(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    a, b = call.areas[0].area_id, call.areas[1].area_id
    make_proposal(db, call, title="Orto in via Padova", area_id=a)
    make_proposal(db, call, title="Pista ciclabile Baggio", area_id=b, theme_id=call.themes[1].id)
    base = f"/bandi/{call.slug}/proposte"
    assert "Orto" in text(client.get(f"{base}?municipio={a}"))
    assert "Pista" not in text(client.get(f"{base}?municipio={a}"))
    assert "Pista" in text(client.get(f"{base}?tema={call.themes[1].id}"))
    assert "Orto" not in text(client.get(f"{base}?tema={call.themes[1].id}"))
    assert "Pista" in text(client.get(f"{base}?q=ciclabile"))
    assert "Orto" not in text(client.get(f"{base}?q=ciclabile"))
    assert "Nessuna proposta" in text(client.get(f"{base}?stato=feasible"))


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title h5 mt-2"><a href="/proposte/\d+">([^<]+)</a>', html)


def test_most_supported_comes_first(client: FlaskClient, db: Session) -> None:
    call = make_call(db, threshold=0)
    make_proposal(db, call, title="Poco sostenuta")
    popular = make_proposal(db, call, title="Molto sostenuta")
    for _ in range(3):
        services.support_proposal(db, make_user(db), popular, call, now=utcnow())
    db.commit()
    assert (
        _titles(text(client.get(f"/bandi/{call.slug}/proposte?ordine=supports")))[0]
        == "Molto sostenuta"
    )


def _counts(html: str) -> dict[str, str]:
    """Card title -> the support count it shows."""
    return dict(
        re.findall(
            r'<a href="/proposte/\d+">([^<]+)</a></h3>.*?<p class="card-text small mb-0">'
            r"(\d+ sostegn[oi])</p>",
            html,
            re.S,
        )
    )


@pytest.mark.parametrize("order", ["", "?ordine=supports", "?ordine=random"])
def test_every_order_shows_each_proposal_its_own_supports(
    client: FlaskClient, db: Session, order: str
) -> None:
    """Counted per row (by date, at random) or grouped (by supports): the same counts, and the
    supports of a proposal in another call never leak in."""
    call, other = make_call(db, threshold=0), make_call(db, threshold=0)
    make_proposal(db, call, title="Nessun sostegno")
    liked = make_proposal(db, call, title="Due sostegni")
    elsewhere = make_proposal(db, other, title="Altrove")
    for proposal, its_call, count in ((liked, call, 2), (elsewhere, other, 3)):
        for _ in range(count):
            services.support_proposal(db, make_user(db), proposal, its_call, now=utcnow())
    db.commit()
    shown = _counts(client.get(f"/bandi/{call.slug}/proposte{order}").get_data(as_text=True))
    assert shown == {"Nessun sostegno": "0 sostegni", "Due sostegni": "2 sostegni"}


def test_random_order_is_stable_for_a_visitor_across_pages(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    author = make_user(db)
    for n in range(25):
        make_proposal(db, call, author, title=f"Proposta numero {n:02d}")
    url = f"/bandi/{call.slug}/proposte?ordine=random"
    first = _titles(text(client.get(url))) + _titles(text(client.get(url + "&page=2")))
    again = _titles(text(client.get(url))) + _titles(text(client.get(url + "&page=2")))
    assert first == again
    assert sorted(first) == sorted(
        f"Proposta numero {n:02d}" for n in range(25)
    )  # none lost or doubled
    assert first != sorted(first)


def test_the_list_page_runs_a_fixed_number_of_queries(
    client: FlaskClient, db: Session, count_queries: list[str]
) -> None:
    call = make_call(db, threshold=0)
    author = make_user(db)
    make_proposal(db, call, author)
    count_queries.clear()
    client.get(f"/bandi/{call.slug}/proposte?ordine=supports")
    few = len(count_queries)
    for n in range(15):
        proposal = make_proposal(db, call, author, title=f"Altra proposta {n}")
        services.support_proposal(db, make_user(db), proposal, call, now=utcnow())
    db.commit()
    count_queries.clear()
    client.get(f"/bandi/{call.slug}/proposte?ordine=supports")
    assert len(count_queries) == few


def test_the_map_view_carries_every_located_proposal(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    make_proposal(db, call, title="Con posizione")
    make_proposal(db, call, title="Senza posizione", lat=None, lon=None)
    html = text(client.get(f"/bandi/{call.slug}/proposte?vista=mappa"))
    points = re.search(r'data-points="([^"]+)"', html)
    assert points is not None
    assert "Con posizione" in points.group(1)
    assert "Senza posizione" not in points.group(1)


def test_followers_get_an_in_app_notice_when_the_status_changes(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    proposal = make_proposal(db, call)
    follower = make_user(db)
    log_in(client, follower)
    submit(client, f"/proposte/{proposal.id}/segui", {}, form_page=f"/proposte/{proposal.id}")
    with client.application.test_request_context("/"):
        services.start_review(db, make_user(db, roles=(Role.STAFF,)), proposal, now=utcnow())
        db.commit()
    page = text(client.get("/notifiche"))
    assert "In revisione" in page
    assert "Notifiche (1)" in page
    submit(client, "/notifiche", {}, form_page="/notifiche")
    assert "Notifiche (1)" not in text(client.get("/notifiche"))


def test_a_comment_edit_after_fifteen_minutes_is_refused(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    proposal = make_proposal(db, call)
    person = make_user(db)
    comment = services.add_comment(
        db, person, proposal, "Primo", parent_id=None, now=utcnow() - timedelta(minutes=20)
    )
    db.commit()
    log_in(client, person)
    response = submit(
        client,
        f"/commenti/{comment.id}/modifica",
        {"body": "Cambiato"},
        form_page=f"/proposte/{proposal.id}",
    )
    assert response.status_code == 302
    db.refresh(comment)
    assert comment.body == "Primo"


def test_the_call_page_shows_its_latest_proposals(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    make_proposal(db, call, title="Proposta in vetrina")
    html = text(client.get(f"/bandi/{call.slug}"))
    assert "Proposta in vetrina" in html
    assert "Presenta una proposta" in html  # submissions are open


def test_private_review_notes_are_shown_to_staff_only(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    proposal = make_proposal(db, call)
    admin = make_user(db, roles=(Role.ADMIN,))
    with client.application.test_request_context("/"):
        services.start_review(db, admin, proposal, now=utcnow())
        data = services.ReviewData(True, "Si può fare.", 1_000_00, 0, 2, "Parlare con il Municipio")
        services.record_review(db, admin, proposal, data, now=utcnow())
        db.commit()
    assert "Parlare con il Municipio" not in text(client.get(f"/proposte/{proposal.id}"))
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    assert "Parlare con il Municipio" in text(client.get(f"/proposte/{proposal.id}"))


def test_a_staff_answer_notifies_followers_by_email_and_in_app(
    client: FlaskClient, db: Session, mailbox: Any
) -> None:
    call = make_call(db)
    author = make_user(db, email="autrice@example.org")
    proposal = make_proposal(db, call, author)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    submit(
        client,
        f"/proposte/{proposal.id}/commenti",
        {"body": "Ne parliamo in Municipio giovedì."},
        form_page=f"/proposte/{proposal.id}",
    )
    assert "giovedì" in Mailbox.body(mailbox.last_to("autrice@example.org"))
    log_in(client, author)
    assert "Il Comune ha risposto" in text(client.get("/notifiche"))


def test_a_citizen_comment_does_not_notify(client: FlaskClient, db: Session, mailbox: Any) -> None:
    call = make_call(db)
    proposal = make_proposal(db, call, make_user(db, email="autrice@example.org"))
    log_in(client, make_user(db))
    submit(
        client,
        f"/proposte/{proposal.id}/commenti",
        {"body": "Mi piace"},
        form_page=f"/proposte/{proposal.id}",
    )
    assert mailbox.to("autrice@example.org") == []


def test_a_refused_feasibility_review_comes_back_as_the_reviewer_wrote_it(
    client: FlaskClient, db: Session
) -> None:
    from civic.proposals.models import FeasibilityReview

    call = make_call(db)
    proposal = make_proposal(db, call)
    proposal.status = "in_review"
    db.commit()
    log_in(client, make_user(db, roles=(Role.ADMIN,)))
    form = {
        "outcome": "feasible",
        "public_reason": "Serve il parere del Municipio sulla viabilità.",
        "cost_estimate": "tanti soldi",  # not an amount
        "running_cost": "0",
        "duration_months": "3",
        "private_notes": "Sentire l'ufficio tecnico",
    }
    answer = submit(client, f"/proposte/{proposal.id}/fattibilita", form)
    assert answer.status_code == 200
    page = text(answer)
    assert "Serve il parere del Municipio sulla viabilità." in page
    assert "tanti soldi" in page
    assert "Sentire l&#39;ufficio tecnico" in page or "Sentire l'ufficio tecnico" in page
    assert db.scalar(select(func.count()).select_from(FeasibilityReview)) == 0


def test_the_author_gets_a_receipt_when_a_proposal_is_sent_in_and_not_for_a_draft(
    client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    call = make_call(db)
    author = make_user(db, email="autrice@example.org")
    log_in(client, author)
    submit(client, f"/bandi/{call.slug}/proposte/nuova", _form(call, action="draft"))
    assert mailbox.to("autrice@example.org") == []  # a draft is not sent in
    draft = db.scalar(select(Proposal))
    assert draft is not None
    submit(client, f"/proposte/{draft.id}/invia", {}, form_page=f"/proposte/{draft.id}")
    receipt = mailbox.last_to("autrice@example.org")
    assert "Abbiamo ricevuto la tua proposta" in str(receipt["Subject"])
    assert "Conserva questo messaggio come ricevuta." in Mailbox.body(receipt)
    assert Mailbox.link(receipt, f"/proposte/{draft.id}")
    mailbox.clear()
    submit(client, f"/bandi/{call.slug}/proposte/nuova", _form(call))  # sent in at once
    assert len(mailbox.to("autrice@example.org")) == 1
