"""Back-payment (补缴) for past periods as a one-chunk batch run: each period is assessed with
that period's rates and that year's base, less what was already assessed for it, plus the late
fee from the period's due date to the day the back-payment is approved (社会保险法 art. 86).

Small volumes (one person, some months), so the amounts are computed in Python with the same
integer formula as the monthly SQL (``rates.amount_fen``) and the late-fee calculator.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shebao.contributions.models import AssessmentLine, BaseSource, Bill, BillKind, PaymentStatus
from shebao.contributions.rates import RateCard, amount_fen, param_from_json
from shebao.core.batch import ChunkOutcome, ChunkPlan, register_batch_job
from shebao.core.changes import periods_changed
from shebao.core.models import BatchChunk, BatchRun
from shebao.core.money import fen_to_yuan, yuan_to_fen
from shebao.registry.models import InsuredRelation, RelationKind, Scheme
from shebao.rules.calculators.late_fee import late_fee
from shebao.rules.params import ParamValue

KIND = "back_payment"
SCHEME_ORDER = (Scheme.PENSION, Scheme.UNEMPLOYMENT, Scheme.WORK_INJURY)


def relations_of(employer_id: int, person_id: int, period: int) -> list[InsuredRelation]:
    return list(
        InsuredRelation.objects.filter(
            employer_id=employer_id,
            person_id=person_id,
            kind=RelationKind.EMPLOYEE,
            start_period__lte=period,
        )
        .exclude(end_period__lt=period)
        .select_related("employer")
        .order_by("scheme")
    )


def period_lines(
    *, card: RateCard, relations: Iterable[InsuredRelation], base_fen: int, period: int
) -> list[AssessmentLine]:
    """What each relation owes for ``period`` on ``base_fen``, less what is already assessed."""
    lines = []
    for relation in relations:
        rates = card.for_agency(relation.agency_id)
        if relation.scheme == Scheme.PENSION:
            er, ind, credit = rates.pension_employer, rates.pension_individual, rates.account_credit
        elif relation.scheme == Scheme.UNEMPLOYMENT:
            er, ind, credit = rates.unemployment_employer, rates.unemployment_individual, 0
        else:
            employer = relation.employer
            assert employer is not None
            er = card.work_injury_rate(employer.risk_class, employer.floating_tier)
            ind, credit = 0, 0
        due = {
            "base_fen": base_fen,
            "employer_fen": amount_fen(base_fen, er),
            "individual_fen": amount_fen(base_fen, ind),
            "account_credit_fen": amount_fen(base_fen, credit),
        }
        billed = AssessmentLine.objects.filter(relation=relation, period=period).aggregate(
            **{name: Sum(name) for name in due}
        )
        delta = {name: value - (billed[name] or 0) for name, value in due.items()}
        if not any(delta.values()):
            continue
        lines.append(
            AssessmentLine(
                period=period,
                relation=relation,
                person_id=relation.person_id,
                employer_id=relation.employer_id,
                agency_id=relation.agency_id,
                scheme=relation.scheme,
                kind=relation.kind,
                base_source=BaseSource.BACK_PAYMENT,
                **delta,
            )
        )
    return lines


def line_late_fee(line: AssessmentLine, due: date, paid: date, daily_rate: ParamValue) -> int:
    owed = line.employer_fen + line.individual_fen
    if owed <= 0:
        return 0
    result = late_fee(amount=fen_to_yuan(owed), due=due, paid=paid, daily_rate=daily_rate)
    return yuan_to_fen(result.value.late_fee)


class BackPayment:
    kind = KIND
    label = gettext_lazy("Back-payment")

    def plan(self, run: BatchRun) -> Iterable[ChunkPlan]:
        person_id = int(run.params["person_id"])
        return [ChunkPlan("person", person_id, person_id)]

    def execute(self, run: BatchRun, chunk: BatchChunk) -> ChunkOutcome:
        params = run.params
        employer_id, person_id = int(params["employer_id"]), int(params["person_id"])
        as_of = date.fromisoformat(params["as_of"])
        daily_rate = param_from_json(params["late_fee_rate"])
        lines: list[AssessmentLine] = []
        for period_text, period_params in sorted(params["periods"].items()):
            period = int(period_text)
            card = RateCard(period_params["rates"])
            new = period_lines(
                card=card,
                relations=relations_of(employer_id, person_id, period),
                base_fen=int(period_params["base_fen"]),
                period=period,
            )
            for line in new:
                line.run = run
                line.late_fee_fen = line_late_fee(line, card.due_date, as_of, daily_rate)
            lines.extend(new)
        AssessmentLine.objects.bulk_create(lines, batch_size=500)
        if not lines:
            return ChunkOutcome()
        employer_fen = sum(line.employer_fen for line in lines)
        individual_fen = sum(line.individual_fen for line in lines)
        late_fee_fen = sum(line.late_fee_fen for line in lines)
        total = employer_fen + individual_fen + late_fee_fen
        first = lines[0]
        Bill.objects.create(
            number=f"B{min(line.period for line in lines)}-{run.pk}-E{employer_id}",
            run=run,
            period=min(line.period for line in lines),
            kind=BillKind.BACK_PAYMENT,
            employer_id=employer_id,
            agency_id=first.agency_id,
            persons=1,
            lines=len(lines),
            employer_fen=employer_fen,
            individual_fen=individual_fen,
            late_fee_fen=late_fee_fen,
            total_fen=total,
            account_credit_fen=sum(line.account_credit_fen for line in lines),
            due_date=as_of,
            issued_at=timezone.now(),
            payment_status=PaymentStatus.UNPAID if total > 0 else PaymentStatus.CREDIT,
        )
        totals = {
            "bills": 1,
            "lines": len(lines),
            "employer_fen": employer_fen,
            "individual_fen": individual_fen,
            "late_fee_fen": late_fee_fen,
            "total_fen": total,
        }
        return ChunkOutcome(rows=len(lines), totals=totals)

    def finish(self, run: BatchRun) -> None:
        """Each back-paid month's figures changed."""
        periods = AssessmentLine.objects.filter(run=run).values_list("period", flat=True)
        periods_changed("assessment", set(periods))


register_batch_job(BackPayment())
