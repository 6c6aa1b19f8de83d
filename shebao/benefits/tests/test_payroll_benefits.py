"""The monthly payroll pays the benefits other than the pension: every fund-paid month due
that has no line the bank kept, one-time payments once, the unemployment claimant's medical
contribution with each month, and the payee (not the insured person) in the bank file."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from shebao.benefits.bankfiles import return_file_bytes
from shebao.benefits.models import (
    BenefitKind,
    BenefitPayer,
    BenefitStatus,
    LineKind,
    MedicalContribution,
    PayrollLine,
)
from shebao.benefits.services.benefits import (
    Payee,
    benefit_bank_account_change,
    benefit_open,
    benefit_stop,
)
from shebao.benefits.services.payroll import (
    payroll_file_bytes,
    payroll_return_import,
    payroll_run_create,
    payroll_run_execute,
)
from shebao.contributions.tests.factories import person_make

SPOUSE = Payee("李秀英", "420302196805120028", "spouse", "中国农业银行", "6228480000000000017")


@pytest.fixture
def maojian(agency):
    return agency("420302")


def person_with_bank(maojian):
    person = person_make(maojian, birth=date(1980, 3, 1))
    person.bank_name, person.bank_account = "中国建设银行", "6217000000000000011"
    person.save(update_fields=["bank_name", "bank_account"])
    return person


def opened(system, maojian, **fields):
    person = fields.pop("person", None) or person_with_bank(maojian)
    defaults: dict[str, Any] = {
        "scheme": "unemployment",
        "kind": BenefitKind.UNEMPLOYMENT,
        "payee": Payee.of(person),
        "start_period": 202609,
        "monthly_fen": 191_700,
    }
    with transaction.atomic():
        return benefit_open(actor=system, person=person, agency=maojian, **(defaults | fields))


def pay(system, maojian, period):
    return payroll_run_execute(
        payroll_run_create(actor=system, period=period, agency=maojian), actor=system
    )


def benefit_lines(run, benefit):
    return sorted(
        (line.period, line.kind, line.amount_fen)
        for line in PayrollLine.objects.filter(run_id=run.pk, benefit_id=benefit.pk)
    )


def test_every_month_due_is_paid_once_with_its_medical_contribution(system, maojian):
    benefit = opened(system, maojian, end_period=202708, medical_fen=9_600)
    november = pay(system, maojian, 202611)
    assert benefit_lines(november, benefit) == [
        (202609, LineKind.REGULAR, 191_700),
        (202610, LineKind.REGULAR, 191_700),
        (202611, LineKind.REGULAR, 191_700),
    ]
    assert sorted(
        MedicalContribution.objects.filter(benefit=benefit).values_list("period", "amount_fen")
    ) == [(202609, 9_600), (202610, 9_600), (202611, 9_600)]
    # The run's totals are its benefit lines (the demo's benefits are paid in it too).
    paid = PayrollLine.objects.filter(run_id=november.pk, benefit__isnull=False)
    assert november.totals["benefit_lines"] == paid.count()
    assert november.totals["benefit_fen"] == sum(line.amount_fen for line in paid)
    assert november.totals["medical_fen"] == sum(
        MedicalContribution.objects.filter(run=november).values_list("amount_fen", flat=True)
    )
    december = pay(system, maojian, 202612)
    assert benefit_lines(december, benefit) == [(202612, LineKind.REGULAR, 191_700)]


def test_a_one_time_payment_is_paid_once_to_its_payee(system, maojian):
    person = person_with_bank(maojian)
    grant = opened(
        system,
        maojian,
        person=person,
        scheme="pension",
        kind=BenefitKind.FUNERAL_GRANT,
        payee=SPOUSE,
        start_period=202611,
        monthly_fen=563_700,
    )
    november = pay(system, maojian, 202611)
    [line] = PayrollLine.objects.filter(run_id=november.pk, benefit_id=grant.pk)
    assert (line.amount_fen, line.bank_account) == (563_700, SPOUSE.bank_account)
    assert line.file is not None
    content = payroll_file_bytes(line.file).decode()
    row = next(r for r in content.splitlines() if r.startswith(f"{line.pk},"))
    # The payee, not the deceased.
    assert "李秀英" in row
    assert SPOUSE.resident_id in row
    assert person.name not in row
    assert benefit_lines(pay(system, maojian, 202612), grant) == []


def test_employer_paid_suspended_and_stopped_benefits(system, maojian):
    employer_paid = opened(
        system, maojian, scheme="work_injury", kind=BenefitKind.DISABILITY_ALLOWANCE,
        payer=BenefitPayer.EMPLOYER,
    )  # fmt: skip
    stopped = opened(system, maojian)
    with transaction.atomic():
        benefit_stop(actor=system, benefit=stopped, last_period=202610, reason="reemployment")
    run = pay(system, maojian, 202611)
    assert benefit_lines(run, employer_paid) == []
    assert [p for p, _k, _a in benefit_lines(run, stopped)] == [202609, 202610]


def test_a_returned_payment_waits_for_the_corrected_account_then_is_paid_again(
    system, maojian, actor_of
):
    benefit = opened(system, maojian, start_period=202611)
    november = pay(system, maojian, 202611)
    [line] = PayrollLine.objects.filter(run_id=november.pk, benefit_id=benefit.pk)
    payroll_return_import(
        actor=system,
        run=november,
        file_name="return.csv",
        content=return_file_bytes([(line.pk, "F", "账户已销户")]),
    )
    benefit.refresh_from_db()
    assert (benefit.status, benefit.stop_reason) == (BenefitStatus.SUSPENDED, "bank")
    assert benefit_lines(pay(system, maojian, 202612), benefit) == []

    benefit_bank_account_change(
        actor=actor_of("clerk_maojian"),
        benefit=benefit,
        bank_name="中国银行",
        bank_account="6216600000000000019",
    )
    january = pay(system, maojian, 202701)
    assert benefit_lines(january, benefit) == [
        (202611, LineKind.BACK_PAY, 191_700),
        (202612, LineKind.REGULAR, 191_700),
        (202701, LineKind.REGULAR, 191_700),
    ]


def test_the_payroll_stops_a_claimant_who_took_a_new_job_before_paying(system, maojian):
    from shebao.registry.models import Employer, InsuredRelation, RelationKind

    benefit = opened(system, maojian, end_period=202708)
    InsuredRelation.objects.create(
        person=benefit.person,
        scheme="pension",
        employer=Employer.objects.filter(managing_agency=maojian).first(),
        kind=RelationKind.EMPLOYEE,
        start_period=202611,
        start_reason="new_hire",
        agency=maojian,
    )
    run = pay(system, maojian, 202611)
    benefit.refresh_from_db()
    assert (benefit.status, benefit.stop_reason, benefit.stop_period) == (
        BenefitStatus.STOPPED,
        "reemployment",
        202610,
    )
    assert [p for p, _k, _a in benefit_lines(run, benefit)] == [202609, 202610]
