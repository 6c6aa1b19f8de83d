"""Demo data of the services app: the catalogue, and cases in every state a newcomer should
see — one overdue on clerk_maojian's desk, one returned, one done, and one in Wuhan that
Maojian's staff cannot see. Staff additions are the registry's demo (automated items)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shebao.core.actors import staff_actor, system_actor
from shebao.registry.demo import demo_employer, demo_person
from shebao.services.catalogue import catalogue_load
from shebao.services.models import Case, ServiceItem
from shebao.services.services import case_create, case_transition

# (demo key, clerk, item name starts with, applicant name, actions after acceptance, reason)
DEMO_CASES = [
    ("certificate-wangfang", "clerk_maojian", "个人权益记录查询打印", "王芳", ["complete"], ""),
    ("unemployment-chen", "clerk_maojian", "失业保险金申领", "陈建国", [], ""),
    ("retirement-chen", "clerk_maojian", "职工正常退休申请", "陈建国", ["return"], "缺少职工档案"),
    ("unemployment-liuyang", "clerk_wuhan", "失业保险金申领", "刘洋", ["send_for_review"], ""),
]  # fmt: skip
OVERDUE_DEMO_KEY = "unemployment-chen"


def seed_demo() -> None:
    catalogue_load(actor=system_actor("seed_demo"))
    for key, clerk, item_prefix, applicant, actions, reason in DEMO_CASES:
        if Case.objects.filter(data__demo=key).exists():
            continue
        item = ServiceItem.objects.filter(name__startswith=item_prefix).order_by("code").first()
        if item is None:
            continue
        actor = staff_actor(clerk)
        is_employer = applicant.endswith("公司")
        person = None if is_employer else demo_person(applicant)
        employer = demo_employer(applicant) if is_employer else None
        case = case_create(
            actor=actor,
            item=item,
            channel="counter",
            person=person,
            employer=employer,
            data={"demo": key},
            accept_now=True,
        )
        for action in actions:
            case = case_transition(actor=actor, case=case, action=action, reason=reason)
        if key == OVERDUE_DEMO_KEY:
            # Demo only: pretend it was accepted long ago so the overdue flag shows.
            Case.objects.filter(pk=case.pk).update(
                accepted_at=timezone.now() - timedelta(days=40),
                due_date=timezone.localdate() - timedelta(days=10),
            )
