"""Insured relations: every rule with its code, and the handlers that apply approved cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.identifiers import resident_id_with_check
from shebao.core.periods import period_add, period_of
from shebao.registry.demo import demo_person
from shebao.registry.models import (
    Employer,
    EmployerStatus,
    InsuredRelation,
    Person,
    PersonStatus,
    RecordChange,
)
from shebao.registry.rules import check_kind
from shebao.registry.services import (
    AdditionSpec,
    RemovalSpec,
    employer_change_request,
    employer_deregister_request,
    employer_register,
    employer_transfer_request,
    flexible_enrolment_request,
    person_merge_request,
    staff_addition_request,
    staff_removal_request,
)
from shebao.services.models import CaseStatus
from shebao.services.services import case_transition

THIS_MONTH = period_of(timezone.localdate())


def new_id(birth: str = "19900101", sequence: str = "111", area: str = "420302") -> str:
    return resident_id_with_check(area + birth + sequence)


def employer(name: str) -> Employer:
    return Employer.objects.get(name=name)


def approve(case, actor_of):
    clerk = actor_of("clerk_maojian") if case.agency.code == "420302" else actor_of("clerk_wuhan")
    if case.status == CaseStatus.ACCEPTED and case.item.review_required:
        case = case_transition(actor=clerk, case=case, action="send_for_review")
    # No demo reviewer in Wuhan: the approval there is a system process's.
    reviewer = actor_of("reviewer_maojian") if case.agency.code == "420302" else system_actor("t")
    if case.item.review_required:
        return case_transition(actor=reviewer, case=case, action="approve")
    return case_transition(actor=clerk, case=case, action="complete")


@pytest.fixture
def supermarket(demo):
    return employer("十堰市示范超市有限公司")


@pytest.fixture
def wuhan_firm(demo):
    return employer("武汉示范科技有限公司")


def test_addition_is_a_case_and_approval_creates_the_person_and_relations(actor_of, supermarket):
    resident_id = new_id()
    spec = AdditionSpec(resident_id=resident_id, name="赵敏", start_period=THIS_MONTH)
    case = staff_addition_request(
        actor=actor_of("clerk_maojian"), employer=supermarket, specs=[spec]
    )
    assert case.item.code == "SBRG005"
    assert not Person.objects.filter(resident_id=resident_id).exists()  # nothing before approval
    approved = approve(case, actor_of)
    relations = InsuredRelation.objects.filter(person__resident_id=resident_id)
    assert sorted(relations.values_list("scheme", flat=True)) == [
        "pension",
        "unemployment",
        "work_injury",
    ]
    assert {r.status for r in relations} == {"active"}
    assert approved.records.count() == 3
    assert Person.objects.get(resident_id=resident_id).managing_agency.code == "420302"


def test_a_wuhan_employer_cannot_enrol_someone_insured_in_shiyan(actor_of, supermarket, wuhan_firm):
    resident_id = new_id(sequence="222")
    case = staff_addition_request(
        actor=actor_of("clerk_maojian"),
        employer=supermarket,
        specs=[AdditionSpec(resident_id=resident_id, name="钱进", start_period=THIS_MONTH)],
    )
    approve(case, actor_of)
    with pytest.raises(RuleViolation) as refused:
        staff_addition_request(
            actor=actor_of("clerk_wuhan"),
            employer=wuhan_firm,
            specs=[AdditionSpec(resident_id=resident_id, name="钱进", start_period=THIS_MONTH)],
        )
    assert refused.value.code == "REG-REL-DUPLICATE-ACTIVE"
    # The Wuhan clerk learns the agency, and the other employer's name only masked.
    assert "茅箭区社保经办机构" in refused.value.message_zh
    assert "十堰市示范超市有限公司" not in refused.value.message_zh
    assert "十堰" in refused.value.message_zh


def test_the_other_employer_is_named_in_full_only_inside_the_viewers_scope(
    actor_of, supermarket, demo
):
    parts = employer("湖北示例汽车零部件有限公司")
    resident_id = new_id(sequence="224")
    spec = AdditionSpec(resident_id=resident_id, name="孙丽", start_period=THIS_MONTH)
    approve(
        staff_addition_request(actor=actor_of("clerk_maojian"), employer=supermarket, specs=[spec]),
        actor_of,
    )
    with pytest.raises(RuleViolation) as from_zhangwan:
        staff_addition_request(actor=actor_of("clerk_zhangwan"), employer=parts, specs=[spec])
    assert from_zhangwan.value.code == "REG-REL-DUPLICATE-ACTIVE"
    assert "十堰市示范超市有限公司" not in from_zhangwan.value.message_zh
    with pytest.raises(RuleViolation) as from_province:
        staff_addition_request(actor=system_actor("t"), employer=parts, specs=[spec])
    assert "十堰市示范超市有限公司" in from_province.value.message_zh


def test_approval_checks_again_when_the_register_changed_meanwhile(
    actor_of, supermarket, wuhan_firm
):
    resident_id = new_id(sequence="226")
    spec = AdditionSpec(resident_id=resident_id, name="周华", start_period=THIS_MONTH)
    first = staff_addition_request(
        actor=actor_of("clerk_maojian"), employer=supermarket, specs=[spec]
    )
    second = staff_addition_request(
        actor=actor_of("clerk_wuhan"), employer=wuhan_firm, specs=[spec]
    )
    approve(first, actor_of)
    with pytest.raises(RuleViolation) as refused:
        approve(second, actor_of)
    assert refused.value.code == "REG-REL-DUPLICATE-ACTIVE"
    second.refresh_from_db()
    assert second.status == CaseStatus.IN_REVIEW  # the approval was refused whole
    assert (
        InsuredRelation.objects.filter(person__resident_id=resident_id, employer=wuhan_firm).count()
        == 0
    )


def test_no_enrolment_past_retirement_unless_continuing(actor_of, supermarket):
    old = new_id(birth="19580101", sequence="331")  # a man who reached 60 in 2018
    spec = AdditionSpec(resident_id=old, name="吴老", start_period=THIS_MONTH)
    with pytest.raises(RuleViolation) as refused:
        staff_addition_request(actor=actor_of("clerk_maojian"), employer=supermarket, specs=[spec])
    assert refused.value.code == "REG-REL-PAST-RETIREMENT"
    continuing = AdditionSpec(
        resident_id=old, name="吴老", start_period=THIS_MONTH, schemes=("pension",), continuing=True
    )
    case = staff_addition_request(
        actor=actor_of("clerk_maojian"), employer=supermarket, specs=[continuing]
    )
    assert case.status == CaseStatus.ACCEPTED


def test_start_no_later_than_next_month(actor_of, supermarket):
    spec = AdditionSpec(
        resident_id=new_id(sequence="441"), name="郑好", start_period=period_add(THIS_MONTH, 2)
    )
    with pytest.raises(RuleViolation) as refused:
        staff_addition_request(actor=actor_of("clerk_maojian"), employer=supermarket, specs=[spec])
    assert refused.value.code == "REG-REL-START-TOO-LATE"
    ok = AdditionSpec(
        resident_id=spec.resident_id, name="郑好", start_period=period_add(THIS_MONTH, 1)
    )
    assert staff_addition_request(actor=actor_of("clerk_maojian"), employer=supermarket, specs=[ok])


def test_flexible_workers_have_no_employer_and_pension_only():
    with pytest.raises(RuleViolation) as with_employer:
        check_kind("flexible", True, "pension")
    assert with_employer.value.code == "REG-REL-FLEX-EMPLOYER"
    with pytest.raises(RuleViolation) as other_scheme:
        check_kind("flexible", False, "unemployment")
    assert other_scheme.value.code == "REG-REL-FLEX-PENSION-ONLY"
    with pytest.raises(RuleViolation) as employee_alone:
        check_kind("employee", False, "pension")
    assert employee_alone.value.code == "REG-REL-EMPLOYER-REQUIRED"


def test_flexible_enrolment_creates_a_pension_relation_without_employer(actor_of, demo):
    wang = demo_person("王芳")
    case = flexible_enrolment_request(
        actor=actor_of("clerk_maojian"), person=wang, start_period=THIS_MONTH
    )
    approve(case, actor_of)
    relation = InsuredRelation.objects.get(person=wang, scheme="pension", status="active")
    assert (relation.kind, relation.employer, relation.agency.code) == ("flexible", None, "420302")


def test_removal_ends_the_relations_with_the_reason_status(actor_of, supermarket):
    resident_id = new_id(sequence="551")
    approve(
        staff_addition_request(
            actor=actor_of("clerk_maojian"),
            employer=supermarket,
            specs=[AdditionSpec(resident_id=resident_id, name="冯军", start_period=THIS_MONTH)],
        ),
        actor_of,
    )
    with pytest.raises(RuleViolation) as before_start:
        staff_removal_request(
            actor=actor_of("clerk_maojian"),
            employer=supermarket,
            specs=[RemovalSpec(resident_id, period_add(THIS_MONTH, -1), "resignation")],
        )
    assert before_start.value.code == "REG-REL-END-BEFORE-START"
    approve(
        staff_removal_request(
            actor=actor_of("clerk_maojian"),
            employer=supermarket,
            specs=[RemovalSpec(resident_id, THIS_MONTH, "retirement")],
        ),
        actor_of,
    )
    statuses = set(
        InsuredRelation.objects.filter(person__resident_id=resident_id).values_list(
            "status", flat=True
        )
    )
    assert statuses == {"retired"}
    with pytest.raises(RuleViolation) as again:
        staff_removal_request(
            actor=actor_of("clerk_maojian"),
            employer=supermarket,
            specs=[RemovalSpec(resident_id, THIS_MONTH, "resignation")],
        )
    assert again.value.code == "REG-REL-NOT-INSURED-HERE"


def test_employer_registration_is_pending_until_approved(actor_of, agency):
    from shebao.registry.demo import demo_credit_code

    case = employer_register(
        actor=actor_of("clerk_maojian"),
        fields={
            "credit_code": demo_credit_code("91420300MA4D0099"),
            "name": "十堰市新开张有限公司",
            "legal_representative": "林峰",
            "risk_class": 2,
            "floating_tier": 100,
        },
        agency=agency("420302"),
    )
    firm = case.applicant_employer
    assert firm is not None
    assert firm.status == EmployerStatus.PENDING
    approve(case, actor_of)
    firm.refresh_from_db()
    assert firm.status == EmployerStatus.ACTIVE
    assert RecordChange.objects.filter(employer=firm, action="register").exists()


def test_risk_class_and_floating_tier_are_checked(actor_of, agency):
    from shebao.registry.demo import demo_credit_code

    with pytest.raises(RuleViolation) as refused:
        employer_register(
            actor=actor_of("clerk_maojian"),
            fields={
                "credit_code": demo_credit_code("91420300MA4D0098"),
                "name": "错误费率公司",
                "risk_class": 1,
                "floating_tier": 50,
            },
            agency=agency("420302"),
        )
    assert refused.value.code == "REG-EMPLOYER-RISK"
    assert not Employer.objects.filter(name="错误费率公司").exists()


def test_employer_change_is_kept_as_history(actor_of, supermarket):
    case = employer_change_request(
        actor=actor_of("clerk_maojian"),
        employer=supermarket,
        changes={"address": "十堰市茅箭区人民北路1号"},
    )
    approve(case, actor_of)
    supermarket.refresh_from_db()
    assert supermarket.address == "十堰市茅箭区人民北路1号"
    change = supermarket.changes.latest("id")
    assert change.after == {"address": "十堰市茅箭区人民北路1号"}
    assert change.case_id == case.pk


def test_deregistration_is_refused_while_cases_or_staff_remain(actor_of, supermarket):
    clerk = actor_of("clerk_maojian")
    # The demo leaves cases of the supermarket in review (a staff addition, a back-payment, a
    # refund): they are named.
    open_cases = list(supermarket.cases.filter(status=CaseStatus.IN_REVIEW))
    assert open_cases
    with pytest.raises(RuleViolation) as cases_open:
        employer_deregister_request(actor=clerk, employer=supermarket, reason="歇业")
    assert cases_open.value.code == "REG-DEREGISTER-OPEN-CASES"
    for open_case in open_cases:
        assert open_case.receipt_no in cases_open.value.message_zh
        case_transition(actor=actor_of("reviewer_maojian"), case=open_case, action="approve")
    # With no open case left, the insured staff still stand in the way, counted.
    with pytest.raises(RuleViolation) as staff_insured:
        employer_deregister_request(actor=clerk, employer=supermarket, reason="歇业")
    assert staff_insured.value.code == "REG-DEREGISTER-ACTIVE-STAFF"
    assert staff_insured.value.params == {"count": 2}  # 张伟 and 王芳


def test_transfer_moves_the_employer_and_its_relations(actor_of, supermarket, agency):
    resident_id = new_id(sequence="661")
    approve(
        staff_addition_request(
            actor=actor_of("clerk_maojian"),
            employer=supermarket,
            specs=[AdditionSpec(resident_id=resident_id, name="蒋涛", start_period=THIS_MONTH)],
        ),
        actor_of,
    )
    case = employer_transfer_request(
        actor=actor_of("clerk_maojian"), employer=supermarket, to_agency=agency("420303")
    )
    approve(case, actor_of)
    supermarket.refresh_from_db()
    assert supermarket.managing_agency.code == "420303"
    assert set(
        InsuredRelation.objects.filter(employer=supermarket, status="active").values_list(
            "agency__code", flat=True
        )
    ) == {"420303"}


def test_merge_two_records_of_one_person(actor_of, demo):
    keep = demo_person("张伟")
    twin = Person.objects.create(
        resident_id=new_id(birth="19700101", sequence="125"),
        name="张伟",
        sex="M",
        birth_date=dt.date(1970, 1, 1),
        managing_agency=keep.managing_agency,
    )
    with pytest.raises(RuleViolation) as same:
        person_merge_request(actor=actor_of("clerk_maojian"), keep=keep, merge=keep)
    assert same.value.code == "REG-MERGE-SAME"
    case = person_merge_request(actor=actor_of("clerk_maojian"), keep=keep, merge=twin)
    approve(case, actor_of)
    twin.refresh_from_db()
    assert (twin.status, twin.merged_into) == (PersonStatus.MERGED, keep)
    with pytest.raises(RuleViolation) as merged:
        flexible_enrolment_request(
            actor=actor_of("clerk_maojian"), person=twin, start_period=THIS_MONTH
        )
    assert merged.value.code == "REG-PERSON-MERGED"


@pytest.mark.django_db(transaction=True)
def test_a_removal_request_checks_outside_a_transaction_without_locking():
    """The counter runs in autocommit: the request's look-up must not take row locks
    (PostgreSQL refuses SELECT … FOR UPDATE outside a transaction)."""
    from conftest import staff_actor
    from shebao.core.demo import seed_all_apps
    from shebao.registry.demo import demo_employer

    seed_all_apps(bulk=False)
    with pytest.raises(RuleViolation) as refused:
        staff_removal_request(
            actor=staff_actor("clerk_maojian"),
            employer=demo_employer("十堰市示范超市有限公司"),
            specs=[RemovalSpec(new_id(sequence="991"), THIS_MONTH, "resignation")],
        )
    assert refused.value.code == "REG-REL-NOT-INSURED-HERE"
