"""Death of a retiree (死亡登记, 养老保险待遇终止): the pension stops after the month of death,
what the payroll paid for later months becomes an overpayment to recover, the months owed up to
the death and not paid are recorded for the estate, and the death-benefit case opens.

Two paths lead here. At the counter, item SBBC004 with review: the clerk opens the case with
the date of death, a second person approves it and the handler registers the death. The
death-data comparison file (民政/公安 死亡数据比对) is a system-confirmed source: the fund
officer's import registers the deaths it lists directly, in the same import that records the
certifications of the retirees it finds alive.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from shebao.benefits.models import (
    CertificationChannel,
    Death,
    DeathSource,
    EndReason,
    LineStatus,
    NoticeKind,
    Overpayment,
    OverpaymentStatus,
    PayrollLine,
    Pension,
    PensionNotice,
    PensionStatus,
)
from shebao.benefits.services.benefits import benefits_stop_all
from shebao.benefits.services.certification import certification_apply
from shebao.benefits.services.pensions import pension_differences
from shebao.core.actors import Actor, system_actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import resident_id_check
from shebao.core.models import Action, Channel
from shebao.core.money import format_yuan
from shebao.core.periods import period_add, period_of
from shebao.core.permissions import OutOfScope, ensure_can, ensure_in_scope, scope_filter
from shebao.registry.models import InsuredRelation, Person, RelationStatus
from shebao.registry.services.common import open_request
from shebao.services.models import OPEN_STATUSES, Case, CaseStatus, ServiceItem
from shebao.services.services import case_create, case_record_link

ITEM_END = "SBBC004"
ITEM_DEATH_BENEFIT = "SBBN009"
_BASIS = "社会保险法 art. 17; 社会保险经办条例 art. 46"

register_rule(
    "DEATH-ALREADY-REGISTERED",
    "该人员的死亡已于 {died_on} 登记。",
    "This person's death is already registered ({died_on}).",
    _BASIS,
)
register_rule(
    "DEATH-NO-PENSION",
    "该人员没有养老金待遇，无需办理待遇终止。",
    "This person has no pension to stop.",
    _BASIS,
)
register_rule(
    "DEATH-NOT-PARTICIPANT",
    "该人员没有任何参保关系，不能办理参保人员死亡登记。",
    "This person has no insured relation: there is no participant's death to register.",
    _BASIS,
)
register_rule(
    "DEATH-DATE-FUTURE",
    "死亡日期 {date} 晚于今天。",
    "The date of death {date} is in the future.",
    _BASIS,
)
register_rule(
    "DEATH-OPEN-REQUEST",
    "该人员已有未办结的待遇终止申请（{receipt}）。",
    "An open request to end this pension exists ({receipt}).",
    _BASIS,
)
register_rule(
    "OVERPAY-RECOVERY-AMOUNT",
    "追回金额应大于零且不超过待追回余额 {outstanding} 元。",
    "The amount recovered must be above zero and at most the {outstanding} yuan outstanding.",
    _BASIS,
)
register_rule(
    "OVERPAY-CLOSED",
    "该多发待遇已{status}，不能再登记追回。",
    "This overpayment is {status}; no further recovery can be recorded.",
    _BASIS,
)
register_rule(
    "COMPARE-FILE-ENCODING",
    "比对文件不是 UTF-8 编码的 CSV 文本，未导入任何记录。",
    "The comparison file is not UTF-8 CSV text; nothing was imported.",
    "docs/adjustment-certification.md",
)
register_rule(
    "COMPARE-FILE-HEADER",
    "比对文件首行应为 {expected}，未导入任何记录。",
    "The comparison file's header must be {expected}; nothing was imported.",
    "docs/adjustment-certification.md",
)
register_rule(
    "COMPARE-FILE-SIZE",
    "比对文件超过 {limit_mb} MB，请分批导入。",
    "The comparison file is larger than {limit_mb} MB: import it in parts.",
    "docs/adjustment-certification.md",
)
register_rule(
    "COMPARE-FILE-EMPTY",
    "比对文件没有记录。",
    "The comparison file holds no rows.",
    "docs/adjustment-certification.md",
)
register_rule(
    "COMPARE-FILE-ROWS",
    "比对文件有 {count} 行错误，未导入任何记录：{detail}",
    "{count} rows of the comparison file are invalid; nothing was imported: {detail}",
    "docs/adjustment-certification.md",
)


def _last_paid(pension: Pension) -> int | None:
    last = (
        PayrollLine.objects.filter(pension_id=pension.pk)
        .exclude(status=LineStatus.FAILED)
        .aggregate(top=Max("period"))["top"]
    )
    return int(last) if last is not None else None


def death_benefit_case_open(*, person: Person, died_on: date, source: str, death: Death) -> Case:
    """Open the death-benefit case (SBBN009, handled in the next issue) once per person. Opened
    by the system on the registration's behalf: the approver or the fund officer need not hold
    the clerk's accept permission for an item nobody asked for yet."""
    existing = (
        Case.objects.filter(item__code=ITEM_DEATH_BENEFIT, applicant_person=person)
        .exclude(status=CaseStatus.WITHDRAWN)
        .first()
    )
    if existing is not None:
        return existing
    return case_create(
        actor=system_actor("death-registration"),
        item=ServiceItem.objects.get(code=ITEM_DEATH_BENEFIT),
        channel=Channel.COUNTER,
        person=person,
        data={"died_on": died_on.isoformat(), "source": source, "death_id": death.pk},
        accept_now=True,
    )


def death_register(
    *,
    actor: Actor,
    person: Person,
    died_on: date,
    source: str,
    reference: str = "",
    case_id: int | None = None,
) -> Death:
    """Register a participant's death inside the caller's transaction (the approval of SBBC004,
    the comparison import, or the counter registration of a working participant's death).
    A retiree's pension stops as below; every other running benefit stops after the month of
    death (``benefits_stop_all``) for retirees and working participants alike."""
    pension = Pension.objects.select_related("agency").filter(person=person).first()
    if pension is None:
        return _participant_death_register(
            actor=actor,
            person=person,
            died_on=died_on,
            source=source,
            reference=reference,
            case_id=case_id,
        )
    ensure_in_scope(actor, pension.agency)
    if died_on > timezone.localdate():
        raise RuleViolation("DEATH-DATE-FUTURE", date=died_on.isoformat())
    pension = Pension.objects.select_for_update().select_related("agency").get(pk=pension.pk)
    existing = Death.objects.filter(person=person).first()
    if existing is not None:
        raise RuleViolation("DEATH-ALREADY-REGISTERED", died_on=existing.died_on.isoformat())
    death = Death.objects.create(
        person=person,
        died_on=died_on,
        source=source,
        reference=reference[:100],
        case_id=case_id,
        recorded_by=actor.username,
    )
    death_month = period_of(died_on)
    before = {
        "status": pension.status,
        "end_period": pension.end_period,
        "suspended_from": pension.suspended_from,
        "recheck_from": pension.recheck_from,
    }
    # Owed up to the month of death and not paid (withheld months, say): due to the estate.
    owed = [
        d
        for d in pension_differences(pension, first=pension.start_period, last=death_month)
        if d.difference_fen > 0
    ]
    pension.status = PensionStatus.STOPPED
    pension.end_period = death_month
    pension.end_reason = EndReason.DEATH
    pension.suspension_reason = ""
    pension.suspended_from = None
    # Nothing more goes through the payroll: the estate's months are paid to the heirs (the
    # death-benefit case) and the overpaid months are recovered below.
    pension.recheck_from = None
    pension.save(
        update_fields=[
            "status",
            "end_period",
            "end_reason",
            "suspension_reason",
            "suspended_from",
            "recheck_from",
            "updated_at",
        ]
    )
    last_paid = _last_paid(pension)
    overpaid = []
    if last_paid is not None and last_paid > death_month:
        overpaid = [
            d
            for d in pension_differences(pension, first=period_add(death_month, 1), last=last_paid)
            if d.difference_fen < 0
        ]
    overpaid_fen = -sum(d.difference_fen for d in overpaid)
    overpayment = None
    if overpaid_fen > 0:
        overpayment = Overpayment.objects.create(
            pension=pension,
            reason="death",
            periods=[d.period for d in overpaid],
            amount_fen=overpaid_fen,
            case_id=case_id,
            key=f"death:{person.pk}",
            created_by=actor.username,
        )
    details: dict[str, Any] = {
        "died_on": died_on.isoformat(),
        "source": source,
        "death": death.pk,
        "end_period": death_month,
        "estate_months": [d.period for d in owed],
        "estate_fen": sum(d.difference_fen for d in owed),
        "overpaid_months": [d.period for d in overpaid],
        "overpaid_fen": overpaid_fen,
    }
    PensionNotice.objects.create(
        pension=pension,
        kind=NoticeKind.STOP,
        period=period_add(death_month, 1),
        details=details,
        created_by=actor.username,
    )
    if overpayment is not None:
        PensionNotice.objects.create(
            pension=pension,
            kind=NoticeKind.OVERPAYMENT,
            period=overpaid[0].period,
            details={
                "overpayment": overpayment.pk,
                "months": overpayment.periods,
                "amount_fen": overpaid_fen,
                "reason": "death",
                "died_on": died_on.isoformat(),
            },
            created_by=actor.username,
        )
    relations = InsuredRelation.objects.filter(
        person=person, status__in=[RelationStatus.ACTIVE, RelationStatus.RETIRED]
    ).update(status=RelationStatus.DECEASED)
    benefits_stopped = benefits_stop_all(
        actor=actor, person=person, last_period=death_month, reason="death"
    )
    benefit_case = death_benefit_case_open(
        person=person, died_on=died_on, source=source, death=death
    )
    audit_record(
        actor=actor,
        action="pension.death",
        target=pension,
        target_agency=pension.agency,
        before=before,
        after={
            **details,
            "status": pension.status,
            "overpayment": overpayment.pk if overpayment else None,
            "relations_deceased": relations,
            "benefits_stopped": benefits_stopped,
            "death_benefit_case": benefit_case.pk,
            "case": case_id,
            "reference": reference[:100],
        },
    )
    return death


def _participant_death_register(
    *,
    actor: Actor,
    person: Person,
    died_on: date,
    source: str,
    reference: str,
    case_id: int | None,
) -> Death:
    """The death of a participant without a pension (a working member, a claimant of another
    benefit): the relations end with the month of death, every running benefit stops after it
    and the death-benefit case opens. There is no pension to stop, so nothing to recover."""
    ensure_in_scope(actor, person.managing_agency)
    if died_on > timezone.localdate():
        raise RuleViolation("DEATH-DATE-FUTURE", date=died_on.isoformat())
    # One registration of a person at a time: a second waits here, then finds the first.
    Person.objects.select_for_update().get(pk=person.pk)
    existing = Death.objects.filter(person=person).first()
    if existing is not None:
        raise RuleViolation("DEATH-ALREADY-REGISTERED", died_on=existing.died_on.isoformat())
    open_relations = InsuredRelation.objects.filter(
        person=person, status__in=[RelationStatus.ACTIVE, RelationStatus.SUSPENDED]
    )
    if not InsuredRelation.objects.filter(person=person).exists():
        raise RuleViolation("DEATH-NOT-PARTICIPANT")
    death = Death.objects.create(
        person=person,
        died_on=died_on,
        source=source,
        reference=reference[:100],
        case_id=case_id,
        recorded_by=actor.username,
    )
    death_month = period_of(died_on)
    # A relation open at the death ends with its month (its last month of contributions);
    # one that would only start later just turns deceased.
    ended = open_relations.filter(end_period__isnull=True, start_period__lte=death_month).update(
        status=RelationStatus.DECEASED, end_period=death_month, end_reason="death"
    )
    relations = ended + open_relations.update(status=RelationStatus.DECEASED)
    benefits_stopped = benefits_stop_all(
        actor=actor, person=person, last_period=death_month, reason="death"
    )
    benefit_case = death_benefit_case_open(
        person=person, died_on=died_on, source=source, death=death
    )
    audit_record(
        actor=actor,
        action="person.death",
        target=death,
        target_agency=person.managing_agency,
        after={
            "person": person.pk,
            "died_on": died_on.isoformat(),
            "source": source,
            "death_month": death_month,
            "relations_deceased": relations,
            "benefits_stopped": benefits_stopped,
            "death_benefit_case": benefit_case.pk,
            "case": case_id,
            "reference": reference[:100],
        },
    )
    return death


# --- the counter (SBBC004, reviewed) -----------------------------------------------------------


def death_request(*, actor: Actor, pension: Pension, died_on: date, reference: str = "") -> Case:
    """Open the case ending a retiree's pension on death; the approval registers it."""
    ensure_in_scope(actor, pension.agency)
    existing = Death.objects.filter(person_id=pension.person_id).first()
    if existing is not None:
        raise RuleViolation("DEATH-ALREADY-REGISTERED", died_on=existing.died_on.isoformat())
    if died_on > timezone.localdate():
        raise RuleViolation("DEATH-DATE-FUTURE", date=died_on.isoformat())
    with transaction.atomic(durable=True):
        open_case = Case.objects.filter(
            item__code=ITEM_END, applicant_person_id=pension.person_id, status__in=OPEN_STATUSES
        ).first()
        if open_case is not None:
            raise RuleViolation("DEATH-OPEN-REQUEST", receipt=open_case.receipt_no)
        return open_request(
            actor=actor,
            item_code=ITEM_END,
            channel=Channel.COUNTER,
            person=pension.person,
            data={
                "pension_id": pension.pk,
                "died_on": died_on.isoformat(),
                "reference": reference[:100],
                "monthly_fen": pension.monthly_fen,
            },
        )


def death_case_approved(case: Case, actor: Actor) -> None:
    """The SBBC004 handler: register the death the approved case states."""
    pension = Pension.objects.select_related("person").get(pk=case.data["pension_id"])
    person = pension.person
    death = death_register(
        actor=actor,
        person=person,
        died_on=date.fromisoformat(case.data["died_on"]),
        source=DeathSource.COUNTER,
        reference=case.data.get("reference", "") or case.receipt_no,
        case_id=case.pk,
    )
    case_record_link(case=case, record=death, effect="created")


# --- the death-data comparison file ------------------------------------------------------------

COMPARISON_COLUMNS = ("resident_id", "result", "date", "source")
ALIVE, DECEASED = "alive", "deceased"
ROW_ERRORS_SHOWN = 10
COMPARISON_MAX_BYTES = 20 * 1024 * 1024  # about 300,000 rows


@dataclass
class ComparisonReport:
    rows: int = 0
    certified: int = 0
    resumed: int = 0
    deaths: int = 0
    unchanged: int = 0
    overpaid_fen: int = 0
    death_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ComparisonRow:
    line: int
    pension: Pension
    result: str
    day: date
    source: str


def _parse_comparison(actor: Actor, content: bytes) -> list[ComparisonRow]:
    """Every row checked before anything is written: the header, the IDs (a retiree of the
    actor's subtree), the results and the dates. Any error refuses the whole file."""
    if len(content) > COMPARISON_MAX_BYTES:
        raise RuleViolation("COMPARE-FILE-SIZE", limit_mb=COMPARISON_MAX_BYTES // (1024 * 1024))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleViolation("COMPARE-FILE-ENCODING") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != COMPARISON_COLUMNS:
        raise RuleViolation("COMPARE-FILE-HEADER", expected=",".join(COMPARISON_COLUMNS))
    raw: list[tuple[int, list[str]]] = [
        (number, row) for number, row in enumerate(reader, start=2) if any(c.strip() for c in row)
    ]
    if not raw:
        raise RuleViolation("COMPARE-FILE-EMPTY")
    errors: list[str] = []
    ids: dict[int, str] = {}
    for number, row in raw:
        if len(row) != len(COMPARISON_COLUMNS):
            errors.append(f"line {number}: {len(row)} columns")
            continue
        try:
            ids[number] = resident_id_check(row[0].strip()).number
        except RuleViolation:
            errors.append(f"line {number}: resident ID not valid")
    pensions = {
        p.person.resident_id: p
        for p in scope_filter(
            Pension.objects.select_related("person", "agency"), actor, "agency"
        ).filter(person__resident_id__in=set(ids.values()))
    }
    parsed: list[ComparisonRow] = []
    seen: set[str] = set()
    today = timezone.localdate()
    for number, row in raw:
        if number not in ids:
            continue
        resident_id = ids[number]
        pension = pensions.get(resident_id)
        result = row[1].strip().lower()
        problems = []
        if pension is None:
            problems.append("no retiree with this resident ID")
        if resident_id in seen:
            problems.append("resident ID listed twice")
        seen.add(resident_id)
        if result not in (ALIVE, DECEASED):
            problems.append(f"result {row[1].strip()!r} is not alive or deceased")
        try:
            day = date.fromisoformat(row[2].strip())
            if day > today:
                problems.append(f"date {day} is in the future")
        except ValueError:
            problems.append(f"date {row[2].strip()!r} is not YYYY-MM-DD")
            day = today
        if pension is not None and result == ALIVE and pension.status == PensionStatus.STOPPED:
            problems.append("certified alive but the pension has stopped")
        if problems:
            errors.append(f"line {number}: {'; '.join(problems)}")
            continue
        assert pension is not None
        parsed.append(ComparisonRow(number, pension, result, day, row[3].strip()[:80]))
    if errors:
        detail = " | ".join(errors[:ROW_ERRORS_SHOWN])
        if len(errors) > ROW_ERRORS_SHOWN:
            detail += f" | … {len(errors) - ROW_ERRORS_SHOWN} more"
        raise RuleViolation("COMPARE-FILE-ROWS", count=len(errors), detail=detail)
    return parsed


def comparison_import(*, actor: Actor, content: bytes, file_name: str) -> ComparisonReport:
    """Import a death-data comparison file (CSV ``resident_id,result,date,source``): alive →
    a certification of channel data (resuming a suspended pension), deceased → the death is
    registered. All or nothing; importing the same file again changes nothing."""
    ensure_can(actor, Action.RUN_BATCH)
    rows = _parse_comparison(actor, content)
    report = ComparisonReport(rows=len(rows))
    with transaction.atomic(durable=True):
        for row in rows:
            source = f"{file_name[:60]}:{row.line}" + (f" {row.source}" if row.source else "")
            if row.result == ALIVE:
                outcome = certification_apply(
                    actor=actor,
                    pension=row.pension,
                    certified_on=row.day,
                    channel=CertificationChannel.DATA,
                    source=source[:100],
                )
                report.certified += int(outcome.created)
                report.resumed += int(outcome.resumed)
                report.unchanged += int(not outcome.created)
                continue
            if Death.objects.filter(person_id=row.pension.person_id).exists():
                report.unchanged += 1
                continue
            death = death_register(
                actor=actor,
                person=row.pension.person,
                died_on=row.day,
                source=DeathSource.COMPARISON,
                reference=source[:100],
            )
            report.deaths += 1
            report.death_ids.append(death.pk)
            report.overpaid_fen += sum(
                Overpayment.objects.filter(key=f"death:{death.person_id}").values_list(
                    "amount_fen", flat=True
                )
            )
        audit_record(
            actor=actor,
            action="pension.comparison_import",
            target_type="benefits.comparison_file",
            target_id=file_name[:100],
            after={
                "rows": report.rows,
                "certified": report.certified,
                "resumed": report.resumed,
                "deaths": report.deaths,
                "unchanged": report.unchanged,
                "overpaid_fen": report.overpaid_fen,
            },
        )
    return report


# --- overpayments ------------------------------------------------------------------------------


def overpayments_visible(actor: Actor) -> QuerySet[Overpayment]:
    return scope_filter(
        Overpayment.objects.select_related("pension__person", "pension__agency"),
        actor,
        "pension__agency",
    )


def overpayment_get(actor: Actor, overpayment_id: int) -> Overpayment:
    overpayment = overpayments_visible(actor).filter(pk=overpayment_id).first()
    if overpayment is None:
        raise OutOfScope()
    return overpayment


def overpayment_recover(
    *, actor: Actor, overpayment: Overpayment, amount_fen: int, recovered_on: date
) -> Overpayment:
    """Record money recovered on an overpayment (a refund by the heirs, say); the whole amount
    recovered closes it. Instalments and set-off against other benefits come later."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, overpayment.pension.agency)
    with transaction.atomic(durable=True):
        locked = Overpayment.objects.select_for_update().get(pk=overpayment.pk)
        if locked.status != OverpaymentStatus.OPEN:
            raise RuleViolation("OVERPAY-CLOSED", status=locked.get_status_display())
        outstanding = locked.amount_fen - locked.recovered_fen
        if amount_fen <= 0 or amount_fen > outstanding:
            raise RuleViolation("OVERPAY-RECOVERY-AMOUNT", outstanding=format_yuan(outstanding))
        before = {"recovered_fen": locked.recovered_fen, "status": locked.status}
        locked.recovered_fen += amount_fen
        if locked.recovered_fen == locked.amount_fen:
            locked.status = OverpaymentStatus.RECOVERED
        locked.save(update_fields=["recovered_fen", "status"])
        audit_record(
            actor=actor,
            action="overpayment.recover",
            target=locked,
            target_agency=overpayment.pension.agency,
            before=before,
            after={
                "amount_fen": amount_fen,
                "recovered_on": recovered_on.isoformat(),
                "recovered_fen": locked.recovered_fen,
                "status": locked.status,
            },
        )
    return locked
