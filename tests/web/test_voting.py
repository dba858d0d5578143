"""Voting pages: the ballot with running totals, the receipt, changing, the desk, results."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from civic.accounts.domain import Role
from civic.calls.models import CallPhase
from civic.core.time import utcnow
from civic.places.models import Area
from civic.voting.models import Ballot, SealedBallot, VoteResult, VoterRoll, VoteSettings
from civic.voting.services import ensure_server_key
from tests.factories.accounts import log_in, make_user
from tests.factories.calls import DAY, make_call, make_voter, make_voting_call, open_now
from tests.web.helpers import VOTE_SETTINGS, submit, text


def _close(db: Session, call_id: int) -> None:
    now = utcnow()
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call_id, CallPhase.kind == "voting")
        .values(starts_at=now - 3 * DAY, ends_at=now - DAY)
    )
    db.commit()


def _counted(client: FlaskClient, db: Session) -> tuple[Any, dict[int, list[int]], int, str]:
    """A vote with one ballot, closed and counted, and staff signed in on its review page."""
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    log_in(client, make_voter(db, area))
    vote = {f"p{projects[area][0]}": "1", "action": "cast"}
    submit(client, f"/bandi/{call.slug}/voto/{area}", vote)
    _close(db, call.id)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    review = f"/gestione/bandi/{call.id}/risultati"
    submit(client, f"/gestione/bandi/{call.id}/scrutinio", {}, form_page=review)
    return call, projects, area, review


def test_a_citizen_votes_and_is_shown_a_receipt_once(client: FlaskClient, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    log_in(client, make_voter(db, area))
    url = f"/bandi/{call.slug}/voto/{area}"
    page = text(client.get(url))
    assert "Progetto 0 area" in page
    response = submit(client, url, {f"p{projects[area][0]}": "1", "action": "cast"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    receipt = re.search(r"<code>([A-Z0-9-]{23})</code>", text(response))
    assert receipt is not None
    tracking = re.search(r'<code id="tracking-code">([A-Z2-7-]{19})</code>', text(response))
    assert tracking is not None
    assert db.scalar(select(SealedBallot.tracking_code)) == tracking.group(1)
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0  # sealed, not readable
    again = submit(client, url, {f"p{projects[area][1]}": "1", "action": "cast"})
    assert "ha già votato" in text(again)
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 1


def test_the_totals_update_without_javascript_and_nothing_is_cast(
    client: FlaskClient, db: Session
) -> None:
    call, projects = make_voting_call(db, ballot_kind="knapsack")
    area = next(iter(projects))
    log_in(client, make_voter(db, area))
    chosen = {f"p{p}": "1" for p in projects[area][:2]}
    page = text(submit(client, f"/bandi/{call.slug}/voto/{area}", chosen | {"action": "check"}))
    assert '<span id="running-count">2</span>' in page
    assert "€ 70.000,00" in page  # 30.000 + 40.000
    assert db.scalar(select(func.count()).select_from(VoterRoll)) == 0


def test_an_invalid_ballot_shows_what_is_wrong(client: FlaskClient, db: Session) -> None:
    call, projects = make_voting_call(db, ballot_kind="cumulative", points=10)
    area = next(iter(projects))
    log_in(client, make_voter(db, area))
    page = text(
        submit(
            client,
            f"/bandi/{call.slug}/voto/{area}",
            {f"p{projects[area][0]}": "4", "action": "cast"},
        )
    )
    assert "Usa tutti i tuoi punti." in page
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 0


def test_the_vote_is_changed_with_the_receipt(client: FlaskClient, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    log_in(client, make_voter(db, area))
    url = f"/bandi/{call.slug}/voto/{area}"
    cast = text(submit(client, url, {f"p{projects[area][0]}": "1", "action": "cast"}))
    receipt = re.search(r"<code>([A-Z0-9-]{23})</code>", cast)
    assert receipt is not None
    wrong = submit(
        client,
        url + "/modifica",
        {"receipt": "AAAAA-AAAAA-AAAAA-AAAAA", f"p{projects[area][1]}": "1", "action": "cast"},
    )
    assert "non è valido" in text(wrong)
    right = submit(
        client,
        url + "/modifica",
        {"receipt": receipt.group(1), f"p{projects[area][1]}": "1", "action": "cast"},
    )
    assert right.status_code == 200
    assert right.headers["Cache-Control"] == "no-store"
    changed = re.search(r'<code id="tracking-code">([A-Z2-7-]{19})</code>', text(right))
    assert changed is not None
    assert db.scalar(select(SealedBallot.tracking_code)) == changed.group(1)
    with client.application.app_context():
        open_now(db, call)
    assert db.scalar(select(Ballot.choices)) == {str(projects[area][1]): 1}


def test_results_stay_hidden_until_published_then_show_with_the_pb_download(
    client: FlaskClient, db: Session
) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    for choice in (projects[area][0], projects[area][0], projects[area][1]):
        voter = make_voter(db, area)
        log_in(client, voter)
        submit(client, f"/bandi/{call.slug}/voto/{area}", {f"p{choice}": "1", "action": "cast"})
    assert "nessuno, personale del Comune compreso" in text(
        client.get(f"/bandi/{call.slug}/risultati")
    )
    assert client.get(f"/bandi/{call.slug}/risultati/{area}.pb").status_code == 404
    assert client.get(f"/bandi/{call.slug}/risultati.csv").status_code == 404
    staff = make_user(db, roles=(Role.STAFF,))
    log_in(client, staff)
    early = submit(
        client,
        f"/gestione/bandi/{call.id}/scrutinio",
        {},
        form_page=f"/gestione/bandi/{call.id}/risultati",
    )
    assert "dopo la chiusura del voto" in text(early)
    assert db.scalar(select(VoteResult)) is None
    _close(db, call.id)
    submit(
        client,
        f"/gestione/bandi/{call.id}/scrutinio",
        {},
        form_page=f"/gestione/bandi/{call.id}/risultati",
    )
    assert db.scalar(select(func.count()).select_from(VoteResult)) == len(call.areas)
    assert "nessuno, personale del Comune compreso" in text(
        client.get(f"/bandi/{call.slug}/risultati")
    )
    review = text(client.get(f"/gestione/bandi/{call.id}/risultati"))
    assert 'id="small-areas"' in review  # staff are warned before they publish
    assert "Prima di pubblicare" in review
    submit(
        client,
        f"/gestione/bandi/{call.id}/pubblica-risultati",
        {"confirmed": "yes"},
        form_page=f"/gestione/bandi/{call.id}/risultati",
    )
    public = client.application.test_client()
    page = text(public.get(f"/bandi/{call.slug}/risultati"))
    assert "Finanziato" in page
    assert "Progetto 0 area" in page
    # 3 ballots, fewer than MIN_PUBLISHED_BALLOTS (20): totals only, and the page says why.
    assert "si pubblicano solo i totali" in page
    assert public.get(f"/bandi/{call.slug}/risultati/{area}.pb").status_code == 403
    client.application.config["MIN_PUBLISHED_BALLOTS"] = 3
    try:
        pb = public.get(f"/bandi/{call.slug}/risultati/{area}.pb")
    finally:
        client.application.config["MIN_PUBLISHED_BALLOTS"] = 20
    assert pb.status_code == 200
    assert "num_votes;3" in pb.get_data(as_text=True)
    assert "votanti: 3 online, 0 su carta" in page
    assert "affluenza: 100,0% dei 3 residenti verificati" in page  # all 3 verified residents voted
    assert "Budget usato dai vincitori:" in page
    rows = public.get(f"/bandi/{call.slug}/risultati.csv").get_data(as_text=True).splitlines()
    assert rows[0] == "municipio,project_id,title,votes,cost_eur,funded,reason,rule"
    number = db.get(Area, area).number  # type: ignore[union-attr]
    assert any(r.startswith(f"{number},{projects[area][0]},") and ",True," in r for r in rows[1:])


def test_an_override_needs_a_reason_and_is_published_with_it(
    client: FlaskClient, db: Session
) -> None:
    call, projects, area, review = _counted(client, db)
    form = {"area_id": str(area), "project_id": str(projects[area][2]), "action": "add"}
    refused = submit(client, review, form | {"reason": ""})
    assert refused.status_code == 200
    result = db.scalar(select(VoteResult).where(VoteResult.area_id == area))
    assert result is not None
    assert projects[area][2] not in result.winners
    submit(client, review, form | {"reason": "Finanziato con fondi del Municipio"})
    submit(
        client,
        f"/gestione/bandi/{call.id}/pubblica-risultati",
        {"confirmed": "yes"},
        form_page=review,
    )
    assert "Finanziato con fondi del Municipio" in text(client.get(f"/bandi/{call.slug}/risultati"))


def test_staff_record_a_paper_ballot_at_a_desk(client: FlaskClient, db: Session) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    voter = make_voter(db, area, email="carta@example.org")
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    desk = f"/gestione/bandi/{call.id}/seggio"
    response = submit(
        client,
        desk,
        {
            "email": "carta@example.org",
            "desk": "Municipio 2, via Padova",
            "area_id": str(area),
            f"p{projects[area][0]}": "1",
        },
    )
    assert response.status_code == 302  # back to the desk, ready for the next voter
    assert "registrata" in text(client.get(response.headers["Location"]))
    roll = db.scalar(select(VoterRoll).where(VoterRoll.user_id == voter.id))
    assert roll is not None
    assert roll.channel == "paper"
    log_in(client, voter)
    online = submit(
        client, f"/bandi/{call.slug}/voto/{area}", {f"p{projects[area][0]}": "1", "action": "cast"}
    )
    assert "ha già votato" in text(online)


def test_staff_configure_the_vote_until_ballots_exist(client: FlaskClient, db: Session) -> None:
    call = make_call(db)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    form = {
        "ballot_kind": "ranked",
        "min_choices": "1",
        "max_choices": "0",
        "points": "0",
        "max_ranked": "3",
        "extra_areas": "1",
        "min_age": "16",
        "rule": "mes-add1-exhaustive",
        "secrecy": "server",
        "trustees-0-email": "",
        "threshold": "1",
    }
    response = submit(client, f"/gestione/bandi/{call.id}/voto", form)
    assert response.status_code == 302
    settings = db.get(VoteSettings, call.id)
    assert settings is not None
    assert (settings.ballot_kind, settings.rule, settings.extra_areas) == (
        "ranked",
        "mes-add1-exhaustive",
        1,
    )


def test_equal_shares_results_explain_the_round_and_the_price_per_supporter(
    client: FlaskClient, db: Session
) -> None:
    call, projects = make_voting_call(db, rule="mes")
    area = next(iter(projects))
    for _ in range(3):
        log_in(client, make_voter(db, area))
        submit(
            client,
            f"/bandi/{call.slug}/voto/{area}",
            {f"p{projects[area][0]}": "1", "action": "cast"},
        )
    _close(db, call.id)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    review = f"/gestione/bandi/{call.id}/risultati"
    submit(client, f"/gestione/bandi/{call.id}/scrutinio", {}, form_page=review)
    submit(
        client,
        f"/gestione/bandi/{call.id}/pubblica-risultati",
        {"confirmed": "yes"},
        form_page=review,
    )
    page = text(client.get(f"/bandi/{call.slug}/risultati"))
    # €30,000 shared by 3 supporters: each paid up to €10,000, in the first round.
    assert "turno 1 · ogni sostenitore ha pagato al massimo € 10.000,00" in page


def test_an_unverified_person_is_told_how_to_get_verified(client: FlaskClient, db: Session) -> None:
    call, _projects = make_voting_call(db)
    log_in(client, make_user(db))
    page = text(client.get(f"/bandi/{call.slug}/voto"))
    assert "accedi con SPID o CIE" in page
    assert "fai verificare la tua residenza a uno sportello del Comune" in page


def test_the_ballot_and_the_cast_run_a_pinned_number_of_queries(
    client: FlaskClient, db: Session, count_queries: list[str]
) -> None:
    """Voting day's two hot requests: the call's facts come from the kept snapshot (one query of
    its stamp), the roll entry is one INSERT ... ON CONFLICT, the signed-in person one query."""
    call, projects = make_voting_call(db)
    with client.application.app_context():
        ensure_server_key(db, call.id, now=utcnow())  # made when staff save the settings
        db.commit()
    area = next(iter(projects))
    log_in(client, make_voter(db, area))
    url = f"/bandi/{call.slug}/voto/{area}"
    client.get(url)  # the first request builds the snapshot
    count_queries.clear()
    page = client.get(url)
    assert page.status_code == 200
    # the person with their roles and unread notifications, the call's stamp
    assert len(count_queries) == 2, count_queries
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text(page))
    assert token is not None
    count_queries.clear()
    cast = client.post(
        url, data={"csrf_token": token.group(1), "action": "cast", f"p{projects[area][0]}": "1"}
    )
    assert cast.status_code == 200
    assert "<code>" in text(cast)
    # person (roles, unread notifications), stamp, residency, areas voted, roll entry, ballot
    assert len(count_queries) == 6, count_queries
    assert db.scalar(select(func.count()).select_from(VoterRoll)) == 1


def test_the_municipi_list_has_no_stray_separator_once_voting_closes(
    client: FlaskClient, db: Session
) -> None:
    call, projects = make_voting_call(db)
    area = next(iter(projects))
    log_in(client, make_voter(db, area))
    open_page = text(client.get(f"/bandi/{call.slug}/voto"))
    assert re.search(r"</strong>[^<]*\s·\s<a ", open_page)
    _close(db, call.id)
    closed = text(client.get(f"/bandi/{call.slug}/voto"))
    assert "Il voto si è chiuso il" in closed
    assert not re.search(r"</strong>[^<]*·\s*</li>", closed)


def test_results_give_turnout_over_the_census_electorate_when_the_tally_had_one(
    client: FlaskClient, db: Session
) -> None:
    """With a census, turnout is over the residents old enough to vote (counted with the tally);
    without one, over the residents verified on the platform, and the page says which."""
    call, projects = make_voting_call(db, voting_open=False)
    first, second = sorted(projects)
    for area, electorate in ((first, 8), (second, None)):
        db.add(
            VoteResult(
                call_id=call.id, area_id=area, rule="greedy", budget_cents=100_000_00,
                winners=[], explanation={}, ballots=2, voters=2, electorate=electorate,
                computed_at=utcnow(), published_at=utcnow(),
            )
        )  # fmt: skip
    make_voter(db, second)
    db.commit()
    page = text(client.get(f"/bandi/{call.slug}/risultati"))
    assert "affluenza: 25,0% su 8 residenti in età di voto secondo l'anagrafe" in page
    assert "residenti verificati" in page  # the second Municipio: no census at its tally


def test_a_change_to_the_ballot_after_voting_opened_is_shown_with_the_results(
    client: FlaskClient, db: Session
) -> None:
    from civic.proposals.models import BallotAmendment

    call, projects = make_voting_call(db)
    area = next(iter(projects))
    admin = make_user(db, roles=(Role.ADMIN,))
    now = utcnow()
    db.add(
        BallotAmendment(
            call_id=call.id, proposal_id=projects[area][1], added=False,
            reason="Area non più disponibile dal 3 dicembre", actor_id=admin.id, at=now,
        )
    )  # fmt: skip
    db.add(
        VoteResult(
            call_id=call.id, area_id=area, rule="greedy", budget_cents=1, winners=[],
            explanation={}, ballots=0, voters=0, computed_at=now, published_at=now,
        )
    )  # fmt: skip
    db.commit()
    page = text(client.get(f"/bandi/{call.slug}/risultati"))
    assert "Modifiche alla scheda dopo l'apertura del voto" in page, page[page.find("<h1") :][:1500]
    assert "Progetto 1 area" in page
    assert "tolto dalla scheda — Area non più disponibile dal 3 dicembre" in page


def test_staff_choose_a_vote_for_one_with_the_reserve_rule_explained(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    page = client.get(f"/gestione/bandi/{call.id}/voto")
    # Every rule in plain words with its official name, in Italian first.
    assert "Come conta ogni regola" in text(page)
    assert "equalshares/add1-comparison" in text(page)
    assert "greedy-custom" in text(page)
    form = {
        "ballot_kind": "single", "min_choices": "0", "max_choices": "3", "points": "0",
        "max_ranked": "3", "extra_areas": "0", "min_age": "16", "rule": "greedy-custom",
        "min_score": "", "reserve_percent": "80", "secrecy": "server", "trustees-0-email": "",
        "threshold": "1",
    }  # fmt: skip
    response = submit(client, f"/gestione/bandi/{call.id}/voto", form)
    assert response.status_code == 302
    settings = db.get(VoteSettings, call.id)
    assert settings is not None
    assert (settings.ballot_kind, settings.rule, settings.reserve_percent) == (
        "single",
        "greedy-custom",
        80,
    )
    assert (settings.min_choices, settings.max_choices, settings.min_score) == (1, 1, 0)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rule": "greedy-threshold", "min_score": ""}, "min_score", "Indica i voti"),
        ({"rule": "greedy-custom", "reserve_percent": "0"}, "reserve_percent", "Indica la quota"),
    ],
)
def test_a_rule_without_its_number_is_refused_beside_the_field(
    client: FlaskClient, db: Session, changes: dict[str, str], field: str, message: str
) -> None:
    call = make_call(db)
    log_in(client, make_user(db, roles=(Role.STAFF,)))
    form = VOTE_SETTINGS | changes
    answer = submit(client, f"/gestione/bandi/{call.id}/voto", form)
    assert answer.status_code == 200
    beside = re.search(rf'id="{field}-error"[^>]*>(.*?)</', answer.get_data(as_text=True), re.S)
    assert beside is not None
    assert message in beside.group(1)
    assert db.get(VoteSettings, call.id) is None  # nothing saved


def test_a_vote_for_one_is_a_choice_of_one_on_the_ballot(client: FlaskClient, db: Session) -> None:
    call, projects = make_voting_call(db, ballot_kind="single")
    area = next(iter(projects))
    voter = make_voter(db, area)
    log_in(client, voter)
    page = client.get(f"/bandi/{call.slug}/voto/{area}")
    assert page.get_data(as_text=True).count('name="choice"') == len(projects[area])
    assert "Scegli un progetto." in text(page)
    cast = submit(
        client,
        f"/bandi/{call.slug}/voto/{area}",
        {"choice": str(projects[area][1]), "action": "cast"},
    )
    assert cast.status_code == 200
    assert db.scalar(select(func.count()).select_from(VoterRoll)) == 1


def test_the_results_say_how_the_winners_were_chosen(client: FlaskClient, db: Session) -> None:
    call, projects = make_voting_call(db, rule="greedy-custom", reserve_percent=70)
    area = next(iter(projects))
    log_in(client, make_voter(db, area))
    submit(
        client, f"/bandi/{call.slug}/voto/{area}", {f"p{projects[area][2]}": "1", "action": "cast"}
    )
    _close(db, call.id)
    staff = make_user(db, roles=(Role.STAFF,))
    log_in(client, staff)
    submit(
        client,
        f"/gestione/bandi/{call.id}/scrutinio",
        {},
        form_page=f"/gestione/bandi/{call.id}/risultati",
    )
    review = client.get(f"/gestione/bandi/{call.id}/risultati")
    assert "Come sono stati scelti i vincitori (greedy-custom)" in text(review)
    assert "almeno il 70% del suo costo" in text(review)


def test_before_the_ballot_exists_the_vote_page_says_when_voting_opens(
    client: FlaskClient, db: Session
) -> None:
    call = make_call(db)  # voting comes after the submissions; no ballot set up yet
    log_in(client, make_voter(db, call.areas[0].area_id))
    page = client.get(f"/bandi/{call.slug}/voto")
    assert page.status_code == 200
    assert 'id="vote-not-yet"' in text(page)
    assert "Il voto si apre il" in text(page)


def test_a_vote_not_yet_open_or_closed_says_its_dates(client: FlaskClient, db: Session) -> None:
    call, projects = make_voting_call(db, voting_open=False)  # closed yesterday
    log_in(client, make_voter(db, next(iter(projects))))
    assert "Il voto si è chiuso il" in text(client.get(f"/bandi/{call.slug}/voto"))
    now = utcnow()
    db.execute(
        update(CallPhase)
        .where(CallPhase.call_id == call.id, CallPhase.kind == "voting")
        .values(starts_at=now + DAY, ends_at=now + 3 * DAY)
    )
    db.commit()
    assert "Il voto si apre il" in text(client.get(f"/bandi/{call.slug}/voto"))


def test_publishing_asks_first_and_changes_nothing_until_confirmed(
    client: FlaskClient, db: Session
) -> None:
    call, _projects, _area, review = _counted(client, db)
    publish = f"/gestione/bandi/{call.id}/pubblica-risultati"
    asked = submit(client, publish, {"note": "da tenere"}, form_page=review)
    page = text(asked)
    assert asked.status_code == 200
    assert "Non si può annullare." in page
    assert "Ogni autore riceve" in page
    assert 'name="confirmed" value="yes"' in page
    assert 'name="note" value="da tenere"' in page  # what was sent goes again, confirmed
    assert f'href="{review}"' in page  # the way back
    assert db.scalar(select(func.count()).where(VoteResult.published_at.is_not(None))) == 0
    done = submit(client, publish, {"confirmed": "yes"}, form_page=review)
    assert done.status_code == 302
    published = db.scalar(select(func.count()).where(VoteResult.published_at.is_not(None)))
    assert published == db.scalar(select(func.count()).select_from(VoteResult)) > 0
