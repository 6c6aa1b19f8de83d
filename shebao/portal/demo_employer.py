"""Demo of the employer portal: what the demo agents find when they sign in. Called by
``shebao.portal.demo.seed_demo``; idempotent (a second run writes nothing).

孙丽, the parts maker's administrator, filed one staff addition online: a web case that waits
in 张湾区's workbench ("submitted online") until clerk_zhangwan accepts it and
reviewer_zhangwan approves it. The other pages (staff, bases, bills, certificates) show the
registry's, the collection's and the documents' demo records of the agent's employer."""

from __future__ import annotations

from django.utils import timezone

from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Channel
from shebao.core.periods import period_of
from shebao.portal.models import EmployerAgent
from shebao.portal.services import agent_actor
from shebao.registry.demo import demo_employer
from shebao.registry.services.relations import AdditionSpec, staff_addition_request
from shebao.services.models import Case

PARTS_MAKER = "湖北示例汽车零部件有限公司"
ADMIN_PHONE = "13907191003"  # 孙丽
NEW_HIRE = ("42030219980612341", "陈晓雨", "13807191188")  # ID without its check character


def seed_employer_portal() -> None:
    employer = demo_employer(PARTS_MAKER)
    admin = (
        EmployerAgent.objects.select_related("user")
        .filter(employer=employer, phone=ADMIN_PHONE)
        .first()
    )
    online = Case.objects.filter(
        applicant_employer=employer, item__code="SBRG005", channel=Channel.WEB
    )
    if admin is None or online.exists():
        return
    base_id, name, phone = NEW_HIRE
    staff_addition_request(
        actor=agent_actor(admin, Channel.WEB),
        employer=employer,
        specs=[
            AdditionSpec(
                resident_id=resident_id_with_check(base_id),
                name=name,
                start_period=period_of(timezone.localdate()),
                phone=phone,
            )
        ],
        channel=Channel.WEB,
    )
