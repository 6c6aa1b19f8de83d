"""The collection demo a newcomer sees after `make run` (here without the bulk register)."""

from __future__ import annotations

import pytest

from shebao.contributions.models import AccountPosting, Bill, ContributionBase, Refund
from shebao.core.models import BatchRun, BatchStatus
from shebao.registry.demo import demo_employer, demo_person
from shebao.services.models import Case, CaseStatus

pytestmark = [pytest.mark.django_db, pytest.mark.keep_demo]


def test_the_demo_has_assessed_paid_and_pending_collection_work(demo):
    runs = BatchRun.objects.filter(kind="monthly_assessment")
    assert set(runs.values_list("period", "status")) == {
        (202609, BatchStatus.DONE),
        (202610, BatchStatus.DONE),
    }
    supermarket = demo_employer("十堰市示范超市有限公司")
    september = Bill.objects.get(employer=supermarket, period=202609)
    assert september.payment_status == "overpaid"
    assert Bill.objects.get(employer=supermarket, period=202610).payment_status == "unpaid"
    assert AccountPosting.objects.filter(person=demo_person("张伟")).exists()
    base = ContributionBase.objects.get(person=demo_person("张伟"), scheme="pension", year=2026)
    assert (base.base_fen, base.clamp) == (429900, "floor")  # declared 3,800.00
    waiting = Case.objects.filter(status=CaseStatus.IN_REVIEW, item__code__startswith="SBCL")
    assert set(waiting.values_list("item__code", flat=True)) == {"SBCL002", "SBCL004", "SBCL006"}
    assert Refund.objects.get(employer=supermarket).amount_fen == 10000
