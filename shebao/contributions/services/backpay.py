"""Back-payment requests (社会保险费断缴补缴, SBCL004): checked and priced at the counter,
assessed with late fees when a second person approves the case."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from shebao.contributions import backpay
from shebao.contributions.models import ContributionBase
from shebao.contributions.rates import RateCard, param_from_json, param_json, rate_card_build
from shebao.contributions.services.bases import clamp_of, year_bounds
from shebao.core.actors import Actor
from shebao.core.batch import batch_run_create, batch_run_execute
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import resident_id_check
from shebao.core.models import BatchRun
from shebao.core.periods import (
    period_add,
    period_first_day,
    period_last_day,
    period_of,
    period_range,
    period_validate,
)
from shebao.core.permissions import ensure_in_scope
from shebao.registry.models import Employer, Person, Scheme
from shebao.registry.services.common import open_request
from shebao.rules.params import ParameterSource
from shebao.rules.store import DatabaseParameters
from shebao.services.models import Case

ITEM_BACK_PAYMENT = "SBCL004"
MAX_MONTHS = 120

register_rule(
    "BACKPAY-PERIODS",
    "补缴期间 {start}–{end} 不正确：应为已过去的月份，起始不晚于终止，且不超过 {months} 个月。",
    "Back-payment periods {start}–{end} are wrong: past months only, start not after end, "
    "at most {months} months.",
)
register_rule(
    "BACKPAY-NOT-INSURED",
    "{period} 该人员在本单位没有参保关系，请先办理参保登记（可追溯）。",
    "In {period} this person has no insured relation with this employer: register the "
    "(back-dated) staff addition first.",
    "社会保险法 art. 58",
)
register_rule(
    "BACKPAY-WAGE-NEEDED",
    "{year} 年度没有核定缴费基数，请填写该期间的月平均工资。",
    "There is no verified base for {year}: give the average monthly wage of that time.",
)
register_rule(
    "BACKPAY-NOTHING-DUE",
    "所选期间已全部核定，无需补缴。",
    "Every month of the chosen periods is already assessed: nothing to back-pay.",
)
register_rule(
    "BACKPAY-PERSON-UNKNOWN",
    "该身份证号码没有参保登记。",
    "No person is registered under this resident ID.",
)


def _base_for_year(
    person: Person, employer: Employer, year: int, wage_fen: int | None, source: ParameterSource
) -> int:
    base = ContributionBase.objects.filter(person=person, scheme=Scheme.PENSION, year=year).first()
    if base is not None:
        return base.base_fen
    if wage_fen is None:
        raise RuleViolation("BACKPAY-WAGE-NEEDED", year=year)
    return clamp_of(wage_fen, year_bounds(employer.managing_agency, year, source))[0]


def back_payment_params(
    *,
    employer: Employer,
    person: Person,
    start: int,
    end: int,
    wage_fen: int | None,
    as_of: date,
    source: ParameterSource | None = None,
) -> dict[str, Any]:
    """Everything the run needs, frozen: each period's rate card and base, the late-fee rate."""
    source = source or DatabaseParameters()
    agency = employer.managing_agency
    periods: dict[str, Any] = {}
    bases: dict[int, int] = {}
    for period in period_range(start, end):
        if not backpay.relations_of(employer.pk, person.pk, period):
            raise RuleViolation("BACKPAY-NOT-INSURED", period=period)
        year = period // 100
        if year not in bases:
            bases[year] = _base_for_year(person, employer, year, wage_fen, source)
        on = period_first_day(period)
        months_after = source.lookup(
            "collection.due.months_after_period", agency.division_code, on
        ).integer()
        card = rate_card_build(
            source=source,
            agencies=[agency],
            on=on,
            region=agency.division_code,
            due_date=period_last_day(period_add(period, months_after)),
        )
        periods[str(period)] = {"rates": card, "base_fen": bases[year]}
    daily_rate = source.lookup("collection.late_fee.daily_rate", agency.division_code, as_of)
    return {
        "employer_id": employer.pk,
        "person_id": person.pk,
        "as_of": as_of.isoformat(),
        "wage_fen": wage_fen,
        "periods": periods,
        "late_fee_rate": param_json(daily_rate),
    }


def back_payment_preview(params: dict[str, Any]) -> dict[str, int]:
    """The amounts the run would assess, without writing anything."""
    as_of = date.fromisoformat(params["as_of"])
    rate = param_from_json(params["late_fee_rate"])
    totals = {"lines": 0, "employer_fen": 0, "individual_fen": 0, "late_fee_fen": 0}
    for period_text, period_params in params["periods"].items():
        period = int(period_text)
        card = RateCard(period_params["rates"])
        lines = backpay.period_lines(
            card=card,
            relations=backpay.relations_of(params["employer_id"], params["person_id"], period),
            base_fen=int(period_params["base_fen"]),
            period=period,
        )
        for line in lines:
            totals["lines"] += 1
            totals["employer_fen"] += line.employer_fen
            totals["individual_fen"] += line.individual_fen
            totals["late_fee_fen"] += backpay.line_late_fee(line, card.due_date, as_of, rate)
    totals["total_fen"] = totals["employer_fen"] + totals["individual_fen"] + totals["late_fee_fen"]
    return totals


def back_payment_request(
    *,
    actor: Actor,
    employer: Employer,
    resident_id: str,
    start: int,
    end: int,
    wage_fen: int | None = None,
    channel: str = "counter",
    today: date | None = None,
) -> Case:
    """Price the back-payment now (late fee to today) and open its case."""
    ensure_in_scope(actor, employer.managing_agency)
    today = today or timezone.localdate()
    period_validate(start)
    period_validate(end)
    current = period_of(today)
    if not start <= end < current or len(period_range(start, end)) > MAX_MONTHS:
        raise RuleViolation("BACKPAY-PERIODS", start=start, end=end, months=MAX_MONTHS)
    person = Person.objects.filter(resident_id=resident_id_check(resident_id).number).first()
    if person is None:
        raise RuleViolation("BACKPAY-PERSON-UNKNOWN")
    params = back_payment_params(
        employer=employer, person=person, start=start, end=end, wage_fen=wage_fen, as_of=today
    )
    preview = back_payment_preview(params)
    if not preview["lines"]:
        raise RuleViolation("BACKPAY-NOTHING-DUE")
    return open_request(
        actor=actor,
        item_code=ITEM_BACK_PAYMENT,
        channel=channel,
        employer=employer,
        data={
            "resident_id": person.resident_id,
            "start": start,
            "end": end,
            "wage_fen": wage_fen,
            "preview": preview,
        },
    )


def apply_back_payment(case: Case, actor: Actor, today: date | None = None) -> BatchRun:
    """On approval: assess the periods again with the late fee to the approval day."""
    assert case.applicant_employer_id is not None
    employer = Employer.objects.select_related("managing_agency").get(pk=case.applicant_employer_id)
    person = Person.objects.get(resident_id=case.data["resident_id"])
    params = back_payment_params(
        employer=employer,
        person=person,
        start=int(case.data["start"]),
        end=int(case.data["end"]),
        wage_fen=case.data.get("wage_fen"),
        as_of=today or timezone.localdate(),
    )
    params["case"] = case.receipt_no
    run = batch_run_create(
        actor=actor,
        kind=backpay.KIND,
        agency=employer.managing_agency,
        period=int(case.data["start"]),
        params=params,
    )
    return batch_run_execute(run, actor=actor)
