"""The worklist of flagged rows (待甄别清单): a clerk of the person's agency decides each one.

A decision that changes a record goes through that record's own reviewed service: merging two
persons opens a merge case, correcting an account opens a correction case, and a reviewer
approves it there. Choosing between two overlapping relations ends the other one at once (the
clerk is putting right what the exchange left double), with the change recorded on the person.
Every decision is audited, with its reason.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shebao.accounts.services.corrections import correction_request
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.periods import period_add
from shebao.core.permissions import actor_scope_path, ensure_in_scope
from shebao.migration import rules as r
from shebao.migration.models import IssueStatus, MigrationIssue, Resolution
from shebao.registry.models import InsuredRelation, Person, RelationStatus
from shebao.registry.services.common import record_change
from shebao.registry.services.persons import person_merge_request
from shebao.services.models import Case

_BASIS = "docs/migration.md"
CLAIM_MINUTES = 5
CASE_DECISIONS = (Resolution.MERGE, Resolution.ADOPT_REBUILT)  # reviewed in a case of their own
register_rule(
    "MIG-ISSUE-DECIDED",
    "该迁移疑点已处理（{resolution}），不能再次处理。",
    "This migration finding was already decided ({resolution}).",
    _BASIS,
)
register_rule(
    "MIG-ISSUE-BUSY",
    "另一位经办人正在处理该迁移疑点，请稍后刷新。",
    "Another clerk is deciding this migration finding: refresh in a moment.",
    _BASIS,
)
register_rule(
    "MIG-ISSUE-RESOLUTION",
    "“{resolution}”不是规则{rule}的处理方式。",
    "'{resolution}' is not a decision for rule {rule}.",
    _BASIS,
)
register_rule(
    "MIG-ISSUE-REASON",
    "请填写处理理由。",
    "Give the reason for the decision.",
    _BASIS,
)
register_rule(
    "MIG-ISSUE-RELATION-ENDED",
    "两条参保关系已不再重叠，无需终止。",
    "The two relations no longer overlap: there is nothing to end.",
    _BASIS,
)

CHOICES: dict[str, tuple[str, ...]] = {
    r.PERSON_SAME: (Resolution.MERGE, Resolution.DISTINCT),
    r.PERSON_DUPLICATE: (Resolution.KEEP_NAME, Resolution.ADOPT_NAME),
    r.RELATION_OVERLAP: (Resolution.KEEP_RELATION, Resolution.KEEP_OTHER),
    r.ACCOUNT_MISMATCH: (Resolution.KEEP_BALANCE, Resolution.ADOPT_REBUILT),
}


def issues_visible(actor: Actor) -> QuerySet[MigrationIssue]:
    """The findings about persons of the actor's agency and the agencies under it."""
    issues = MigrationIssue.objects.select_related("person", "person__managing_agency", "city")
    path = actor_scope_path(actor)
    if path is None:
        return issues
    # A finding about two persons is for a clerk who may act on both (a merge needs both).
    return issues.filter(person__managing_agency__path__startswith=path).filter(
        Q(other_person__isnull=True) | Q(other_person__managing_agency__path__startswith=path)
    )


def issue_get(actor: Actor, pk: int) -> MigrationIssue:
    issue = issues_visible(actor).filter(pk=pk).first()
    if issue is None:
        raise Http404
    return issue


def issue_resolve(
    *, actor: Actor, issue: MigrationIssue, resolution: str, reason: str
) -> MigrationIssue:
    """Decide a finding; returns it with the case opened, if the decision needs a review."""
    ensure_in_scope(actor, issue.person.managing_agency)
    _check(issue, resolution, reason)
    case = None
    if resolution in CASE_DECISIONS:
        # The case is opened in its own transaction, before the row lock below: the claim
        # keeps a second clerk from opening another one meanwhile.
        _claim(actor, issue)
        try:
            case = _open_case(actor, issue, resolution, reason.strip())
        except Exception:
            _release(actor, issue)
            raise
    with transaction.atomic():
        locked = MigrationIssue.objects.select_for_update().get(pk=issue.pk)
        _check(locked, resolution, reason)
        if resolution in (Resolution.KEEP_RELATION, Resolution.KEEP_OTHER):
            _end_other_relation(actor, locked, resolution)
        elif resolution == Resolution.ADOPT_NAME:
            name_adopt(actor, locked)
        locked.status = IssueStatus.RESOLVED
        locked.resolution = resolution
        locked.reason = reason.strip()[:200]
        locked.case_id = case.pk if case else None
        locked.resolved_by = actor.user
        locked.resolved_at = timezone.now()
        locked.claimed_by = None
        locked.claimed_at = None
        locked.save(
            update_fields=[
                "status",
                "resolution",
                "reason",
                "case_id",
                "resolved_by",
                "resolved_at",
                "claimed_by",
                "claimed_at",
            ]
        )
        audit_record(
            actor=actor,
            action="migration.issue.resolve",
            target=locked,
            target_agency=locked.person.managing_agency,
            before={"status": IssueStatus.OPEN},
            after={
                "rule": locked.rule,
                "resolution": resolution,
                "reason": locked.reason,
                "case": case.receipt_no if case else None,
            },
        )
    return locked


def _claim(actor: Actor, issue: MigrationIssue) -> None:
    """Take the finding for this decision, before its case is opened in its own transaction:
    a second clerk deciding at the same moment is refused here, and opens no case."""
    stale = timezone.now() - timedelta(minutes=CLAIM_MINUTES)
    claimed = (
        MigrationIssue.objects.filter(pk=issue.pk, status=IssueStatus.OPEN)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_by=actor.user, claimed_at=timezone.now())
    )
    if not claimed:
        issue.refresh_from_db()
        if issue.status != IssueStatus.OPEN:
            raise RuleViolation("MIG-ISSUE-DECIDED", resolution=issue.get_resolution_display())
        raise RuleViolation("MIG-ISSUE-BUSY")


def _release(actor: Actor, issue: MigrationIssue) -> None:
    """Give the claim back when the decision failed (its case was refused)."""
    MigrationIssue.objects.filter(
        pk=issue.pk, status=IssueStatus.OPEN, claimed_by=actor.user
    ).update(claimed_by=None, claimed_at=None)


def _check(issue: MigrationIssue, resolution: str, reason: str) -> None:
    if issue.status != IssueStatus.OPEN:
        raise RuleViolation("MIG-ISSUE-DECIDED", resolution=issue.get_resolution_display())
    if resolution not in CHOICES.get(issue.rule, ()):
        raise RuleViolation("MIG-ISSUE-RESOLUTION", resolution=resolution, rule=issue.rule)
    if not reason.strip():
        raise RuleViolation("MIG-ISSUE-REASON")


def _open_case(actor: Actor, issue: MigrationIssue, resolution: str, reason: str) -> Case:
    """The reviewed case of a decision of CASE_DECISIONS (its own transaction)."""
    if resolution == Resolution.MERGE:
        assert issue.other_person is not None
        return person_merge_request(actor=actor, keep=issue.person, merge=issue.other_person)
    difference = int(issue.detail["rebuilt_fen"]) - int(issue.detail["migrated_fen"])
    return correction_request(
        actor=actor,
        person=issue.person,
        reason=f"迁移账户重建：{reason}",
        amount_fen=difference,
    )


def _end_other_relation(actor: Actor, issue: MigrationIssue, resolution: str) -> None:
    """End the relation not chosen the month before the chosen one starts (or in its own
    first month, if it began later: a relation cannot end before it starts); the chosen one,
    if it was loaded suspended, becomes active."""
    assert issue.relation_id is not None
    assert issue.other_relation_id is not None
    pair = {
        rel.pk: rel
        for rel in InsuredRelation.objects.select_for_update()
        .filter(pk__in=[issue.relation_id, issue.other_relation_id])
        .order_by("pk")
    }
    keep_id, end_id = (
        (issue.relation_id, issue.other_relation_id)
        if resolution == Resolution.KEEP_RELATION
        else (issue.other_relation_id, issue.relation_id)
    )
    keep, end = pair[keep_id], pair[end_id]
    if end.end_period is not None and end.end_period < keep.start_period:
        raise RuleViolation("MIG-ISSUE-RELATION-ENDED")  # they no longer overlap
    before = {"ended": _state(end), "kept": _state(keep)}
    last = max(end.start_period, period_add(keep.start_period, -1))
    end.end_period = min(end.end_period, last) if end.end_period else last
    end.status = RelationStatus.ENDED
    end.end_reason = "migration_overlap"
    end.save(update_fields=["end_period", "status", "end_reason"])
    if keep.status == RelationStatus.SUSPENDED:
        keep.status = RelationStatus.ACTIVE
        keep.save(update_fields=["status"])
    person = Person.objects.get(pk=issue.person_id)
    record_change(
        actor=actor,
        action="relation.migration_overlap",
        before=before,
        after={"ended": _state(end), "kept": _state(keep)},
        case=None,
        person=person,
    )


def _state(relation: InsuredRelation) -> dict[str, object]:
    return {
        "id": relation.pk,
        "start": relation.start_period,
        "end": relation.end_period,
        "status": relation.status,
    }


def name_adopt(actor: Actor, issue: MigrationIssue) -> None:
    """Adopt the city's spelling of the name, recorded on the person."""
    person = Person.objects.select_for_update().get(pk=issue.person_id)
    name = str(issue.detail["city_name"])
    record_change(
        actor=actor,
        action="person.migration_name",
        before={"name": person.name},
        after={"name": name},
        case=None,
        person=person,
    )
    person.name = name
    person.save(update_fields=["name"])
