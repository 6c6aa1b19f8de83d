"""The unemployment demo: one claim in reviewer_maojian's queue, one running from 2026-09 that
the payroll pays, one stopped on re-employment; seeding again changes nothing."""

from __future__ import annotations

from shebao.benefits import demo_unemployment
from shebao.benefits.models import Benefit, BenefitStatus, LineStatus, PayrollLine
from shebao.benefits.services.payroll import payroll_run_create, payroll_run_execute
from shebao.core.actors import staff_actor
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.registry.models import Person
from shebao.services.models import Case, CaseStatus


def person(index: int) -> Person:
    claimant = demo_unemployment.DEMO_CLAIMANTS[index]
    return Person.objects.get(resident_id=resident_id_with_check(claimant.resident_body))


def paid_months(benefit: Benefit) -> list[int]:
    lines = PayrollLine.objects.filter(benefit_id=benefit.pk).exclude(status=LineStatus.FAILED)
    return sorted(lines.values_list("period", flat=True))


def test_the_demo_claims_and_the_payroll_that_pays_them(demo):
    demo_unemployment.seed_claimants()
    waiting = person(0)
    [case] = Case.objects.filter(applicant_person=waiting, item__code="SBBN011")
    assert case.status == CaseStatus.IN_REVIEW
    figures = case.data["figures"]
    assert (figures["contribution_months"], figures["max_months"]) == (74, 18)
    assert not Benefit.objects.filter(person=waiting).exists()

    running = Benefit.objects.get(person=person(1))
    assert (running.status, running.start_period, running.end_period, running.monthly_fen) == (
        BenefitStatus.ACTIVE,
        202609,
        202802,
        191_700,
    )
    stopped = Benefit.objects.get(person=person(2))
    assert (stopped.status, stopped.stop_reason, stopped.stop_period) == (
        BenefitStatus.STOPPED,
        "reemployment",
        202609,
    )

    counts = (Case.objects.count(), Benefit.objects.count())
    demo_unemployment.seed_claimants()
    assert (Case.objects.count(), Benefit.objects.count()) == counts

    # November's payroll pays each month due that has no line yet: the running benefit from
    # its first month, the stopped one through the month before the new job.
    fund = staff_actor("fund_shiyan")
    run = payroll_run_create(actor=fund, period=202611, agency=Agency.objects.get(code="420302"))
    payroll_run_execute(run, actor=fund)
    assert paid_months(running) == [202609, 202610, 202611]
    assert paid_months(stopped) == [202607, 202608, 202609]
