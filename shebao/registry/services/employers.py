"""Employers: registration (reviewed before the employer is active), changes with history,
suspension, transfer to another agency of the province, deregistration."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import credit_code_check
from shebao.core.models import Action, Agency
from shebao.core.money import format_yuan
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.registry.models import Employer, EmployerStatus
from shebao.registry.services.common import (
    ITEM_EMPLOYER_CHANGE,
    ITEM_EMPLOYER_DEREGISTRATION,
    ITEM_EMPLOYER_REGISTRATION,
    ITEM_EMPLOYER_TRANSFER,
    open_request,
)
from shebao.services.models import OPEN_STATUSES, Case

register_rule(
    "REG-EMPLOYER-EXISTS",
    "该统一社会信用代码已在全省登记（{agency}）。",
    "This credit code is already registered in the province ({agency}).",
)
register_rule(
    "REG-EMPLOYER-RISK",
    "工伤风险类别应为1–8，浮动档次应为该类别允许的比例（一类：100、120、150；二至八类：50、80、100、120、150）。",
    "Risk class must be 1–8 and the floating tier one the class allows "
    "(class 1: 100, 120, 150; classes 2–8: 50, 80, 100, 120, 150).",
    "工伤保险条例 art. 8",
)
register_rule(
    "REG-EMPLOYER-NOT-ACTIVE",
    "单位当前状态为“{status}”，不能办理此业务。",
    "The employer is '{status}' and cannot take this business.",
)
register_rule(
    "REG-DEREGISTER-OPEN-CASES",
    "单位尚有未办结的业务（{cases}），不能注销。",
    "The employer still has unfinished cases ({cases}) and cannot deregister.",
    "社会保险经办条例 art. 10",
)
register_rule(
    "REG-DEREGISTER-ACTIVE-STAFF",
    "单位尚有{count}名在保职工，请先办理人员减少。",
    "The employer still has {count} insured staff: remove them first.",
    "社会保险经办条例 art. 10",
)
register_rule(
    "REG-DEREGISTER-ARREARS",
    "单位尚有{bills}张缴费单未缴清（欠费 {amount} 元），请先补缴。",
    "The employer has {bills} bills not fully paid ({amount} yuan owed): pay them first.",
    "社会保险经办条例 art. 10",
)
register_rule(
    "REG-TRANSFER-SAME-AGENCY",
    "单位已由该经办机构管理。",
    "The employer is already managed by that agency.",
)

EMPLOYER_FIELDS = [
    "name",
    "legal_representative",
    "address",
    "division_code",
    "industry",
    "risk_class",
    "floating_tier",
    "bank_name",
    "bank_account",
    "contact_name",
    "contact_phone",
]
EMPLOYER_CHANGE_FIELDS = {*EMPLOYER_FIELDS, "status"}
ALLOWED_TIERS = {1: {100, 120, 150}}
DEFAULT_TIERS = {50, 80, 100, 120, 150}


def check_risk(risk_class: int | None, floating_tier: int | None) -> None:
    if risk_class is None and floating_tier is None:
        return
    if risk_class is None or not 1 <= risk_class <= 8:
        raise RuleViolation("REG-EMPLOYER-RISK")
    if floating_tier not in ALLOWED_TIERS.get(risk_class, DEFAULT_TIERS):
        raise RuleViolation("REG-EMPLOYER-RISK")


def employer_create(*, actor: Actor, credit_code: str, name: str, agency: Agency) -> Employer:
    """Enter an active employer directly (legacy data and demo; staff use employer_register)."""
    ensure_can(actor, Action.ACCEPT, category="registration")
    ensure_in_scope(actor, agency)
    with transaction.atomic(durable=True):
        employer = employer_insert(
            actor=actor,
            fields={"credit_code": credit_code, "name": name},
            agency=agency,
            status=EmployerStatus.ACTIVE,
        )
    return employer


def employer_insert(
    *, actor: Actor, fields: dict[str, Any], agency: Agency, status: str
) -> Employer:
    code = credit_code_check(str(fields.get("credit_code", "")))
    if not str(fields.get("name", "")).strip():
        raise RuleViolation("REG-NAME-REQUIRED")
    check_risk(fields.get("risk_class"), fields.get("floating_tier"))
    found = Employer.objects.select_related("managing_agency").filter(credit_code=code).first()
    if found is not None:
        raise RuleViolation("REG-EMPLOYER-EXISTS", agency=found.managing_agency.name)
    values = {k: v for k, v in fields.items() if k in EMPLOYER_FIELDS and v not in (None, "")}
    employer = Employer.objects.create(
        credit_code=code, managing_agency=agency, status=status, **values
    )
    audit_record(
        actor=actor,
        action="employer.create",
        target=employer,
        target_agency=agency,
        after={"credit_code": code, "name": employer.name, "status": status} | values,
    )
    return employer


def employer_register(
    *, actor: Actor, fields: dict[str, Any], agency: Agency, channel: str = "counter"
) -> Case:
    """Employer registration (单位参保登记): the employer is entered as pending and becomes
    active when a second person approves the case."""
    ensure_can(actor, Action.ACCEPT, item_code=ITEM_EMPLOYER_REGISTRATION, category="registration")
    ensure_in_scope(actor, agency)
    with transaction.atomic(durable=True):
        employer = employer_insert(
            actor=actor, fields=fields, agency=agency, status=EmployerStatus.PENDING
        )
        return open_request(
            actor=actor,
            item_code=ITEM_EMPLOYER_REGISTRATION,
            channel=channel,
            employer=employer,
            data={"employer": employer.pk},
        )


def ensure_employer_active(employer: Employer) -> None:
    if employer.status != EmployerStatus.ACTIVE:
        raise RuleViolation("REG-EMPLOYER-NOT-ACTIVE", status=EmployerStatus(employer.status).label)


def employer_change_request(
    *, actor: Actor, employer: Employer, changes: dict[str, Any], channel: str = "counter"
) -> Case:
    """Information change (单位基本信息变更), suspension and resumption included."""
    ensure_in_scope(actor, employer.managing_agency)
    for field in changes:
        if field not in EMPLOYER_CHANGE_FIELDS:
            raise RuleViolation("REG-CHANGE-FIELD", field=field)
    if "status" in changes and changes["status"] not in {
        EmployerStatus.ACTIVE,
        EmployerStatus.SUSPENDED,
    }:
        raise RuleViolation("REG-CHANGE-FIELD", field="status")
    wanted = {k: v for k, v in changes.items() if getattr(employer, k) != v}
    if not wanted:
        raise RuleViolation("REG-CHANGE-EMPTY")
    check_risk(
        wanted.get("risk_class", employer.risk_class),
        wanted.get("floating_tier", employer.floating_tier),
    )
    return open_request(
        actor=actor,
        item_code=ITEM_EMPLOYER_CHANGE,
        channel=channel,
        employer=employer,
        data={"changes": wanted},
    )


def employer_transfer_request(
    *, actor: Actor, employer: Employer, to_agency: Agency, channel: str = "counter"
) -> Case:
    """Transfer to another agency of the province (单位迁移): the employer and its active
    relations change managing agency when the case is approved."""
    ensure_in_scope(actor, employer.managing_agency)
    ensure_employer_active(employer)
    if to_agency.pk == employer.managing_agency_id:
        raise RuleViolation("REG-TRANSFER-SAME-AGENCY")
    return open_request(
        actor=actor,
        item_code=ITEM_EMPLOYER_TRANSFER,
        channel=channel,
        employer=employer,
        data={"to_agency": to_agency.code},
    )


def deregistration_blockers(employer: Employer, *, except_case: int | None = None) -> None:
    """Refuse while the employer has unfinished cases, insured staff or arrears, naming them
    (社会保险经办条例 art. 10)."""
    open_cases = employer.cases.filter(status__in=OPEN_STATUSES)
    if except_case is not None:
        open_cases = open_cases.exclude(pk=except_case)
    receipts = list(open_cases.values_list("receipt_no", flat=True)[:5])
    if receipts:
        raise RuleViolation("REG-DEREGISTER-OPEN-CASES", cases=", ".join(receipts))
    active = employer.relations.filter(status="active").values("person").distinct().count()
    if active:
        raise RuleViolation("REG-DEREGISTER-ACTIVE-STAFF", count=active)
    # Imported here: collection builds on the registry, not the other way round.
    from shebao.contributions.selectors import employer_unsettled

    bills, owed_fen = employer_unsettled(employer)
    if bills:
        raise RuleViolation("REG-DEREGISTER-ARREARS", bills=bills, amount=format_yuan(owed_fen))


def employer_deregister_request(
    *, actor: Actor, employer: Employer, reason: str, channel: str = "counter"
) -> Case:
    """Deregistration (参保单位注销)."""
    ensure_in_scope(actor, employer.managing_agency)
    deregistration_blockers(employer)
    return open_request(
        actor=actor,
        item_code=ITEM_EMPLOYER_DEREGISTRATION,
        channel=channel,
        employer=employer,
        data={"reason": reason.strip()},
    )
