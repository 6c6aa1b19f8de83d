"""The work-injury demo: a level-3 case approved whose allowance the demo payrolls pay from
202609 with a medical claim, and 张伟's level-5 case at the demo supermarket waiting for
reviewer_maojian; a second seeding adds nothing."""

from __future__ import annotations

import pytest

from shebao.benefits.demo_work_injury import DEMO_INJURIES, seed_demo
from shebao.benefits.models import Benefit, Injury, MedicalClaim, PayrollLine
from shebao.core.actors import staff_actor
from shebao.services.models import Case, CaseStatus
from shebao.services.selectors import review_queue

pytestmark = pytest.mark.django_db


def test_demo_injuries_their_benefits_and_the_waiting_case(demo):
    level3 = Injury.objects.get(decision_no=DEMO_INJURIES[0].decision_no)
    level5 = Injury.objects.get(decision_no=DEMO_INJURIES[1].decision_no)
    assert (level3.employer.name, level3.agency.code) == ("十堰顺达物流有限公司", "420302")
    assert (level5.person.name, level5.employer.name) == ("张伟", "十堰市示范超市有限公司")
    # 5,200.00 a month before the injury: 23 months and 80 %
    benefits = {b.kind: b for b in Benefit.objects.filter(source=f"injury:{level3.pk}")}
    assert (
        benefits["disability_lump_sum"].monthly_fen,
        benefits["disability_lump_sum"].start_period,
    ) == (
        11_960_000,
        202609,
    )
    allowance = benefits["disability_allowance"]
    assert (allowance.monthly_fen, allowance.start_period, allowance.payer) == (
        416_000,
        202609,
        "fund",
    )
    paid = PayrollLine.objects.filter(benefit=allowance).values_list("period", flat=True)
    assert sorted(paid) == [202609, 202610]
    claim = MedicalClaim.objects.get(injury=level3)
    assert (claim.claimed_fen, claim.allowed_fen) == (2_730_670, 2_210_670)

    waiting = Case.objects.get(item__code="SBBN032", data__injury_id=level5.pk)
    assert waiting.status == CaseStatus.IN_REVIEW
    assert waiting in review_queue(staff_actor("reviewer_maojian"))
    figures = waiting.data["figures"]
    assert (figures["level"], figures["dependence"], figures["allowance_payer"]) == (
        5,
        "partial",
        "employer",
    )
    # 张伟's one month before the injury, 4,299.00, clamped up to 4,335.60: 18 months, 70 %
    # from the employer, nursing 30 % of 7,226.00, from 202612
    assert level5.own_wage_fen == 433_560
    assert (figures["lump_sum_fen"], figures["allowance_fen"], figures["nursing_fen"]) == (
        7_804_080,
        303_492,
        216_780,
    )
    assert figures["start_period"] == 202612
    assert not Benefit.objects.filter(source=f"injury:{level5.pk}").exists()


def test_seeding_again_adds_nothing(demo):
    before = (Injury.objects.count(), Benefit.objects.count(), Case.objects.count())
    seed_demo()
    assert (Injury.objects.count(), Benefit.objects.count(), Case.objects.count()) == before
