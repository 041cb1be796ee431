"""Demo surveys (issue 19 item 8): a closed staff "barriers to co-production" allocation survey
with eight named respondents, a residents' budget simulator over Lichtenberg's service areas
with answers, a co-assessment of the delivered demo project and the cycle's evaluation.
All go through the survey services; all belong to the demo cycle, so a reset deletes them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pbplatform.cycles.models import Phase
from pbplatform.db import utcnow
from pbplatform.demo.state import Demo, acting_as, minor
from pbplatform.surveys import services
from pbplatform.surveys.coassessment import open_coassessment
from pbplatform.surveys.evaluation import open_evaluation
from pbplatform.surveys.models import AllocationUnit, Audience, QuestionKind, Survey, SurveyKind
from pbplatform.surveys.services import Attributes, ItemInput, QuestionInput

BARRIERS = (
    ("More frontline staff", "Mehr Personal im direkten Kontakt"),
    ("Training frontline staff", "Schulung des Personals im direkten Kontakt"),
    (
        "Staff who enable users or communities to co-produce",
        "Personal, das Koproduktion ermöglicht",
    ),
    ("Project management", "Projektmanagement"),
    ("Better ICT", "Bessere IT"),
)
# Eight named respondents from councils and partners, their shares (per cent) and consent.
RESPONDENTS = (
    ("Surrey CC – senior commissioner", "council", ("20", "20", "40", "10", "10"), True),
    (
        "Lichtenberg district office – social planning",
        "council",
        ("30", "25", "25", "10", "10"),
        True,
    ),
    ("Kent CC – commissioning officer", "council", ("10", "30", "35", "12.5", "12.5"), False),
    ("Tower Hamlets – youth services lead", "council", ("40", "20", "20", "7.5", "12.5"), True),
    ("Volkssolidarität Berlin – project lead", "voluntary", ("25", "15", "40", "10", "10"), True),
    ("Mieterbeirat Fennpfuhl – chair", "voluntary", ("35", "10", "45", "5", "5"), True),
    ("NHS trust – patient involvement", "public_body", ("15", "35", "30", "10", "10"), False),
    ("Social enterprise Kiezwerk – director", "business", ("20", "20", "30", "15", "15"), True),
)
SERVICE_AREAS = (
    ("Libraries", "Bibliotheken", 4_200_000),
    ("Parks and green spaces", "Parks und Grünanlagen", 6_800_000),
    ("Youth work", "Jugendarbeit", 5_500_000),
    ("Street cleaning", "Straßenreinigung", 3_900_000),
    ("Culture", "Kultur", 2_600_000),
    ("Adult education", "Volkshochschule", 1_900_000),
)
CUT = 1_500_000
STEP = 50_000


def add_surveys(demo: Demo, phase: str) -> list[Survey]:
    officer = demo.staff["officer"]
    with acting_as(officer):
        made = [_barriers(demo), _simulator(demo)]
        if phase == Phase.RESULTS:
            made += [s for s in (_coassessment(demo), _evaluation(demo)) if s is not None]
    return made


def _barriers(demo: Demo) -> Survey:
    officer = demo.staff["officer"]
    question = QuestionInput(
        kind=QuestionKind.ALLOCATION,
        text="How would you spread a budget increase of 100 % over these factors?",
        text_de="Wie würden Sie eine Budgeterhöhung von 100 % auf diese Faktoren verteilen?",
        unit=AllocationUnit.PERCENT,
        total=Decimal(100),
        items=[ItemInput(en, de) for en, de in BARRIERS],
    )
    survey = services.create_survey(
        officer,
        [question],
        title="Barriers to co-production",
        title_de="Hürden der Koproduktion",
        introduction="A staff and partners' survey: where would more money remove barriers?",
        introduction_de="Personal und Partner: wo würde mehr Geld Hürden abbauen?",
        audience=Audience.INVITED,
        asks_attributes=True,
        cycle_id=demo.cycle.id if demo.cycle else None,
    )
    q = survey.questions[0]
    for label, org, shares, consent in RESPONDENTS:
        raw = {str(q.id): {str(i.id): s for i, s in zip(q.items, shares, strict=True)}}
        services.enter_named(
            survey, officer, label, raw, consent_to_name=consent, attributes=Attributes(org)
        )
    now = utcnow()  # answered by e-mail last spring; the results are public since the close
    survey.opens_at, survey.closes_at = now - timedelta(days=240), now - timedelta(days=200)
    return survey


def _cut_shares(demo: Demo) -> list[int]:
    """One resident's cut in steps of €50,000, never more than an area has."""
    steps, shares = CUT // STEP, [0] * len(SERVICE_AREAS)
    for _n in range(steps):
        while True:
            k = demo.rng.randrange(len(SERVICE_AREAS))
            if (shares[k] + STEP) <= SERVICE_AREAS[k][2]:
                shares[k] += STEP
                break
    return shares


def _simulator(demo: Demo) -> Survey:
    question = QuestionInput(
        kind=QuestionKind.ALLOCATION,
        text="The district must save €1.5M next year. Where would you cut?",
        text_de="Der Bezirk muss nächstes Jahr 1,5 Mio. € sparen. Wo würden Sie kürzen?",
        unit=AllocationUnit.MONEY,
        total=Decimal(minor(CUT)),
        is_cut=True,
        items=[ItemInput(en, de, baseline_minor=minor(b)) for en, de, b in SERVICE_AREAS],
    )
    now = utcnow()
    survey = services.create_survey(
        demo.staff["officer"],
        [question],
        kind=SurveyKind.SIMULATOR,
        title="Budget simulator: where would you cut €1.5M?",
        title_de="Haushaltsrechner: wo würden Sie 1,5 Mio. € kürzen?",
        introduction="Move the cut between Lichtenberg's service areas until it adds up.",
        introduction_de="Verteilen Sie die Kürzung auf Lichtenbergs Bereiche, bis sie aufgeht.",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=28),
        hide_results_until_close=False,
        cycle_id=demo.cycle.id if demo.cycle else None,
    )
    q = survey.questions[0]
    for resident in demo.residents[:12]:
        shares = _cut_shares(demo)
        raw = {str(q.id): {str(i.id): str(minor(s)) for i, s in zip(q.items, shares, strict=True)}}
        services.respond_online(survey, resident, raw)
    return survey


def _delivered(demo: Demo) -> list:
    from pbplatform.delivery.models import DeliveryStatus
    from pbplatform.delivery.queries import deliveries_for

    records = deliveries_for([p.id for p in demo.proposals.values()])
    return [
        p
        for p in demo.proposals.values()
        if p.id in records and records[p.id].status == DeliveryStatus.DONE
    ]


def _coassessment(demo: Demo) -> Survey | None:
    done = _delivered(demo)
    if not done:
        return None
    proposal = done[0]
    survey = open_coassessment(proposal, demo.staff["officer"])
    q = survey.questions[0]
    neighbours = [r for r in demo.residents if r.home_area_id == proposal.area_id]
    raters = neighbours if proposal.area_id else demo.residents
    for n, resident in enumerate(raters[:7]):
        ratings = ("5", "4", "4") if n % 3 else ("4", "5", "3")
        raw = {str(q.id): {str(i.id): r for i, r in zip(q.items, ratings, strict=True)}}
        services.respond_online(survey, resident, raw)
    return survey


def _evaluation(demo: Demo) -> Survey | None:
    if demo.cycle is None:
        return None
    survey = open_evaluation(demo.cycle, demo.staff["officer"])
    how, ease, change = survey.questions
    ways = [i.id for i in how.items]
    for n, resident in enumerate(demo.residents[:15]):
        raw = {
            str(how.id): ways[0] if n % 3 else ways[1],
            str(ease.id): {str(i.id): str(4 + (n % 2)) for i in ease.items},
            str(change.id): "Longer voting period, please." if n == 0 else "",
        }
        services.respond_online(survey, resident, raw)
    return survey
