"""Milan demo data: people, the Municipi, themes, and a 2026 participatory-budget call.

Loaded by `flask seed-demo` (and `make run`); every part is added once. Never in production.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .accounts.domain import Role
from .accounts.models import RoleGrant, User
from .accounts.services import create_user, get_user_by_email
from .calls import services as call_services
from .calls.domain import CallKind, PhaseKind, Window
from .calls.models import Call
from .calls.queries import get_call, list_themes
from .places.queries import list_municipi
from .places.services import seed_municipi
from .proposals.models import Proposal
from .residency.models import CensusRecord, Residency

DEMO_PEOPLE = (
    ("admin@demo.example.org", "Alessandra Admin", "admin", "Demo-admin-2026", 1),
    ("staff@demo.example.org", "Stefano Staff", "staff", "Demo-staff-2026", 1),
    ("giurato@demo.example.org", "Giulia Giurata", "juror", "Demo-juror-2026", 3),
    ("lucia@demo.example.org", "Lucia Bianchi", None, "Demo-citizen-2026", 3),
    ("marco@demo.example.org", "Marco Rossi", None, "Demo-citizen-2026", 8),
    ("fatima@demo.example.org", "Fatima El Amrani", None, "Demo-citizen-2026", 6),
)
NEIGHBOURS = (
    "Chiara Colombo",
    "Luca Ferrari",
    "Sara Ricci",
    "Davide Romano",
    "Elena Greco",
    "Matteo Conti",
    "Giorgia Marino",
    "Andrea Gallo",
    "Francesca Costa",
    "Paolo Fontana",
    "Aisha Diallo",
    "Wei Chen",
)
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


def _people(session: Session, now: datetime) -> tuple[int, int, list[User]]:
    municipi = {area.number: area.id for area in list_municipi(session)}
    added = 0
    for email, name, role, password, municipio in DEMO_PEOPLE:
        if get_user_by_email(session, email) is not None:
            continue
        user = create_user(
            session,
            email=email,
            password=password,
            full_name=name,
            verified=True,
            now=now,
            municipio_id=municipi[municipio],
        )
        if role:
            session.add(RoleGrant(user_id=user.id, role=Role(role).value, granted_at=now))
        added += 1
    for n, name in enumerate(NEIGHBOURS, start=1):
        email = f"vicino{n:02d}@demo.example.org"
        if get_user_by_email(session, email) is None:
            create_user(
                session,
                email=email,
                password="Demo-citizen-2026",  # the published demo password  # nosec B106
                full_name=name,
                verified=True,
                now=now,
                municipio_id=municipi[2 + n % 8],
            )
    session.flush()
    staff = get_user_by_email(session, "staff@demo.example.org")
    admin = get_user_by_email(session, "admin@demo.example.org")
    assert staff is not None
    assert admin is not None
    citizens = list(
        session.scalars(
            select(User)
            .where(User.email.like("%@demo.example.org"), User.id.not_in([staff.id, admin.id]))
            .order_by(User.id)
        )
    )
    return added, staff.id, citizens


def load_demo(
    session: Session, now: datetime, report: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Add whatever part of the demo is missing; return what was added. ``report`` is told
    what a person needs to try it (the demo trustees' shares)."""
    from .accounts.queries import get_user
    from .demo_ballot_box import trustee_vote
    from .proposals import services as proposal_services
    from .proposals.models import FeasibilityReview, Support

    added = {"municipi": seed_municipi(session), "themes": call_services.seed_themes(session)}
    added["people"], staff_id, citizens = _people(session, now)
    added["calls"] = added["proposals"] = 0
    if session.scalar(select(Call.id).where(Call.slug == DEMO_CALL_SLUG)) is not None:
        staff_user = get_user(session, staff_id)
        assert staff_user is not None
        themes_now = {t.code: t.id for t in list_themes(session)}
        added["calls"] += trustee_vote(session, staff_user, citizens, themes_now, now, report)
        added["meetings"] = _demo_meetings(session, staff_id, citizens, now)
        added["campaigns"] = _demo_crowdfunding(session, staff_id, citizens, now)
        added["grant_applications"] = _demo_grants(session, staff_id, citizens, now)
        added["tracked_projects"] = _demo_execution(session, staff_id, now)
        return added
    staff = get_user(session, staff_id)
    assert staff is not None
    themes = {t.code: t.id for t in list_themes(session)}
    areas = [a for a in list_municipi(session) if a.number != 1]
    day = timedelta(days=1)
    data = call_services.CallData(
        kind=CallKind.PARTICIPATORY_BUDGET,
        title_it="Bilancio partecipativo 2026",
        title_en="Participatory budget 2026",
        description_it=DESCRIPTION_IT,
        description_en=DESCRIPTION_EN,
        theme_ids=list(themes.values()),
        area_budgets={a.id: 1_000_000_00 for a in areas},
        total_budget_cents=8_000_000_00,
        support_threshold=5,
        windows=[
            Window(PhaseKind.SUBMISSION, now - 30 * day, now + 40 * day),
            Window(PhaseKind.SUPPORTS, now - 30 * day, now + 50 * day),
            Window(PhaseKind.REVIEW, now + 55 * day, now + 100 * day),
            Window(PhaseKind.VOTING, now + 110 * day, now + 140 * day),
            Window(PhaseKind.RESULTS, now + 145 * day, now + 160 * day),
        ],
    )
    call = call_services.create_call(session, staff, data, now=now - 35 * day)
    call_services.publish_call(session, staff, call, now=now - 35 * day)
    loaded = get_call(session, call.id)
    assert loaded is not None
    call = loaded
    rng = random.Random(2026)  # the same demo every time  # noqa: S311 (not for security)  # nosec B311
    for n in range(40):
        title, theme = IDEAS[n % len(IDEAS)]
        area = areas[n % len(areas)]
        author = citizens[n % len(citizens)]
        proposal = proposal_services.create_proposal(
            session,
            author,
            call,
            proposal_services.ProposalData(
                title=f"{title} ({area.name.split(',')[0]})",
                body_md=f"Proponiamo: **{title.lower()}** nel Municipio {area.number}.{BODY}",
                area_id=area.id,
                theme_id=themes[theme],
                cost_cents=rng.randrange(20, 400) * 1_000_00,
                lat=45.42 + rng.random() * 0.1,
                lon=9.10 + rng.random() * 0.15,
            ),
            submit=STATES[n] != "draft",
            now=now - (40 - n) * day / 2,
        )
        status = STATES[n]
        if status not in ("draft", "submitted"):
            proposal.status = "in_review" if status != "withdrawn" else "withdrawn"
        if status in ("feasible", "not_feasible"):
            proposal.status = status
            session.add(
                FeasibilityReview(
                    proposal_id=proposal.id,
                    reviewer_id=staff.id,
                    outcome=status,
                    public_reason=(
                        "Realizzabile dagli uffici del Municipio entro un anno."
                        if status == "feasible"
                        else "L'area indicata non è di proprietà comunale."
                    ),
                    cost_estimate_cents=proposal.cost_cents,
                    running_cost_cents=proposal.cost_cents // 20,
                    duration_months=rng.randrange(3, 18),
                    decided_at=now - day,
                )
            )
        for fan in rng.sample(citizens, rng.randrange(0, 8)):
            if fan.id != author.id and status != "draft":
                session.add(Support(proposal_id=proposal.id, user_id=fan.id, created_at=now - day))
        added["proposals"] += 1
    session.flush()
    added["calls"] = 1
    added["calls"] += _past_vote(session, staff, citizens, themes, areas, now)
    added["calls"] += trustee_vote(session, staff, citizens, themes, now, report)
    added["meetings"] = _demo_meetings(session, staff_id, citizens, now)
    added["campaigns"] = _demo_crowdfunding(session, staff_id, citizens, now)
    added["grant_applications"] = _demo_grants(session, staff_id, citizens, now)
    added["tracked_projects"] = _demo_execution(session, staff_id, now)
    return added


def _demo_execution(session: Session, staff_id: int, now: datetime) -> int:
    """Every funded project tracked; the first two with a story (progress, milestones, money)."""
    from .accounts.queries import get_user
    from .execution import services as execution
    from .execution.domain import Progress, Status
    from .execution.models import ProjectUpdate, TrackedProject

    started = execution.track_funded(session, now=now)
    if session.scalar(select(ProjectUpdate.id).limit(1)) is not None:
        return started
    staff = get_user(session, staff_id)
    assert staff is not None
    projects = session.scalars(select(TrackedProject).order_by(TrackedProject.id).limit(2)).all()
    day = timedelta(days=1)
    for index, project in enumerate(projects):
        funded = project.funded_cents
        steps = (("Progetto esecutivo approvato", -20), ("Inizio dei lavori", -5),
                 ("Fine dei lavori", 60))  # fmt: skip
        for number, (title, days) in enumerate(steps):
            milestone = execution.add_milestone(
                session, staff, project.id, title, (now + days * day).date(), now=now - 25 * day
            )
            if number == 0:  # the design was approved a day early
                execution.complete_milestone(
                    session, staff, project.id, milestone.id, (now - 21 * day).date(),
                    now=now - 21 * day,
                )  # fmt: skip
        execution.report(
            session,
            staff,
            project.id,
            Progress(Status.IN_PROGRESS, 10, funded * 8 // 10, 0),
            body="Il progetto esecutivo è approvato e l'impresa è stata incaricata.",
            now=now - 20 * day,
        )
        if index == 0:
            execution.report(
                session,
                staff,
                project.id,
                Progress(Status.IN_PROGRESS, 40, funded * 9 // 10, funded * 3 // 10),
                body="Cantiere aperto: consegnati i materiali, prima parte dei lavori eseguita.",
                now=now - 3 * day,
            )
    session.flush()
    return started


GRANTS_SLUG = "la-scuola-dei-quartieri-2024-25"
GRANT_IDEAS = (
    "Sartoria sociale",
    "Cucina di quartiere",
    "Ciclofficina popolare",
    "Biblioteca degli attrezzi",
    "Doposcuola nel cortile",
    "Orto sul tetto",
    "Radio di quartiere",
    "Banco del riuso",
    "Palestra all'aperto",
    "Cinema in piazza",
)
# The funnel of the 2024-25 edition, in small: how many applications end in each state.
FUNNEL = (
    ("submitted", 5),
    ("inadmissible", 4),
    ("integration_requested", 3),
    ("under_review", 6),
    ("funded", 6),
    ("reserve", 3),
    ("not_admitted", 3),
)


def _demo_grants(session: Session, staff_id: int, citizens: list[User], now: datetime) -> int:
    """La Scuola dei Quartieri 2024-25: 30 applications spread over the funnel, jurors' scores
    for those ranked, and the final ranking published. Rows are written directly: demo only."""
    from .accounts.queries import get_user
    from .grants import ranking as grant_ranking
    from .grants import services as grant_services
    from .grants.models import GrantApplication, JuryAssignment, JuryScore

    if session.scalar(select(Call.id).where(Call.slug == GRANTS_SLUG)) is not None:
        return 0
    staff = get_user(session, staff_id)
    juror = get_user_by_email(session, "giurato@demo.example.org")
    assert staff is not None
    assert juror is not None
    day = timedelta(days=1)
    areas = [a for a in list_municipi(session) if a.number != 1]
    call = call_services.create_call(
        session,
        staff,
        call_services.CallData(
            kind=CallKind.GRANTS,
            title_it="La Scuola dei Quartieri 2024-25",
            title_en="La Scuola dei Quartieri 2024-25",
            description_it=(
                "Contributi fino a 30.000 euro per gruppi di almeno due residenti che fondano "
                "un nuovo ente non profit di quartiere, con mesi di formazione e tutoraggio."
            ),
            description_en=(
                "Grants up to 30,000 euro for groups of at least two residents founding a new "
                "neighbourhood non-profit, with months of training and mentoring."
            ),
            area_budgets={a.id: 0 for a in areas},
            total_budget_cents=150_000_00,
            windows=[Window(PhaseKind.SUBMISSION, now - 120 * day, now + 20 * day)],
        ),
        now=now - 130 * day,
    )
    call_services.publish_call(session, staff, call, now=now - 130 * day)
    settings = grant_services.save_settings(
        session,
        staff,
        call,
        grant_services.SettingsData(
            max_grant_cents=30_000_00,
            criteria=[
                {
                    "code": "need",
                    "label": "Bisogno del quartiere",
                    "weight": 3,
                    "threshold_half": 4,
                },
                {"code": "novelty", "label": "Novità", "weight": 2, "threshold_half": 0},
                {
                    "code": "sustainability",
                    "label": "Sostenibilità",
                    "weight": 2,
                    "threshold_half": 4,
                },
                {"code": "team", "label": "Gruppo", "weight": 1, "threshold_half": 0},
            ],
            overall_threshold_half=5,
            jurors_per_application=1,
        ),
        now=now - 130 * day,
    )
    rng = random.Random(2425)  # noqa: S311 (a repeatable demo)  # nosec B311
    number = 0
    for state, count in FUNNEL:
        for _ in range(count):
            number += 1
            lead = citizens[number % len(citizens)]
            total = rng.randrange(12, 31) * 1_000_00
            area = areas[number % len(areas)]
            application = GrantApplication(
                call_id=call.id,
                lead_user_id=lead.id,
                applicant_kind="group",
                group_name=f"Residenti del Municipio {area.number} ({number})",
                title=f"{GRANT_IDEAS[number % len(GRANT_IDEAS)]} nel Municipio {area.number}",
                area_id=area.id,
                sections={
                    "idea": "Un luogo aperto a tutti, gestito dai residenti.",
                    "need": "Nel quartiere mancano spazi di incontro tra generazioni.",
                    "novelty": "Nessuna attività simile nel raggio di un chilometro.",
                    "sustainability": "Quote associative, servizi a pagamento, volontariato.",
                    "team": "Un gruppo di vicini con competenze diverse.",
                    "timeline": "Dodici mesi, dalla fondazione dell'associazione all'apertura.",
                },
                budget_lines=[
                    {"what": "Allestimento", "cents": total // 2},
                    {"what": "Attività del primo anno", "cents": total - total // 2},
                ],
                total_cents=total,
                cofunding_cents=rng.randrange(0, 5) * 500_00,
                state=state
                if state in ("submitted", "inadmissible", "integration_requested")
                else "under_review",
                protocol_number=f"SDQ-{(now - 100 * day).year}-{number:06d}",
                submitted_at=now - (100 - number) * day,
                integration_sections=["budget"] if state == "integration_requested" else [],
                integration_deadline=now + 7 * day if state == "integration_requested" else None,
                decision_reason={
                    "inadmissible": "Il gruppo comprende un'associazione già esistente.",
                    "integration_requested": "Dettagliate le voci di spesa del primo anno.",
                }.get(state, ""),
                created_at=now - (110 - number) * day,
                updated_at=now - (100 - number) * day,
            )
            session.add(application)
            session.flush()
            if state in ("under_review", "funded", "reserve", "not_admitted"):
                assignment = JuryAssignment(
                    application_id=application.id,
                    juror_id=juror.id,
                    assigned_at=now - 60 * day,
                    declared_at=now - 59 * day,
                    submitted_at=None if state == "under_review" else now - 40 * day,
                )
                session.add(assignment)
                session.flush()
                if state != "under_review":
                    base = {"funded": 9, "reserve": 7, "not_admitted": 3}[state]
                    for code in ("need", "novelty", "sustainability", "team"):
                        session.add(
                            JuryScore(
                                assignment_id=assignment.id,
                                criterion=code,
                                half_points=min(10, base + rng.randrange(0, 2)),
                                comment="Valutazione motivata della giuria.",
                            )
                        )
            settings.next_protocol = number + 1
    session.flush()
    # The ranked ones get their final ranking, as staff would publish it.
    ranked = session.scalars(
        select(GrantApplication).where(
            GrantApplication.call_id == call.id, GrantApplication.state == "under_review"
        )
    ).all()
    scored = {
        a.application_id
        for a in session.scalars(
            select(JuryAssignment).where(JuryAssignment.submitted_at.is_not(None))
        )
    }
    waiting = [a for a in ranked if a.id not in scored]
    for application in waiting:
        application.state = "submitted"  # hidden from the ranking while it waits for its score
    session.flush()
    board = grant_ranking.board(session, call.id, settings)
    from .grants.models import GrantRanking

    rows = grant_ranking._published_rows(session, board)
    session.add(
        GrantRanking(
            call_id=call.id,
            kind="final",
            rows=rows,
            agreement=board.agreement,
            published_by_id=staff.id,
            published_at=now - 20 * day,
        )
    )
    outcome = {row["application_id"]: row["outcome"] for row in rows}
    for application in ranked:
        if application.id in outcome:
            application.state = {"funded": "funded", "reserve": "reserve"}.get(
                outcome[application.id], "not_admitted"
            )
    for application in waiting:
        application.state = "under_review"
    # The first funded group has signed its agreement: two instalments, the first one paid.
    from .grants.models import GrantInstalment

    first_funded = next((a for a in ranked if a.state == "funded"), None)
    if first_funded is not None:
        first_funded.state = "reporting"
        advance = first_funded.total_cents * 6 // 10
        session.add_all(
            [
                GrantInstalment(
                    application_id=first_funded.id,
                    number=1,
                    amount_cents=advance,
                    due_on=(now - 10 * day).date(),
                    paid_at=now - 9 * day,
                ),
                GrantInstalment(
                    application_id=first_funded.id,
                    number=2,
                    amount_cents=first_funded.total_cents - advance,
                    due_on=(now + 170 * day).date(),
                ),
            ]
        )
    session.flush()
    return number


CROWDFUNDING_SLUG = "alleanze-di-quartiere-2024-25"
ALLIANCES = (
    # title, organisation, Municipio, cost in euro, state, share of the goal pledged (percent)
    ("Cortili aperti in via Padova", "Cooperativa Sociale Il Ponte", 2, 40_000, "live", 35),
    ("Biciclette per tutti al Corvetto", "Ciclofficina Corvetto APS", 4, 30_000, "live", 88),
    ("Un teatro di quartiere a Quarto Oggiaro", "Fondazione Periferie", 8, 60_000, "live", 112),
    ("L'orto dei nonni a Baggio", "APS Orti di Baggio", 7, 24_000, "succeeded", 104),
    ("Doposcuola in musica a Lorenteggio", "Note di Quartiere APS", 6, 36_000, "failed", 41),
    ("Una cucina comune a NoLo", "Impresa Sociale Tavola Aperta", 2, 50_000, "grace", 100),
)


def _demo_crowdfunding(session: Session, staff_id: int, citizens: list[User], now: datetime) -> int:
    """The 2024-25 "alleanze di quartiere" call: 50% from citizens, the city up to 50,000 euro,
    60-day campaigns; six campaigns in different states, their pledges and their ledger.
    Pledges are written directly (no card, no Stripe call): demo data only."""
    import secrets

    from .accounts.queries import get_user
    from .crowdfunding import domain as cf_domain
    from .crowdfunding import ledger
    from .crowdfunding import services as cf_services
    from .crowdfunding.models import Campaign, Pledge

    if session.scalar(select(Call.id).where(Call.slug == CROWDFUNDING_SLUG)) is not None:
        return 0
    staff = get_user(session, staff_id)
    assert staff is not None
    day = timedelta(days=1)
    call = call_services.create_call(
        session,
        staff,
        call_services.CallData(
            kind=CallKind.CROWDFUNDING,
            title_it="Alleanze di quartiere 2024-25",
            title_en="Neighbourhood alliances 2024-25",
            description_it=(
                "Il Comune seleziona progetti di enti non profit e imprese con sede a Milano, "
                "da soli o in partenariato con un capofila. Ogni progetto raccoglie dai cittadini "
                "il 50% del costo in una campagna di 60 giorni; se ci riesce, il Comune aggiunge "
                "l'altro 50%, fino a 50.000 euro."
            ),
            description_en=(
                "The city selects projects by non-profits and businesses with an office in "
                "Milan, alone or with partners under a lead. Each project raises 50% of its "
                "cost from citizens in a 60-day campaign; if it succeeds, the city adds the "
                "other 50%, up to 50,000 euro."
            ),
            windows=[Window(PhaseKind.SUBMISSION, now - 200 * day, now - 120 * day)],
        ),
        now=now - 210 * day,
    )
    call_services.publish_call(session, staff, call, now=now - 210 * day)
    rules = cf_domain.CallRules(
        crowd_share_pct=50,
        city_cap_cents=50_000_00,
        min_cost_cents=20_000_00,
        max_cost_cents=100_000_00,
        min_days=40,
        max_days=60,
        grace_days=7,
    )
    settings = cf_services.save_settings(session, staff, call, rules, now=now - 210 * day)
    municipi = {area.number: area.id for area in list_municipi(session)}
    rng = random.Random(2425)  # noqa: S311 (a repeatable demo)  # nosec B311
    for n, (title, organisation, number, euros, state, share) in enumerate(ALLIANCES):
        lead = citizens[n % len(citizens)]
        application = cf_services.submit_application(
            session,
            lead,
            call,
            settings,
            cf_services.ApplicationData(
                organisation=organisation,
                legal_form="business" if organisation.startswith("Impresa") else "association",
                tax_code=f"97{n:03d}1230150"[:11],
                milan_office=f"Municipio {number}, Milano",
                title=title,
                summary=f"{title}: un progetto di quartiere costruito con i residenti.",
                description=(
                    f"**{organisation}** propone {title.lower()}. I residenti hanno scelto "
                    "insieme le attività; il progetto continua dopo il finanziamento con le "
                    "quote dei soci e il volontariato."
                ),
                budget_lines=[
                    ("Allestimento e materiali", euros * 60),
                    ("Attività e personale", euros * 40),
                ],
                partners=[("Comitato di quartiere", "partner")],
            ),
            now=now - 190 * day,
        )
        score = 90 - 5 * n
        cf_services.rank_application(session, staff, application, score, "", now=now - 150 * day)
        starts = now - (10 + 15 * n) * day if state == "live" else now - (80 + 5 * n) * day
        campaign = cf_services.select_application(
            session,
            staff,
            application,
            settings,
            approved_cost_cents=euros * 100,
            starts_at=starts,
            ends_at=starts + 60 * day,
            area_id=municipi.get(number),
            now=starts - 5 * day,
        )
        cf_services.open_campaign(session, staff, campaign, now=starts)
        if n == 0:
            cf_services.add_reward_tier(
                session,
                lead,
                campaign,
                title="Cena in cortile",
                description="Per due persone.",
                min_amount_cents=50_00,
                quantity=40,
                now=starts,
            )
            cf_services.post_update(
                session,
                lead,
                campaign,
                "Primo incontro con i residenti",
                "Grazie a chi è venuto: abbiamo scelto insieme i primi tre cortili.",
                now=starts + 3 * day,
            )
        target = campaign.goal_cents * share // 100
        raised = 0
        while raised < target:
            amount = min(target - raised, rng.choice([25, 50, 100, 250, 500, 1000]) * 100)
            amount = max(amount, cf_domain.MIN_PLEDGE_CENTS)
            backer = rng.choice(citizens)
            pledge_state = {
                "live": "active",
                "succeeded": "charged",
                "failed": "released",
                "grace": "charged",
            }[state]
            if state == "grace" and raised > target * 9 // 10:
                pledge_state = "action_needed"
            made = Pledge(
                campaign_id=campaign.id,
                backer_id=backer.id,
                amount_cents=amount,
                anonymous=rng.random() < 0.3,
                public_name=backer.display_name,
                reference=secrets.token_urlsafe(18),
                state=pledge_state,
                charge_attempts=1 if pledge_state == "action_needed" else 0,
                action_deadline=now + 5 * day if pledge_state == "action_needed" else None,
                created_at=starts + day,
                updated_at=starts + day,
                charged_at=campaign.ends_at if pledge_state == "charged" else None,
            )
            session.add(made)
            session.flush()
            for kind, lines, when in _demo_movements(pledge_state, amount, starts, campaign):
                ledger.post(
                    session,
                    movement=f"{kind}:{made.id}",
                    campaign_id=campaign.id,
                    pledge_id=made.id,
                    kind=kind,
                    lines=lines,
                    now=when,
                )
            raised += amount
        loaded = session.get(Campaign, campaign.id)
        assert loaded is not None
        if state == "succeeded":
            loaded.state, loaded.closed_at = "succeeded", campaign.ends_at
            match = campaign.city_match_cents
            ledger.post(
                session,
                movement=f"city_match:{campaign.id}",
                campaign_id=campaign.id,
                kind="city_match",
                lines={"city": -match, "payout": match},
                reference="city-budget",
                now=campaign.ends_at,
            )
        elif state == "failed":
            loaded.state, loaded.closed_at = "failed", campaign.ends_at
        elif state == "grace":
            loaded.state, loaded.grace_ends_at = "grace", now + 5 * day
    session.flush()
    return len(ALLIANCES)


def _demo_movements(
    state: str, amount: int, starts: datetime, campaign: Any
) -> list[tuple[str, dict[str, int], datetime]]:
    """The ledger movements a demo pledge in ``state`` went through."""
    committed = {"pledged": amount, "backer_commitments": -amount}
    released = {"pledged": -amount, "backer_commitments": amount}
    moves = [("pledge_committed", committed, starts + timedelta(days=1))]
    if state == "charged":
        charged = released | {"stripe": amount, "backers": -amount}
        moves.append(("pledge_charged", charged, campaign.ends_at))
    if state == "released":
        moves.append(("pledge_released", released, campaign.ends_at))
    return moves


HEARING_TITLE = "Public Hearing: verso Milano Smart City"


def _demo_meetings(session: Session, staff_id: int, citizens: list[User], now: datetime) -> int:
    """Three presentation meetings of the 2026 call and a hearing with three thematic groups."""
    from .accounts.queries import get_user
    from .meetings import services as meeting_services
    from .meetings.domain import (
        MeetingFormat,
        MeetingKind,
        RegistrationMode,
        RegistrationStatus,
        new_code,
    )
    from .meetings.models import Meeting, Registration

    if session.scalar(select(Meeting.id).where(Meeting.title == HEARING_TITLE)) is not None:
        return 0
    staff = get_user(session, staff_id)
    call_id = session.scalar(select(Call.id).where(Call.slug == DEMO_CALL_SLUG))
    assert staff is not None
    municipi = {area.number: area for area in list_municipi(session)}
    day = timedelta(days=1)
    at_six = (now + day).replace(hour=17, minute=0, second=0, microsecond=0)  # evening in Rome
    venues = [
        (2, "Casa di Quartiere Greco", "Via Francesco Massimo Ferrari 17, Milano", 45.500, 9.213),
        (5, "Biblioteca Chiesa Rossa", "Via San Domenico Savio 3, Milano", 45.427, 9.178),
        (8, "Mare Culturale Urbano", "Via Giuseppe Gabetti 15, Milano", 45.494, 9.119),
    ]
    meetings = []
    for offset, (number, venue, address, lat, lon) in zip((4, 9, 15), venues, strict=True):
        starts = at_six + offset * day
        meetings.append(
            meeting_services.create_meeting(
                session,
                staff,
                meeting_services.MeetingData(
                    kind=MeetingKind.PRESENTATION,
                    format=MeetingFormat.IN_PERSON,
                    title=f"Presentazione del Bilancio partecipativo 2026 nel Municipio {number}",
                    description=(
                        "Come presentare una proposta, come raccogliere i sostegni e come si "
                        "vota. Porta la tua idea: gli uffici del Municipio rispondono alle "
                        "domande."
                    ),
                    call_id=call_id,
                    area_id=municipi[number].id,
                    starts_at=starts,
                    ends_at=starts + 2 * timedelta(hours=1),
                    venue=venue,
                    address=address,
                    lat=lat,
                    lon=lon,
                    accessibility=["step_free", "sign_language"] if number == 5 else ["step_free"],
                    registration=RegistrationMode.PLATFORM,
                    capacity=8 if number == 2 else 60,
                    reserved_places=2,
                    questions=["Hai già un'idea di proposta?"],
                ),
                now=now - 20 * day,
            )
        )
    hearing = meeting_services.create_meeting(
        session,
        staff,
        meeting_services.MeetingData(
            kind=MeetingKind.HEARING,
            format=MeetingFormat.HYBRID,
            title=HEARING_TITLE,
            description=(
                "Cittadini, organizzazioni e università sono invitati a intervenire sul futuro "
                "di Milano come città intelligente. Dopo la plenaria si lavora in tre gruppi "
                "tematici; i contributi scritti sono accolti fino a 15 giorni dopo."
            ),
            starts_at=at_six - 8 * timedelta(hours=1) + 20 * day,  # morning in Rome
            ends_at=at_six - 3 * timedelta(hours=1) + 20 * day,
            venue="Palazzo Marino, Sala Alessi",
            address="Piazza della Scala 2, Milano",
            lat=45.4671,
            lon=9.1897,
            online_url="https://meet.example.org/udienza-smart-city",
            accessibility=["sign_language", "captioning", "step_free"],
            registration=RegistrationMode.PLATFORM,
            capacity=120,
            reserved_places=15,
        ),
        now=now - 20 * day,
    )
    for title in ("Mobilità sostenibile", "Ambiente ed energia", "Inclusione sociale"):
        meeting_services.add_group(session, staff, hearing, title, 40, now=now - 20 * day)
    plan = [
        (
            0,
            30,
            "Apertura: la strategia Milano Smart City",
            "Assessore alla Trasformazione digitale",
        ),
        (30, 60, "Interventi dal pubblico", ""),
        (90, 150, "Gruppi di lavoro tematici", "Facilitatori dei laboratori"),
        (240, 60, "Restituzione in plenaria", ""),
    ]
    for minute, length, title, speakers in plan:
        meeting_services.add_agenda_item(
            session,
            staff,
            hearing,
            starts_at=hearing.starts_at + minute * timedelta(minutes=1),
            minutes=length,
            title=title,
            speakers=speakers,
            now=now - 20 * day,
        )
    for meeting in [*meetings, hearing]:
        meeting_services.publish_meeting(session, staff, meeting, now=now - 19 * day)
    # A few registrations, written directly so that loading the demo sends no e-mail; the
    # first meeting is full, with two people waiting.
    first = meetings[0]
    for n, person in enumerate(citizens[:8]):
        full = n >= first.capacity - first.reserved_places
        session.add(
            Registration(
                meeting_id=first.id,
                user_id=person.id,
                status=(RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED).value,
                code=new_code(),
                consent_at=now - (10 - n) * day,
                waiting_since=now - (10 - n) * day if full else None,
                created_at=now - (10 - n) * day,
                updated_at=now - (10 - n) * day,
            )
        )
    session.flush()
    return len(meetings) + 1


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
    from .voting import services as voting
    from .voting.models import VoteSettings

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
