"""Cases opened online by a portal or kiosk user: only for their own record, never accepted on
the spot, and only the applicant's own actions (withdraw, resubmit)."""

from __future__ import annotations

import pytest

from shebao.core.actors import Actor, Principal, PrincipalKind
from shebao.core.errors import RuleViolation
from shebao.core.models import AuditEntry, Channel, User
from shebao.core.permissions import OutOfScope, PermissionRefused, acts_for
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_create, case_done_on_the_spot, case_transition
from shebao.services.tests.factories import employer, make_item, person


@pytest.fixture
def review_item(demo):
    return make_item("TST101", review=True)


@pytest.fixture
def quick_item(demo):
    return make_item("TST102", review=False, limit=0)


def citizen_of(name: str, channel: str = Channel.WEB) -> Actor:
    record = person(name)
    user, _created = User.objects.get_or_create(username=f"citizen-test-{record.pk}")
    return Actor(
        user=user,
        channel=channel,
        principal=Principal(PrincipalKind.CITIZEN, person_id=record.pk),
    )


def agent_of(name: str) -> Actor:
    record = employer(name)
    user, _created = User.objects.get_or_create(username=f"agent-test-{record.pk}")
    return Actor(
        user=user,
        channel=Channel.WEB,
        principal=Principal(PrincipalKind.EMPLOYER_AGENT, employer_id=record.pk),
    )


def test_a_citizen_acts_for_their_own_record_only(demo):
    citizen = citizen_of("张伟")
    assert acts_for(citizen, person("张伟"))
    assert not acts_for(citizen, person("王芳"))
    assert not acts_for(citizen, employer("十堰市示范超市有限公司"))
    assert citizen.staff is None
    assert citizen.role_codes() == ["citizen"]


def test_an_online_case_waits_for_a_clerk_to_accept_it(review_item, actor_of):
    citizen = citizen_of("张伟")
    case = case_create(
        actor=citizen, item=review_item, channel="web", person=person("张伟"), accept_now=True
    )
    assert case.status == CaseStatus.SUBMITTED
    assert case.channel == "web"
    assert case.accepted_by is None
    entry = AuditEntry.objects.latest("id")
    assert (entry.action, entry.channel, entry.actor_roles) == ("case.create", "web", "citizen")
    accepted = case_transition(actor=actor_of("clerk_maojian"), case=case, action="accept")
    assert accepted.status == CaseStatus.ACCEPTED


def test_a_citizen_cannot_open_a_case_for_someone_else(review_item):
    before = Case.objects.count()
    with pytest.raises(OutOfScope):
        case_create(
            actor=citizen_of("张伟"), item=review_item, channel="web", person=person("王芳")
        )
    assert Case.objects.count() == before


def test_an_employer_agent_opens_cases_for_their_employer_only(demo):
    item = make_item("TST103", review=True, kind="employer")
    agent = agent_of("十堰市示范超市有限公司")
    case = case_create(
        actor=agent, item=item, channel="web", employer=employer("十堰市示范超市有限公司")
    )
    assert case.applicant_employer == employer("十堰市示范超市有限公司")
    with pytest.raises(OutOfScope):
        case_create(
            actor=agent, item=item, channel="web", employer=employer("湖北示例汽车零部件有限公司")
        )


def test_a_portal_user_cannot_claim_the_counter_channel(review_item):
    with pytest.raises(RuleViolation) as refused:
        case_create(
            actor=citizen_of("张伟"), item=review_item, channel="counter", person=person("张伟")
        )
    assert refused.value.code == "CASE-CHANNEL-NOT-ALLOWED"


def test_an_item_not_offered_at_the_kiosk_is_refused_there(review_item):
    with pytest.raises(RuleViolation) as refused:
        case_create(
            actor=citizen_of("张伟", Channel.KIOSK),
            item=review_item,
            channel="kiosk",
            person=person("张伟"),
        )
    assert refused.value.code == "CASE-CHANNEL-NOT-ALLOWED"


def test_the_applicant_may_withdraw_but_not_accept_their_own_case(review_item):
    citizen = citizen_of("张伟")
    case = case_create(actor=citizen, item=review_item, channel="web", person=person("张伟"))
    with pytest.raises(PermissionRefused):
        case_transition(actor=citizen, case=case, action="accept")
    withdrawn = case_transition(actor=citizen, case=case, action="withdraw", reason="不办了")
    assert withdrawn.status == CaseStatus.WITHDRAWN


def test_another_citizen_cannot_touch_the_case(review_item):
    case = case_create(
        actor=citizen_of("张伟"), item=review_item, channel="web", person=person("张伟")
    )
    with pytest.raises(OutOfScope):
        case_transition(actor=citizen_of("王芳"), case=case, action="withdraw", reason="x")
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_an_item_done_on_the_spot_online_is_completed_by_the_system(quick_item):
    case = case_done_on_the_spot(
        actor=citizen_of("张伟"), item=quick_item, channel="web", person=person("张伟")
    )
    assert case.status == CaseStatus.DONE
    events = list(case.events.values_list("action", "actor_label"))
    assert events[0] == ("create", f"citizen-test-{person('张伟').pk}")
    assert [action for action, _label in events] == ["create", "accept", "complete"]
    assert events[-1][1] == "system:web-self-service"


def test_an_item_done_on_the_spot_at_the_counter_is_the_clerks(quick_item, actor_of):
    case = case_done_on_the_spot(
        actor=actor_of("clerk_maojian"), item=quick_item, channel="counter", person=person("张伟")
    )
    assert case.status == CaseStatus.DONE
    assert set(case.events.values_list("actor_label", flat=True)) == {"clerk_maojian"}


def test_an_item_that_needs_review_is_never_done_on_the_spot(review_item):
    before = Case.objects.count()
    with pytest.raises(RuleViolation) as refused:
        case_done_on_the_spot(
            actor=citizen_of("张伟"), item=review_item, channel="web", person=person("张伟")
        )
    assert refused.value.code == "CASE-REVIEW-NEEDED"
    assert Case.objects.count() == before


def test_the_workbench_lists_online_submissions_for_the_clerk_to_accept(review_item, login):
    case = case_create(
        actor=citizen_of("张伟"), item=review_item, channel="web", person=person("张伟")
    )
    page = login("clerk_maojian").get("/workbench/").content.decode()
    section = page.split('data-testid="online-submissions"')[1].split("</table>")[0]
    assert case.receipt_no in section


def test_another_agencys_clerk_does_not_see_the_submission(review_item, login):
    case = case_create(
        actor=citizen_of("张伟"), item=review_item, channel="web", person=person("张伟")
    )
    page = login("clerk_zhangwan").get("/workbench/").content.decode()
    assert case.receipt_no not in page
