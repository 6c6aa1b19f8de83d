"""Home visits: a case of SBCT014 from the request to the visit, audited at each step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shebao.core.actors import Actor
from shebao.core.audit import AuditEntry
from shebao.core.errors import RuleViolation
from shebao.core.models import User
from shebao.hall.models import HomeVisit, VisitStatus
from shebao.hall.services import (
    home_visit_cancel,
    home_visit_record,
    home_visit_request,
    home_visit_schedule,
)
from shebao.registry.demo import demo_person
from shebao.services.models import CaseStatus

pytestmark = pytest.mark.django_db


def request_for_zhang(actor: Actor) -> HomeVisit:
    return home_visit_request(
        actor=actor,
        person=demo_person("张伟"),
        address="十堰市茅箭区人民北路 1 号",
        phone="13907190001",
        reason="bedridden",
        needed_items=["SBQL001"],
        channel="counter",
    )


def test_request_schedule_and_record(actor_of):
    clerk = actor_of("clerk_maojian")
    visit = request_for_zhang(clerk)
    assert (visit.case.item.code, visit.case.channel, visit.status) == (
        "SBCT014",
        "counter",
        VisitStatus.REQUESTED,
    )
    with pytest.raises(RuleViolation) as early:
        home_visit_record(actor=clerk, visit=visit, outcome="已办理")
    assert early.value.code == "HALL-VISIT-STATE"
    when = timezone.now() + timedelta(days=2)
    staff = User.objects.get(username="clerk_maojian")
    scheduled = home_visit_schedule(actor=clerk, visit=visit, when=when, staff=staff)
    assert (scheduled.status, scheduled.assigned_to) == (VisitStatus.SCHEDULED, staff)
    recorded = home_visit_record(actor=clerk, visit=scheduled, outcome="上门完成资格认证")
    recorded.case.refresh_from_db()
    assert recorded.status == VisitStatus.VISITED
    assert recorded.case.status == CaseStatus.DONE
    actions = set(
        AuditEntry.objects.filter(target_id=str(visit.pk)).values_list("action", flat=True)
    )
    assert {"hall.visit_request", "hall.visit_schedule", "hall.visit_record"} <= actions


def test_a_visit_in_the_past_or_by_staff_elsewhere_is_refused(actor_of):
    clerk = actor_of("clerk_maojian")
    visit = request_for_zhang(clerk)
    with pytest.raises(RuleViolation) as past:
        home_visit_schedule(
            actor=clerk,
            visit=visit,
            when=timezone.now() - timedelta(hours=1),
            staff=User.objects.get(username="clerk_maojian"),
        )
    assert past.value.code == "HALL-VISIT-DATE"
    with pytest.raises(RuleViolation) as elsewhere:
        home_visit_schedule(
            actor=clerk,
            visit=visit,
            when=timezone.now() + timedelta(days=1),
            staff=User.objects.get(username="clerk_wuhan"),
        )
    assert elsewhere.value.code == "HALL-VISIT-STAFF"
    assert HomeVisit.objects.get(pk=visit.pk).status == VisitStatus.REQUESTED


def test_cancelling_withdraws_the_case(actor_of):
    clerk = actor_of("clerk_maojian")
    visit = request_for_zhang(clerk)
    cancelled = home_visit_cancel(actor=clerk, visit=visit, reason="已到大厅办理")
    cancelled.case.refresh_from_db()
    assert cancelled.status == VisitStatus.CANCELLED
    assert cancelled.case.status == CaseStatus.WITHDRAWN
