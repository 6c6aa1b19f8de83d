"""The worklist pages: who sees which items, deciding one (an overlap ends the other relation,
an account mismatch and a merge open reviewed cases), and the refusals."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from conftest import staff_actor
from shebao.core.actors import system_actor
from shebao.core.errors import RuleViolation
from shebao.core.masking import mask_resident_id
from shebao.core.models import AuditEntry, BatchRun, Staff
from shebao.core.services import claim_grant
from shebao.migration import rules as r
from shebao.migration.models import IssueStatus, MigrationIssue, Resolution
from shebao.migration.tests.support import P1, migrate, write_small_delivery
from shebao.migration.worklist import CLAIM_MINUTES, issue_resolve
from shebao.registry.models import InsuredRelation, Person, RecordChange, RelationStatus
from shebao.services.models import Case

pytestmark = pytest.mark.django_db

ISSUES = "/migration/issues/"


@pytest.fixture
def login(login, client: Client):
    """The project's login, signing out first: these tests change users on one client (the
    login page sends a signed-in user on without signing the next one in)."""

    def sign_in(username: str) -> Client:
        client.logout()
        return login(username)

    return sign_in


@pytest.fixture
def migrated(tmp_path: Path, demo: None) -> BatchRun:
    return migrate(write_small_delivery(tmp_path / "420300"))


def _issue(rule: str) -> MigrationIssue:
    return MigrationIssue.objects.get(rule=rule)


def _relation(pk: int | None) -> InsuredRelation:
    assert pk is not None
    return InsuredRelation.objects.get(pk=pk)


def _case(pk: int | None) -> Case:
    assert pk is not None, "no case opened"
    return Case.objects.get(pk=pk)


def _listed(body: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-testid="issue-(\d+)"', body)}


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _decide(client: Client, issue: MigrationIssue, resolution: str, reason: str = "核实无误"):
    return client.post(
        f"{ISSUES}{issue.pk}/", {"resolution": resolution, "reason": reason}, follow=True
    )


# --- who sees what ---------------------------------------------------------------------------


def test_each_clerk_sees_the_items_of_the_persons_of_their_agency(migrated, login) -> None:
    # The same-person pair spans 茅箭区 and 张湾区: it is for a city clerk, who holds both.
    maojian = {_issue(code).pk for code in (r.RELATION_OVERLAP, r.ACCOUNT_MISMATCH)}
    assert _listed(_page(login("clerk_maojian"), ISSUES)) == maojian
    assert _listed(_page(login("clerk_zhangwan"), ISSUES)) == {_issue(r.PERSON_DUPLICATE).pk}
    assert len(_listed(_page(login("head_shiyan"), ISSUES))) == 4  # audit: the whole city
    only = _page(login("clerk_maojian"), f"{ISSUES}?rule={r.ACCOUNT_MISMATCH}")
    assert _listed(only) == {_issue(r.ACCOUNT_MISMATCH).pk}
    row = re.search(r'data-testid="issue-\d+">(.*?)</tr>', only, re.S)
    assert row is not None
    assert mask_resident_id(P1) in row[1]
    assert "王一" in row[1]
    assert P1 not in only


def test_another_citys_clerk_neither_lists_nor_reaches_shiyans_items(migrated, login) -> None:
    client = login("clerk_wuhan")
    assert _listed(_page(client, f"{ISSUES}?status=all")) == set()
    issue = _issue(r.RELATION_OVERLAP)
    assert client.get(f"{ISSUES}{issue.pk}/").status_code == 404
    response = client.post(
        f"{ISSUES}{issue.pk}/", {"resolution": Resolution.KEEP_RELATION, "reason": "x"}
    )
    assert response.status_code == 404
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    assert not AuditEntry.objects.filter(action="migration.issue.resolve").exists()


def test_the_worklist_is_for_clerks_and_auditors(migrated, login) -> None:
    assert login("fund_shiyan").get(ISSUES).status_code == 403
    assert login("reviewer_maojian").get(ISSUES).status_code == 403
    issue = _issue(r.RELATION_OVERLAP)
    head = login("head_maojian")  # audits: reads the item, does not decide it
    body = _page(head, f"{ISSUES}{issue.pk}/")
    assert 'data-testid="decision-form"' not in body
    response = head.post(f"{ISSUES}{issue.pk}/", {"resolution": "keep_relation", "reason": "x"})
    assert response.status_code == 403


def test_the_item_page_shows_what_was_found(migrated, login) -> None:
    client = login("head_shiyan")
    same = _page(client, f"{ISSUES}{_issue(r.PERSON_SAME).pk}/")
    assert 'data-testid="other-person"' in same
    assert same.count('data-testid="person-card"') == 2
    assert "疑与第 2 行为同一人" in same  # the note, in the reader's language
    assert P1 not in same
    assert mask_resident_id(P1) in same
    duplicate = _page(client, f"{ISSUES}{_issue(r.PERSON_DUPLICATE).pk}/")
    assert re.search(r'data-testid="name-kept">赵五<', duplicate)
    assert re.search(r'data-testid="name-city">赵武<', duplicate)
    overlap = _page(client, f"{ISSUES}{_issue(r.RELATION_OVERLAP).pk}/")
    assert overlap.count('data-testid="relation-card"') == 2
    assert "2023-06 – 2023-12" in overlap
    assert "十堰示例一厂" in overlap
    account = _page(client, f"{ISSUES}{_issue(r.ACCOUNT_MISMATCH).pk}/")
    assert re.search(r'data-testid="migrated">5,810.00<', account)
    assert re.search(r'data-testid="rebuilt">5,894.32<', account)
    assert re.search(r'data-testid="difference">-84.32<', account)


# --- deciding --------------------------------------------------------------------------------


def test_a_clerk_keeps_one_of_two_overlapping_relations(migrated, login) -> None:
    issue = _issue(r.RELATION_OVERLAP)
    other = _relation(issue.other_relation_id)
    assert (other.start_period, other.end_period, other.status) == (202301, None, "active")
    client = login("clerk_maojian")
    response = _decide(client, issue, Resolution.KEEP_RELATION, "单位证明后一段关系有效")
    assert response.redirect_chain == [(ISSUES, 302)]
    assert "已处理" in response.content.decode() or "Decided" in response.content.decode()
    other.refresh_from_db()
    assert (other.end_period, other.status) == (202305, RelationStatus.ENDED)
    issue.refresh_from_db()
    assert (issue.status, issue.resolution) == (IssueStatus.RESOLVED, Resolution.KEEP_RELATION)
    assert issue.resolved_by is not None
    assert issue.resolved_by.username == "clerk_maojian"
    audit = AuditEntry.objects.get(action="migration.issue.resolve", target_id=str(issue.pk))
    assert audit.actor_username == "clerk_maojian"
    assert audit.after is not None
    assert audit.after["reason"] == "单位证明后一段关系有效"
    change = RecordChange.objects.get(action="relation.migration_overlap")
    assert change.person_id == issue.person_id
    assert change.actor_label == "clerk_maojian"
    page = _page(client, f"{ISSUES}{issue.pk}/")
    decision = re.search(r'data-testid="decision">(.*?)</div>', page, re.S)
    assert decision is not None
    assert "单位证明后一段关系有效" in decision[1]
    assert "clerk_maojian" in decision[1]
    assert 'data-testid="decision-form"' not in page
    assert issue.pk not in _listed(_page(client, ISSUES))  # open items only, by default
    assert issue.pk in _listed(_page(client, f"{ISSUES}?status=resolved"))


def test_correcting_an_account_opens_a_reviewed_case(migrated, login) -> None:
    issue = _issue(r.ACCOUNT_MISMATCH)
    client = login("clerk_maojian")
    response = _decide(client, issue, Resolution.ADOPT_REBUILT, "按缴费记录重建")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED
    case = _case(issue.case_id)
    assert case.receipt_no in response.content.decode()  # the message names the receipt
    assert case.data["amount_fen"] == 589432 - 581000
    page = _page(client, f"{ISSUES}{issue.pk}/")
    link = re.search(r'data-testid="case-link">([^<]+)<', page)
    assert link is not None
    assert link[1] == case.receipt_no
    assert f'href="/cases/{case.pk}/"' in page


def test_a_merge_opens_a_case_for_a_clerk_who_holds_both_persons(migrated, login) -> None:
    issue = _issue(r.PERSON_SAME)
    # The two records are in two districts: a district clerk does not reach the item.
    assert login("clerk_maojian").get(f"{ISSUES}{issue.pk}/").status_code == 404
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    # A clerk of the city holds both.
    claim_grant(
        actor=system_actor("tests"),
        staff=Staff.objects.get(user__username="head_shiyan"),
        role_code="clerk",
        item_scope="*",
    )
    response = _decide(login("head_shiyan"), issue, Resolution.MERGE, "同一人，电话一致")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED
    case = _case(issue.case_id)
    assert case.receipt_no in response.content.decode()


def test_adopting_the_citys_name(migrated, login) -> None:
    issue = _issue(r.PERSON_DUPLICATE)
    _decide(login("clerk_zhangwan"), issue, Resolution.ADOPT_NAME, "户籍信息为赵武")
    assert Person.objects.get(pk=issue.person_id).name == "赵武"


def test_a_second_decision_is_refused(migrated, login) -> None:
    issue = _issue(r.RELATION_OVERLAP)
    client = login("clerk_maojian")
    _decide(client, issue, Resolution.KEEP_RELATION)
    again = _decide(client, issue, Resolution.KEEP_OTHER, "改变主意")
    assert again.redirect_chain == []
    refusal = re.search(r'data-testid="refusal">([^<]+)<', again.content.decode())
    assert refusal is not None
    assert refusal[1].startswith("MIG-ISSUE-DECIDED: ")
    issue.refresh_from_db()
    assert issue.resolution == Resolution.KEEP_RELATION
    other = _relation(issue.other_relation_id)
    assert (other.end_period, other.status) == (202305, RelationStatus.ENDED)
    assert _relation(issue.relation_id).end_period == 202312
    assert AuditEntry.objects.filter(action="migration.issue.resolve").count() == 1


def test_a_decision_without_a_reason_is_refused_and_changes_nothing(migrated, login) -> None:
    issue = _issue(r.RELATION_OVERLAP)
    audits = AuditEntry.objects.count()
    response = _decide(login("clerk_maojian"), issue, Resolution.KEEP_RELATION, "   ")
    assert response.status_code == 200
    assert response.redirect_chain == []
    body = response.content.decode()
    refusal = re.search(r'data-testid="refusal">([^<]+)<', body)
    assert refusal is not None
    assert refusal[1].startswith("MIG-ISSUE-REASON: ")
    assert 'data-testid="decision-form"' in body
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN
    other = _relation(issue.other_relation_id)
    assert (other.end_period, other.status) == (None, RelationStatus.ACTIVE)
    assert AuditEntry.objects.count() == audits


def test_a_decision_not_of_the_rule_is_a_form_error(migrated, login) -> None:
    issue = _issue(r.RELATION_OVERLAP)
    response = _decide(login("clerk_maojian"), issue, Resolution.MERGE, "x")
    assert 'data-testid="form-errors"' in response.content.decode()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


# --- two clerks at once -----------------------------------------------------------------------


def _claimed_by(username: str, minutes_ago: int) -> MigrationIssue:
    issue = _issue(r.ACCOUNT_MISMATCH)
    MigrationIssue.objects.filter(pk=issue.pk).update(
        claimed_by=Staff.objects.get(user__username=username).user,
        claimed_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    return issue


def test_a_finding_another_clerk_is_deciding_is_refused_and_opens_no_case(migrated) -> None:
    issue = _claimed_by("head_shiyan", minutes_ago=0)
    cases = Case.objects.count()
    with pytest.raises(RuleViolation) as refused:
        issue_resolve(
            actor=staff_actor("clerk_maojian"),
            issue=issue,
            resolution=Resolution.ADOPT_REBUILT,
            reason="按缴费记录重建",
        )
    assert refused.value.code == "MIG-ISSUE-BUSY"
    assert Case.objects.count() == cases
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_a_stale_claim_is_taken_over(migrated) -> None:
    issue = _claimed_by("head_shiyan", minutes_ago=CLAIM_MINUTES + 1)
    decided = issue_resolve(
        actor=staff_actor("clerk_maojian"),
        issue=issue,
        resolution=Resolution.ADOPT_REBUILT,
        reason="按缴费记录重建",
    )
    assert decided.status == IssueStatus.RESOLVED
    assert decided.resolved_by is not None
    assert decided.resolved_by.username == "clerk_maojian"
    assert (decided.claimed_by, decided.claimed_at) == (None, None)
    assert _case(decided.case_id).data["amount_fen"] == 589432 - 581000


def test_a_decision_whose_case_is_refused_gives_the_finding_back(migrated, monkeypatch) -> None:
    issue = _issue(r.ACCOUNT_MISMATCH)

    def refused(*args: object, **kwargs: object) -> None:
        raise RuleViolation("MIG-ISSUE-REASON")

    monkeypatch.setattr("shebao.migration.worklist.correction_request", refused)
    with pytest.raises(RuleViolation):
        issue_resolve(
            actor=staff_actor("clerk_maojian"),
            issue=issue,
            resolution=Resolution.ADOPT_REBUILT,
            reason="按缴费记录重建",
        )
    issue.refresh_from_db()
    assert (issue.status, issue.claimed_by, issue.claimed_at) == (IssueStatus.OPEN, None, None)


def test_a_decision_refused_inside_its_transaction_leaves_the_finding_open_to_decide(
    migrated,
) -> None:
    issue = _issue(r.RELATION_OVERLAP)
    # The other relation was ended meanwhile, before this one starts: they no longer overlap.
    other = _relation(issue.other_relation_id)
    other.end_period = 202303
    other.save(update_fields=["end_period"])
    clerk = staff_actor("clerk_maojian")
    with pytest.raises(RuleViolation) as refused:
        issue_resolve(
            actor=clerk, issue=issue, resolution=Resolution.KEEP_RELATION, reason="核实无误"
        )
    assert refused.value.code == "MIG-ISSUE-RELATION-ENDED"
    issue.refresh_from_db()
    assert (issue.status, issue.claimed_by, issue.claimed_at) == (IssueStatus.OPEN, None, None)
    decided = issue_resolve(
        actor=clerk, issue=issue, resolution=Resolution.KEEP_OTHER, reason="以原关系为准"
    )
    assert decided.status == IssueStatus.RESOLVED
