"""Retirement demo data: three Maojian persons at retirement age with their contribution
history from the city system and a retirement case waiting for reviewer_maojian, and the
retirees migrated from the city systems that the payroll pays (about 2,000; a dozen for the
tests). Deterministic and idempotent: a second run adds nothing.

The demo's history reaches back to 1996, before the Shiyan reference wages in the parameter
files: the demo enters invented figures for 1993–2018 through the parameter proposal and
approval, marked as demo figures, as an administrator would enter the published ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from shebao.accounts.models import EntryKind
from shebao.accounts.services.journal import entry_post
from shebao.benefits.models import (
    AwardKind,
    Pension,
    PensionAward,
    PensionGroup,
    PensionRate,
    RateReason,
)
from shebao.benefits.services.retirement import (
    ITEM_FLEXIBLE_EARLY,
    ITEM_NORMAL,
    RetirementRequest,
    eligibility_of,
    open_retirement_case,
    retirement_request,
)
from shebao.contributions.models import HistoricalContribution
from shebao.core.actors import staff_actor, system_actor
from shebao.core.audit import audit_record
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.core.periods import period_add, period_range
from shebao.registry.demo import demo_employer
from shebao.registry.demo_bulk import AGENCY_AREAS, GIVEN, SURNAMES
from shebao.registry.models import (
    InsuredRelation,
    Person,
    RelationKind,
    RelationStatus,
    Scheme,
    Sex,
)
from shebao.registry.services import person_create
from shebao.rules.demo import placeholder_value_enter
from shebao.rules.store import DatabaseParameters
from shebao.services.services import case_transition

SEED = 1996
LEGACY = "demo:legacy"
DEMO_WAGE_REFERENCE = "demo figure, not a published value"
DEMO_WAGE_NOTE = (
    "Invented for the demo database so that the demo retirements have reference wages for "
    "their 1990s and 2000s months; replace it with the published Shiyan figure."
)
DEMO_WAGE_YEARS = range(1993, 2019)
SETTLED_THROUGH = 202608  # the city systems paid the migrated retirees through August 2026
BANKS = ("中国工商银行", "中国农业银行", "中国建设银行", "湖北农信")
RETIREES_BULK = 2000
RETIREES_TESTS = 12


@dataclass(frozen=True)
class DemoRetiree:
    """A fixed demo person at retirement age and the application the clerk made."""

    name: str
    resident_body: str  # 17 characters: area, birth date, sequence
    index: Decimal  # own base ÷ reference wage, every month
    deemed_months: int
    balance_fen: int
    request: RetirementRequest
    bank: tuple[str, str] | None


DEMO_RETIREES = [
    # Man born 1965-06: statutory 2025-08 at 60y2m; applied late, so the first payroll
    # back-pays from 2025-09.
    DemoRetiree(
        "周德明",
        "42030219650614135",
        Decimal("1.2"),
        84,
        8_643_210,
        RetirementRequest(group=PensionGroup.MALE, item_code=ITEM_NORMAL, deemed_months=84),
        ("中国工商银行", "6222021809001234567"),
    ),
    # Woman worker born 1975-01: 50y1m, 2025-02 (rules.md §4 example); the bank account is
    # given with the application.
    DemoRetiree(
        "吴秀兰",
        "42030219750109246",
        Decimal("0.8"),
        24,
        4_321_098,
        RetirementRequest(group=PensionGroup.FEMALE_50, item_code=ITEM_NORMAL, deemed_months=24),
        None,
    ),
    # Man born 1966-05: statutory 2026-10 at 60y5m; flexible early in 2026-08.
    DemoRetiree(
        "郑国平",
        "42030219660503357",
        Decimal("1.0"),
        60,
        10_234_567,
        RetirementRequest(
            group=PensionGroup.MALE,
            item_code=ITEM_FLEXIBLE_EARLY,
            retirement_month=202608,
            deemed_months=60,
        ),
        ("中国建设银行", "6217002870012345678"),
    ),
]


def seed_demo(*, bulk: bool = True) -> None:
    """The tests' seed (``bulk=False``) leaves out the invented wages and the applications
    that need them: the parameter tests hold the store to the files' values. The retirement
    tests seed those two parts inside their own transaction."""
    if bulk:
        seed_demo_wages()
        seed_applications()
    seed_migrated(RETIREES_BULK if bulk else RETIREES_TESTS)


# --- reference wages for the demo history ---------------------------------------------------


def demo_wage(year: int) -> Decimal:
    """An invented Shiyan monthly reference wage: 300 yuan in 1993, up 11.5% a year."""
    return (Decimal(300) * Decimal("1.115") ** (year - 1993)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )


def seed_demo_wages() -> None:
    for year in DEMO_WAGE_YEARS:
        placeholder_value_enter(
            key="wage.reference_average_monthly",
            region="420300",
            effective_from=date(year, 1, 1),
            value_text=f"{demo_wage(year)}.00",
            reference=DEMO_WAGE_REFERENCE,
            note=DEMO_WAGE_NOTE,
        )


# --- the applications waiting for review -----------------------------------------------------


def seed_applications() -> None:
    maojian = Agency.objects.get(code="420302")
    for retiree in DEMO_RETIREES:
        person = _demo_person(retiree, maojian)
        if Pension.objects.filter(person=person).exists() or open_retirement_case(person):
            continue
        clerk = staff_actor("clerk_maojian")
        bank_name, bank_account = retiree.bank or ("湖北农信", "6230270100012345678")
        case = retirement_request(
            actor=clerk,
            person=person,
            request=retiree.request,
            bank_name=bank_name if retiree.bank is None else "",
            bank_account=bank_account if retiree.bank is None else "",
        )
        case_transition(actor=clerk, case=case, action="send_for_review")


def _demo_person(retiree: DemoRetiree, agency: Agency) -> Person:
    resident_id = resident_id_with_check(retiree.resident_body)
    person = Person.objects.filter(resident_id=resident_id).first()
    if person is not None:
        return person
    system = system_actor("seed_demo")
    person = person_create(actor=system, resident_id=resident_id, name=retiree.name, agency=agency)
    if retiree.bank is not None:
        person.bank_name, person.bank_account = retiree.bank
        person.save(update_fields=["bank_name", "bank_account"])
    with transaction.atomic(durable=True):
        birth = person.birth_date.year * 100 + person.birth_date.month
        # Employed at the demo supermarket from 2024 until retirement: the approval retires it.
        employer = demo_employer("十堰市示范超市有限公司")
        for scheme in (Scheme.PENSION, Scheme.UNEMPLOYMENT, Scheme.WORK_INJURY):
            InsuredRelation.objects.create(
                person=person,
                scheme=scheme,
                employer=employer,
                kind=RelationKind.EMPLOYEE,
                start_period=202401,
                status=RelationStatus.ACTIVE,
                start_reason="new_hire",
                agency=agency,
            )
        last = retiree.request.retirement_month or _statutory_month(person)
        months = [*period_range(199601, 201812), *period_range(202401, min(last, 202610))]
        HistoricalContribution.objects.bulk_create(
            HistoricalContribution(
                person_id=person.pk,
                scheme=Scheme.PENSION,
                period=period,
                base_fen=_base_fen(period, retiree.index),
                source=LEGACY,
            )
            for period in months
        )
        entry_post(
            actor=system,
            person=person,
            kind=EntryKind.MIGRATED,
            amount_fen=retiree.balance_fen,
            # Migrated at the end of 2025 like every demo account (shebao.accounts.demo), so the
            # journal owes no interest for a year before 2026 and accounts_verify agrees.
            year=2025,
            month=12,
            source=LEGACY,
            key=f"demo:retirement:{person.resident_id}:migrated",
            note="balance at the end of 2025 in the city system",
        )
        audit_record(
            actor=system,
            action="retirement.demo_history",
            target=person,
            target_agency=agency,
            after={"months": len(months), "born": birth, "balance_fen": retiree.balance_fen},
        )
    return person


def _statutory_month(person: Person) -> int:
    group = PensionGroup.MALE if person.sex == Sex.MALE else PensionGroup.FEMALE_50
    return eligibility_of(
        person=person,
        request=RetirementRequest(group=group),
        source=DatabaseParameters(),
        today=timezone.localdate(),
    ).statutory_month


def _base_fen(period: int, index: Decimal) -> int:
    year = period // 100
    wage = demo_wage(year) if year in DEMO_WAGE_YEARS else Decimal(7000)
    return int((wage * index * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- retirees migrated from the city systems ---------------------------------------------------


@dataclass(frozen=True)
class MigratedRetiree:
    resident_id: str
    name: str
    sex: str
    birth: date
    agency_code: str
    bank_name: str
    bank_account: str
    monthly_fen: int
    contribution_months: int
    deemed_months: int
    index: str
    certified_days_ago: int


def migrated_plan(count: int) -> list[MigratedRetiree]:
    """The same persons in the same order every time: the first dozen are the tests' too."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    plan: list[MigratedRetiree] = []
    seen: set[str] = set()
    while len(plan) < count:
        code, areas, _city = AGENCY_AREAS[len(plan) % len(AGENCY_AREAS)]
        sex = Sex.MALE if rng.random() < 0.55 else Sex.FEMALE
        first_year = 1940 if sex == Sex.MALE else 1950
        birth = date(
            rng.randint(first_year, first_year + 24), rng.randint(1, 12), rng.randint(1, 28)
        )
        sequence = rng.randrange(0, 1000, 2) + (1 if sex == Sex.MALE else 0)
        resident_id = resident_id_with_check(f"{rng.choice(areas)}{birth:%Y%m%d}{sequence:03d}")
        months = rng.randint(180, 480)
        given = "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        retiree = MigratedRetiree(
            resident_id=resident_id,
            name=rng.choice(SURNAMES) + given,
            sex=sex,
            birth=birth,
            agency_code=code,
            bank_name=rng.choice(BANKS),
            bank_account=f"62{rng.randint(10**16, 10**17 - 1)}",
            monthly_fen=rng.randint(1_800_00, 6_500_00),
            contribution_months=months,
            deemed_months=rng.randint(0, min(months - 180, 240)),
            index=f"{rng.uniform(0.6, 2.2):.4f}",
            certified_days_ago=rng.randint(0, 395),  # about one in thirteen is overdue
        )
        if resident_id in seen:
            continue
        seen.add(resident_id)
        plan.append(retiree)
    return plan


def seed_migrated(count: int) -> int:
    """Create the planned retirees not there yet: persons, pensions (settled through
    2026-08 by the city system), their migrated award and first rate, in bulk with one audit
    entry."""
    plan = migrated_plan(count)
    existing = set(
        Person.objects.filter(resident_id__in=[r.resident_id for r in plan]).values_list(
            "resident_id", flat=True
        )
    )
    todo = [retiree for retiree in plan if retiree.resident_id not in existing]
    if not todo:
        return 0
    agencies = {
        a.code: a for a in Agency.objects.filter(code__in=[c for c, _a, _n in AGENCY_AREAS])
    }
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        persons = Person.objects.bulk_create(
            Person(
                resident_id=r.resident_id,
                name=r.name,
                sex=r.sex,
                birth_date=r.birth,
                bank_name=r.bank_name,
                bank_account=r.bank_account,
                managing_agency=agencies[r.agency_code],
            )
            for r in todo
        )
        ids = dict(
            Person.objects.filter(resident_id__in=[r.resident_id for r in todo]).values_list(
                "resident_id", "pk"
            )
        )
        pensions = Pension.objects.bulk_create(
            _pension(r, ids[r.resident_id], agencies[r.agency_code], today) for r in todo
        )
        by_person = {p.person_id: p for p in pensions}
        if any(p.pk is None for p in pensions):  # databases that do not return the ids
            by_person = {
                p.person_id: p for p in Pension.objects.filter(person_id__in=list(ids.values()))
            }
        PensionAward.objects.bulk_create(_award(r, by_person[ids[r.resident_id]]) for r in todo)
        PensionRate.objects.bulk_create(
            PensionRate(
                pension=by_person[ids[r.resident_id]],
                effective_period=by_person[ids[r.resident_id]].start_period,
                monthly_fen=r.monthly_fen,
                reason=RateReason.MIGRATED,
                source=AwardKind.MIGRATED,
            )
            for r in todo
        )
        audit_record(
            actor=system_actor("seed_demo"),
            action="pension.demo_migration",
            target_type="benefits",
            target_id="demo",
            after={
                "persons": len(persons),
                "pensions": len(todo),
                "monthly_fen": sum(r.monthly_fen for r in todo),
                "settled_through": SETTLED_THROUGH,
            },
        )
    return len(todo)


def _retirement_month(r: MigratedRetiree) -> int:
    years = 60 if r.sex == Sex.MALE else 50
    return (r.birth.year + years) * 100 + r.birth.month


def _pension(r: MigratedRetiree, person_id: int, agency: Agency, today: date) -> Pension:
    retirement_month = _retirement_month(r)
    return Pension(
        person_id=person_id,
        agency=agency,
        group=PensionGroup.MALE if r.sex == Sex.MALE else PensionGroup.FEMALE_50,
        retirement_month=retirement_month,
        start_period=period_add(retirement_month, 1),
        monthly_fen=r.monthly_fen,
        contribution_months=r.contribution_months,
        settled_through=SETTLED_THROUGH,
        bank_name=r.bank_name,
        bank_account=r.bank_account,
        certified_on=today - timedelta(days=r.certified_days_ago),
    )


def _award(r: MigratedRetiree, pension: Pension) -> PensionAward:
    """The parts as the city system held them: roughly half basic, a fifth account."""
    basic = r.monthly_fen * 45 // 100
    account = r.monthly_fen * 20 // 100
    retirement_month = _retirement_month(r)
    age = (retirement_month // 100 - r.birth.year) * 12
    return PensionAward(
        pension=pension,
        kind=AwardKind.MIGRATED,
        effective_period=pension.start_period,
        benefit_base_fen=734_000 if r.agency_code.startswith("4203") else 911_200,
        benefit_base_year=retirement_month // 100,
        average_index=r.index,
        contribution_months=r.contribution_months,
        deemed_months=r.deemed_months,
        account_balance_fen=account * 139,
        retirement_age_months=age,
        basic_fen=basic,
        account_fen=account,
        transitional_fen=r.monthly_fen - basic - account,
        total_fen=r.monthly_fen,
        calculation={
            "source": "demo:migrated",
            "note": "figures as the city system held them at migration",
            "settled_through": SETTLED_THROUGH,
        },
        created_by="system:seed_demo",
    )
