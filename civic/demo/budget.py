"""The demo's participatory budgets: the 2026 call and its proposals, the finished 2025 vote."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..calls import services as call_services
from ..calls.domain import CallKind, PhaseKind, Window
from ..calls.models import Call
from ..calls.queries import get_call
from ..proposals.models import Proposal
from ..residency.models import CensusRecord, Residency

DEMO_CALL_SLUG = "bilancio-partecipativo-2026"


IDEAS = (
    ("Orto condiviso nel cortile della scuola", "environment-energy"),
    ("Panchine e ombra lungo il viale", "well-being"),
    ("Pista ciclabile protetta verso la stazione", "mobility"),
    ("Rastrelliere sicure per le biciclette", "mobility"),
    ("Biblioteca di condominio e scambio libri", "inclusion"),
    ("Campo da basket riqualificato", "well-being"),
    ("Fontanelle d'acqua potabile nel parco", "water"),
    ("Giochi inclusivi per bambini con disabilità", "inclusion"),
    ("Illuminazione a LED nel sottopasso", "public-buildings"),
    ("Sportello digitale per anziani", "digital-platforms"),
    ("Area cani recintata", "well-being"),
    ("Alberi nuovi in piazza", "environment-energy"),
    ("Laboratorio di riparazione biciclette", "new-enterprise"),
    ("Wi-Fi libero in biblioteca di quartiere", "digital-platforms"),
    ("Spazio compiti pomeridiano", "vulnerable-groups"),
    ("Pannelli solari sulla palestra comunale", "public-buildings"),
    ("Attraversamenti pedonali rialzati", "mobility"),
    ("Mercato contadino mensile", "new-enterprise"),
    ("Murales partecipato sul muro della ferrovia", "global-city"),
    ("Giardino della pioggia contro gli allagamenti", "water"),
)


STATES = (
    ["submitted"] * 14
    + ["in_review"] * 10
    + ["feasible"] * 8
    + ["not_feasible"] * 5
    + ["withdrawn"] * 2
    + ["draft"]
)


DESCRIPTION_IT = (
    "Il Comune mette a disposizione 8 milioni di euro per progetti proposti e votati dai "
    "cittadini: un milione per ciascun Municipio, escluso il Municipio 1.\n\n"
    "Presenta la tua proposta, sostieni quelle che ti convincono: le più sostenute "
    "passano alla verifica di fattibilità e poi al voto."
)


DESCRIPTION_EN = (
    "The city sets aside 8 million euros for projects proposed and voted by residents: "
    "one million for each Municipio but Municipio 1.\n\nSubmit your proposal and support "
    "the ones you like: the most supported go to the feasibility check, then to the vote."
)


FEASIBLE_REASON = "Realizzabile dagli uffici del Municipio entro un anno."


NOT_FEASIBLE_REASON = "L'area indicata non è di proprietà comunale."


BODY = "\n\n- chi ne beneficia: tutto il quartiere\n- manutenzione: con le associazioni locali"


PAST_CALL_SLUG = "bilancio-partecipativo-2025"


def _past_vote(
    session: Session,
    staff: User,
    citizens: list[User],
    themes: dict[str, int],
    areas: list[Any],
    now: datetime,
) -> int:
    """A 2025 call whose vote closed a month ago, counted by equal shares and published."""
    from ..voting import services as voting
    from ..voting.models import VoteSettings

    if session.scalar(select(Call.id).where(Call.slug == PAST_CALL_SLUG)) is not None:
        return 0
    day = timedelta(days=1)
    voted_areas = sorted({c.municipio_id for c in citizens if c.municipio_id})[:3]
    data = call_services.CallData(
        kind=CallKind.PARTICIPATORY_BUDGET,
        title_it="Bilancio partecipativo 2025",
        title_en="Participatory budget 2025",
        description_it=DESCRIPTION_IT,
        description_en=DESCRIPTION_EN,
        theme_ids=list(themes.values()),
        area_budgets=dict.fromkeys(voted_areas, 150_000_00),
        total_budget_cents=150_000_00 * len(voted_areas),
        windows=[
            Window(PhaseKind.SUBMISSION, now - 300 * day, now - 240 * day),
            Window(PhaseKind.REVIEW, now - 230 * day, now - 120 * day),
            Window(PhaseKind.VOTING, now - 60 * day, now - 30 * day),
            Window(PhaseKind.RESULTS, now - 25 * day, now + 300 * day),
        ],
    )
    call = call_services.create_call(session, staff, data, now=now - 320 * day)
    call_services.publish_call(session, staff, call, now=now - 320 * day)
    session.add(
        VoteSettings(
            call_id=call.id, ballot_kind="approval", min_choices=1, max_choices=3, rule="mes-add1"
        )
    )
    rng = random.Random(2025)  # noqa: S311 (a repeatable demo)  # nosec B311
    ideas = list(IDEAS)
    spots = random.Random(7)  # places on the map, apart so the vote's draws stay the same  # noqa: S311  # nosec B311
    projects: dict[int, list[int]] = {}
    for area_id in voted_areas:
        for title, theme in rng.sample(ideas, 5):
            proposal = Proposal(
                call_id=call.id,
                author_id=citizens[0].id,
                area_id=area_id,
                theme_id=themes[theme],
                title=title,
                body_md=f"Proponiamo: **{title.lower()}**.{BODY}",
                body_html=f"<p>Proponiamo: <strong>{title.lower()}</strong>.</p>",
                cost_cents=rng.randrange(20, 90) * 1_000_00,
                lat=45.43 + spots.random() * 0.08,
                lon=9.12 + spots.random() * 0.13,
                status="feasible",
                created_at=now - 250 * day,
                updated_at=now - 250 * day,
                submitted_at=now - 250 * day,
            )
            session.add(proposal)
            session.flush()
            projects.setdefault(area_id, []).append(proposal.id)
    loaded = get_call(session, call.id)
    assert loaded is not None
    for n, person in enumerate(citizens):  # the demo citizens had their residency checked at a desk
        if person.municipio_id and session.get(Residency, person.id) is None:
            session.add(
                Residency(
                    user_id=person.id,
                    municipio_id=person.municipio_id,
                    birth_date=date(1960 + n * 3, 1 + n % 12, 10),
                    method="desk",
                    document_type="carta_identita",
                    verified_by_id=staff.id,
                    verified_at=now - 90 * day,
                )
            )
    # A small census of each Municipio voting (made-up residents, of every age), so that the
    # tally counts an electorate and the dashboard shows a turnout.
    born = random.Random(1861)  # noqa: S311 (a repeatable demo)  # nosec B311
    for area_id in voted_areas:
        for n in range(40):
            session.add(
                CensusRecord(
                    fiscal_hash=hashlib.sha256(f"demo-census-{area_id}-{n}".encode()).hexdigest(),
                    municipio_id=area_id,
                    birth_date=date(1935, 1, 1) + timedelta(days=born.randrange(32_000)),
                    batch="demo",
                    imported_at=now - 100 * day,
                )
            )
    session.flush()
    for voter in citizens:
        if voter.municipio_id in projects:
            chosen = rng.sample(projects[voter.municipio_id], rng.randrange(1, 4))
            voting.cast_ballot(
                session,
                voter,
                loaded,
                voter.municipio_id,
                dict.fromkeys(chosen, 1),
                now=now - 45 * day,
            )
    voting.tally_call(session, staff, loaded, now=now - 28 * day)
    voting.publish_results(session, staff, loaded, now=now - 27 * day)
    return 1
