"""Unemployment benefit (rules.md §6): eligibility, the maximum months at the year boundaries,
carry-over capped at 24, the amount from the parameters, the claim case with maker-checker, the
benefit it opens, and the stops (clerk, re-employment, pension)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from shebao.benefits.models import (
    Benefit,
    BenefitStatus,
    LineKind,
    LineStatus,
    PayrollLine,
    UnemploymentClaim,
)
from shebao.benefits.services.benefits import Payee, benefit_open
from shebao.benefits.services.unemployment import (
    UnemploymentRequest,
    unemployment_assess,
    unemployment_claim_request,
)
from shebao.benefits.services.unemployment_stops import (
    reemployment_check_person,
    reemployment_stops,
    unemployment_stop_on_pension,
    unemployment_stop_request,
)
from shebao.contributions.models import HistoricalContribution
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.errors import RuleViolation
from shebao.core.models import BatchRun, Staff
from shebao.core.periods import period_add, period_range
from shebao.core.services import claim_grant
from shebao.registry.models import InsuredRelation, RelationStatus
from shebao.services.models import CaseStatus
from shebao.services.services import case_transition

pytestmark = pytest.mark.django_db

REGISTERED = date(2026, 9, 10)
SEPARATED = date(2026, 8, 31)


@pytest.fixture
def maojian(agency):
    return agency("420302")


@pytest.fixture
def employer(maojian):
    return employer_make(maojian)


def claimant(maojian, employer, months: int, *, last: int = 202608):
    """A person with ``months`` unemployment months on file ending in ``last`` and a bank
    account; insured with ``employer`` since 2010."""
    person = person_make(maojian)
    person.bank_name, person.bank_account = "中国银行", "6216600100012345678"
    person.save(update_fields=["bank_name", "bank_account"])
    relations_make(person, employer, agency=maojian, start=201001, schemes=["unemployment"])
    if months:
        HistoricalContribution.objects.bulk_create(
            HistoricalContribution(
                person_id=person.pk,
                scheme="unemployment",
                period=period,
                base_fen=500_000,
                source="tests",
            )
            for period in period_range(period_add(last, 1 - months), last)
        )
    return person


def involuntary(employer, **fields):
    values = {
        "separated_on": SEPARATED,
        "separation_reason": "dismissal",
        "registered_on": REGISTERED,
        "employer_id": employer.pk,
    }
    return UnemploymentRequest(**(values | fields))


def assess(person, request):
    return unemployment_assess(person=person, request=request, today=date(2026, 11, 28))


@pytest.mark.parametrize(
    ("months", "max_months"),
    [(12, 12), (59, 12), (60, 18), (119, 18), (120, 24)],
)
def test_maximum_months_by_contribution_years(maojian, employer, months, max_months):
    person = claimant(maojian, employer, months)
    figures = assess(person, involuntary(employer)).figures
    assert (figures.contribution_months, figures.max_months) == (months, max_months)
    # paid from the registration month 2026-09 for max_months months
    assert (figures.start_period, figures.end_period) == (
        202609,
        period_add(202609, max_months - 1),
    )


def test_eleven_months_are_refused(maojian, employer):
    person = claimant(maojian, employer, 11)
    with pytest.raises(RuleViolation) as refused:
        assess(person, involuntary(employer))
    assert refused.value.code == "UNE-CLAIM-SHORT"
    assert refused.value.params == {"have": 11, "minimum": 12}


def test_the_amount_is_the_ratio_of_the_districts_minimum_wage(maojian, employer):
    # 茅箭区 minimum wage 2,130.00 × 0.90 (parameters/420000/unemployment.yaml) = 1,917.00
    person = claimant(maojian, employer, 30)
    figures = assess(person, involuntary(employer)).figures
    assert figures.monthly_fen == 191_700
    assert (figures.medical_fen, figures.medical_open) == (0, True)


def test_a_county_pays_from_the_citys_minimum_wage(agency):
    zone = agency("420300-01")  # the development zone has no county code: Shiyan's 1,970.00
    employer = employer_make(zone)
    person = claimant(zone, employer, 30)
    assert assess(person, involuntary(employer)).figures.monthly_fen == 177_300


def test_an_unpublished_minimum_wage_is_refused(maojian, employer):
    # The minimum wage before 2025-12-01 is null in the parameters: no amount is invented.
    person = claimant(maojian, employer, 30, last=202510)
    request = involuntary(
        employer, separated_on=date(2025, 10, 31), registered_on=date(2025, 11, 5)
    )
    with pytest.raises(RuleViolation) as refused:
        assess(person, request)
    assert refused.value.code == "PARAM-VALUE-UNPUBLISHED"


def test_voluntary_resignation_is_refused(maojian, employer):
    person = claimant(maojian, employer, 60)
    with pytest.raises(RuleViolation) as refused:
        assess(person, involuntary(employer, separation_reason="resignation"))
    assert refused.value.code == "UNE-ELIG-INVOLUNTARY"


def test_registration_before_the_end_of_work_is_refused(maojian, employer):
    person = claimant(maojian, employer, 60)
    with pytest.raises(RuleViolation) as refused:
        assess(person, involuntary(employer, registered_on=date(2026, 8, 1)))
    assert refused.value.code == "UNE-CLAIM-DATES"


def test_a_month_paid_and_on_file_counts_once(maojian, employer, system):
    from shebao.contributions.models import AssessmentLine

    person = claimant(maojian, employer, 12)  # 2025-09 … 2026-08 on file
    relation = InsuredRelation.objects.get(person=person)
    run = BatchRun.objects.create(kind="assessment_test", period=202608, agency=maojian)
    for period in (202607, 202608):  # also on file
        AssessmentLine.objects.create(
            run=run,
            period=period,
            relation=relation,
            person=person,
            employer=employer,
            agency=maojian,
            scheme="unemployment",
            kind="employee",
            base_source="declared",
            base_fen=500_000,
            employer_fen=3_500,
            individual_fen=1_500,
            account_credit_fen=0,
            paid_on=date(2026, 9, 1),
        )
    figures = assess(person, involuntary(employer)).figures
    assert (figures.contribution_months, figures.from_assessment, figures.from_history) == (
        12,
        2,
        10,
    )


def earlier_benefit(person, maojian, system, *, start, max_months, paid):
    """An earlier claim (stopped on re-employment) with ``paid`` months the bank kept."""
    from django.db import transaction

    with transaction.atomic():
        benefit = benefit_open(
            actor=system,
            person=person,
            scheme="unemployment",
            kind="unemployment",
            payee=Payee.of(person),
            agency=maojian,
            start_period=start,
            end_period=period_add(start, max_months - 1),
            monthly_fen=150_000,
        )
    UnemploymentClaim.objects.create(
        person=person,
        agency=maojian,
        separated_on=date(start // 100, start % 100, 1),
        separation_reason="dismissal",
        registered_on=date(start // 100, start % 100, 1),
        contribution_months=60,
        entitled_months=max_months,
        max_months=max_months,
        monthly_fen=150_000,
        benefit=benefit,
    )
    run = BatchRun.objects.create(kind="pension_payroll", period=start, agency=maojian)
    for offset in range(paid):
        PayrollLine.objects.create(
            run=run,
            benefit=benefit,
            person=person,
            agency=maojian,
            period=period_add(start, offset),
            kind=LineKind.REGULAR,
            amount_fen=150_000,
            bank_name="b",
            bank_account="1",
            status=LineStatus.PAID,
        )
    # one month returned by the bank: not paid
    PayrollLine.objects.create(
        run=run,
        benefit=benefit,
        person=person,
        agency=maojian,
        period=period_add(start, paid),
        kind=LineKind.REGULAR,
        amount_fen=150_000,
        bank_name="b",
        bank_account="1",
        status=LineStatus.FAILED,
    )
    Benefit.objects.filter(pk=benefit.pk).update(
        status=BenefitStatus.STOPPED, stop_period=period_add(start, paid - 1)
    )
    return benefit


def test_unused_months_of_the_earlier_claim_are_added(maojian, employer, system):
    # earlier claim of 2022-01: 18 months, 10 paid → 8 unused; new work since 2023-11, 24
    # months counted anew (the months before the earlier registration are not counted again)
    person = claimant(maojian, employer, 24)
    HistoricalContribution.objects.bulk_create(
        HistoricalContribution(
            person_id=person.pk, scheme="unemployment", period=p, base_fen=1, source="tests"
        )
        for p in period_range(201501, 202112)
    )
    earlier_benefit(person, maojian, system, start=202201, max_months=18, paid=10)
    figures = assess(person, involuntary(employer)).figures
    assert (figures.contribution_months, figures.counted_from) == (24, 202202)
    assert (figures.entitled_months, figures.carried_months, figures.max_months) == (12, 8, 20)


def test_carry_over_is_capped_at_24_months(maojian, employer, system):
    # 10 years anew → 24; 20 unused of an earlier 24-month claim; together at most 24
    person = claimant(maojian, employer, 120)
    earlier_benefit(person, maojian, system, start=200901, max_months=24, paid=4)
    figures = assess(person, involuntary(employer)).figures
    assert (figures.entitled_months, figures.carried_months, figures.max_months) == (24, 20, 24)


# --- the case ---------------------------------------------------------------------------------


def open_claim(actor_of, person, employer, **fields):
    return unemployment_claim_request(
        actor=actor_of("clerk_maojian"),
        person=person,
        request=involuntary(employer, **fields),
        today=date(2026, 11, 28),
    )


def approve(actor_of, case):
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    return case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")


def test_approval_opens_the_benefit_and_ends_the_relation(actor_of, maojian, employer):
    # the clerk may also review, but not a case she prepared herself
    claim_grant(
        actor=actor_of("head_maojian"),
        staff=Staff.objects.get(user__username="clerk_maojian"),
        role_code="reviewer",
        item_scope="*",
    )
    person = claimant(maojian, employer, 60)
    case = open_claim(actor_of, person, employer, bank_name="中国农业银行", bank_account="62284")
    assert case.data["figures"]["max_months"] == 18
    assert not Benefit.objects.filter(person=person).exists()
    case = case_transition(actor=actor_of("clerk_maojian"), case=case, action="send_for_review")
    with pytest.raises(RuleViolation) as refused:  # the maker may not check
        case_transition(actor=actor_of("clerk_maojian"), case=case, action="approve")
    assert refused.value.code == "CASE-MAKER-CHECKER"
    assert not Benefit.objects.filter(person=person).exists()
    case = case_transition(actor=actor_of("reviewer_maojian"), case=case, action="approve")
    assert case.status == CaseStatus.APPROVED

    [benefit] = Benefit.objects.filter(person=person)
    # 18 months from the registration month 2026-09: the last month is 2028-02
    assert (benefit.scheme, benefit.kind, benefit.start_period, benefit.end_period) == (
        "unemployment",
        "unemployment",
        202609,
        202802,
    )
    assert (benefit.monthly_fen, benefit.medical_fen, benefit.status) == (191_700, 0, "active")
    assert (benefit.payee_name, benefit.bank_name, benefit.bank_account) == (
        person.name,
        "中国农业银行",
        "62284",
    )
    assert benefit.case_id == case.pk
    claim = UnemploymentClaim.objects.get(person=person)
    assert (claim.benefit_id, claim.max_months, claim.contribution_months) == (benefit.pk, 18, 60)
    assert (claim.registered_on, claim.separation_reason) == (REGISTERED, "dismissal")
    relation = InsuredRelation.objects.get(person=person)
    assert (relation.status, relation.end_period, relation.end_reason) == (
        RelationStatus.ENDED,
        202608,
        "dismissal",
    )


def test_a_second_claim_is_refused_while_one_is_open_or_running(actor_of, maojian, employer):
    person = claimant(maojian, employer, 60)
    case = open_claim(actor_of, person, employer)
    with pytest.raises(RuleViolation) as refused:
        open_claim(actor_of, person, employer)
    assert refused.value.code == "UNE-CLAIM-OPEN"
    approve(actor_of, case)
    with pytest.raises(RuleViolation) as refused:
        open_claim(actor_of, person, employer)
    assert refused.value.code == "UNE-CLAIM-RUNNING"


def test_a_claimant_of_another_district_is_out_of_scope(actor_of, agency):
    zhangwan = agency("420303")
    employer = employer_make(zhangwan)
    person = claimant(zhangwan, employer, 60)
    with pytest.raises(RuleViolation) as refused:
        open_claim(actor_of, person, employer)
    assert refused.value.code == "CORE-SCOPE"


# --- stops ------------------------------------------------------------------------------------


@pytest.fixture
def running(actor_of, maojian, employer):
    """An 18-month benefit from 2026-09 (through 2028-02)."""
    person = claimant(maojian, employer, 60)
    approve(actor_of, open_claim(actor_of, person, employer))
    return Benefit.objects.get(person=person)


def test_a_clerk_stop_is_reviewed(actor_of, running):
    case = unemployment_stop_request(
        actor=actor_of("clerk_maojian"), benefit=running, reason="enlistment", last_period=202611
    )
    running.refresh_from_db()
    assert running.status == BenefitStatus.ACTIVE
    with pytest.raises(RuleViolation) as refused:
        unemployment_stop_request(
            actor=actor_of("clerk_maojian"), benefit=running, reason="other", last_period=202611
        )
    assert refused.value.code == "UNE-STOP-OPEN"
    approve(actor_of, case)
    running.refresh_from_db()
    assert (running.status, running.stop_reason, running.stop_period) == (
        BenefitStatus.STOPPED,
        "enlistment",
        202611,
    )


def test_a_stop_after_the_last_month_is_refused(actor_of, running):
    with pytest.raises(RuleViolation) as refused:
        unemployment_stop_request(
            actor=actor_of("clerk_maojian"), benefit=running, reason="other", last_period=202803
        )
    assert refused.value.code == "UNE-STOP-PERIOD"


def test_a_new_relation_after_registration_stops_the_benefit(running, system, maojian):
    other = employer_make(maojian)
    new = relations_make(running.person, other, agency=maojian, start=202612, schemes=["pension"])
    assert reemployment_stops(actor=system, through_period=202611) == []
    [stopped] = reemployment_stops(actor=system)
    assert stopped.pk == running.pk
    assert (stopped.status, stopped.stop_reason, stopped.stop_period) == (
        BenefitStatus.STOPPED,
        "reemployment",
        202611,
    )
    from shebao.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="unemployment.stop_reemployment").latest("pk")
    assert entry.after is not None
    assert entry.after["relation"] == new[0].pk
    assert reemployment_stops(actor=system) == []  # a second pass changes nothing


def test_a_relation_that_started_before_registration_does_not_stop_it(running, system, maojian):
    other = employer_make(maojian)
    relations_make(running.person, other, agency=maojian, start=202609, schemes=["work_injury"])
    relations_make(running.person, other, agency=maojian, start=202405, end=202412)
    assert reemployment_check_person(actor=system, person=running.person) == []
    running.refresh_from_db()
    assert running.status == BenefitStatus.ACTIVE


def test_the_command_stops_within_its_agency(running, agency, maojian):
    relations_make(running.person, employer_make(maojian), agency=maojian, start=202701)
    call_command("detect_reemployment", agency="420303")
    running.refresh_from_db()
    assert running.status == BenefitStatus.ACTIVE
    call_command("detect_reemployment", agency="420300")
    running.refresh_from_db()
    assert (running.status, running.stop_period) == (BenefitStatus.STOPPED, 202612)


def test_a_pension_stops_the_benefit_in_the_retirement_month(running, system):
    from django.db import transaction

    with transaction.atomic():
        [stopped] = unemployment_stop_on_pension(
            actor=system, person=running.person, retirement_month=202703
        )
    assert (stopped.status, stopped.stop_reason, stopped.stop_period) == (
        BenefitStatus.STOPPED,
        "pension",
        202703,
    )


def test_a_retirement_approval_stops_the_benefit_in_the_retirement_month(actor_of, maojian):
    from django.db import transaction

    from shebao.benefits.services.retirement import RetirementRequest, retirement_request
    from shebao.benefits.tests.retirement_factories import (
        balance_make,
        history_make,
        retiree_make,
    )

    # a man born 1965-01 retires in 2025-02 (60y1m) while drawing unemployment benefit
    person = retiree_make(maojian, birth=date(1965, 1, 20))
    relations_make(person, employer_make(maojian), agency=maojian, start=202401)
    history_make(person, 202401, 202412, 694_800)
    history_make(person, 202501, 202502, 722_600)
    balance_make(person, 12_000_000, 2024, 12)
    with transaction.atomic():
        benefit = benefit_open(
            actor=actor_of("reviewer_maojian"),
            person=person,
            scheme="unemployment",
            kind="unemployment",
            payee=Payee.of(person),
            agency=maojian,
            start_period=202412,
            end_period=202611,
            monthly_fen=150_000,
        )
    case = retirement_request(
        actor=actor_of("clerk_maojian"),
        person=person,
        request=RetirementRequest(group="male", deemed_months=170),
    )
    approve(actor_of, case)
    benefit.refresh_from_db()
    assert (benefit.status, benefit.stop_reason, benefit.stop_period) == (
        BenefitStatus.STOPPED,
        "pension",
        202502,
    )


def test_a_claim_case_made_elsewhere_is_refused_on_approval(actor_of, maojian, employer):
    from shebao.services.models import ServiceItem
    from shebao.services.services import case_create

    person = claimant(maojian, employer, 60)
    case = case_create(
        actor=actor_of("clerk_maojian"),
        item=ServiceItem.objects.get(code="SBBN011"),
        channel="counter",
        person=person,
        data={},
        accept_now=True,
    )
    with pytest.raises(RuleViolation) as refused:
        approve(actor_of, case)
    assert refused.value.code == "UNE-CLAIM-NOT-PREPARED"
    assert not Benefit.objects.filter(person=person).exists()
