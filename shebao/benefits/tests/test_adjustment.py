"""The yearly pension adjustment: lines equal the calculator, totals equal the lines, nothing
applies before a second person approves, and the approval applies once, with back pay."""

from __future__ import annotations

from datetime import date

import pytest

from shebao.benefits.adjustment import age_in_years
from shebao.benefits.models import (
    AdjustmentDecision,
    AdjustmentLine,
    DecisionStatus,
    NoticeKind,
    PensionNotice,
    PensionRate,
)
from shebao.benefits.services.adjustment import (
    adjustment_decide,
    adjustment_run_create,
    adjustment_run_execute,
)
from shebao.benefits.services.pensions import pension_differences, rate_add
from shebao.benefits.tests.lifecycle_support import paid, retiree
from shebao.core.errors import RuleViolation
from shebao.core.models import Staff
from shebao.core.money import fen_to_yuan, yuan_to_fen
from shebao.core.periods import period_range
from shebao.core.permissions import OutOfScope
from shebao.core.services import claim_grant
from shebao.rules.calculators.adjustment import AdjustmentParams, pension_adjustment
from shebao.rules.params import NATIONAL, YamlParameters, default_parameter_dir
from shebao.rules.store import DatabaseParameters

pytestmark = pytest.mark.django_db

KEYS = {
    "overall_rate": "adjustment.overall_rate",
    "flat_amount": "adjustment.flat_amount",
    "proportional_rate": "adjustment.proportional_rate",
    "per_contribution_year": "adjustment.per_contribution_year",
    "age_extras": "adjustment.age_extras",
}


def params_of(year: int, region: str) -> AdjustmentParams:
    source = DatabaseParameters()
    on = date(year, 1, 1)
    return AdjustmentParams(
        **{
            name: source.lookup(key, NATIONAL if name == "overall_rate" else region, on)
            for name, key in KEYS.items()
        }
    )


@pytest.fixture
def retirees(agency):
    maojian, zhangwan = agency("420302"), agency("420303")
    retired = 202311  # first paid 202312, before the year adjusted
    pensions = [
        retiree(
            maojian,
            monthly_fen=312345,
            birth=date(1950, 1, 1),
            contribution_months=455,
            retirement_month=retired,
        ),
        retiree(
            maojian,
            monthly_fen=280001,
            birth=date(1954, 12, 31),
            contribution_months=180,
            retirement_month=retired,
        ),
        retiree(
            zhangwan,
            monthly_fen=409999,
            birth=date(1960, 6, 30),
            contribution_months=377,
            retirement_month=retired,
        ),
    ]
    for pension in pensions:
        paid(pension, *period_range(202501, 202506))
    return pensions


def computed(actor_of, agency, year: int = 2025, effective: int | None = None):
    fund = actor_of("fund_shiyan")
    run = adjustment_run_create(
        actor=fund, year=year, agency=agency("420300"), effective_period=effective
    )
    return adjustment_run_execute(run, actor=fund)


def test_each_line_equals_the_calculator_and_totals_equal_the_lines(actor_of, agency, retirees):
    run = computed(actor_of, agency)
    params = params_of(2025, "420300")
    lines = {line.pension_id: line for line in AdjustmentLine.objects.filter(run_id=run.pk)}
    for pension in retirees:
        line = lines[pension.pk]
        age = age_in_years(pension.person.birth_date, date(2025, 1, 1))
        expected = pension_adjustment(
            current_pension=fen_to_yuan(pension.monthly_fen),
            contribution_months=pension.contribution_months,
            age_years=age,
            params=params,
        ).value
        assert line.before_fen == pension.monthly_fen
        assert line.increase_fen == yuan_to_fen(expected.increase)
        assert line.after_fen == yuan_to_fen(expected.new_pension)
        assert line.age_years == age
    # 2025: proportional 2% (the default split): 3,123.45 × 0.02 = 62.469 → 62.47.
    assert lines[retirees[0].pk].increase_fen == 6247
    all_lines = AdjustmentLine.objects.filter(run_id=run.pk)
    assert run.totals["persons"] == all_lines.count()
    assert run.totals["before_fen"] == sum(line.before_fen for line in all_lines)
    assert run.totals["increase_fen"] == sum(line.increase_fen for line in all_lines)
    assert run.totals["after_fen"] == sum(line.after_fen for line in all_lines)
    assert run.params["regions"]["420300"]["proportional_rate"]["value"] == "0.02"


def test_nothing_applies_before_approval(actor_of, agency, retirees):
    run = computed(actor_of, agency)
    decision = AdjustmentDecision.objects.get(run=run)
    assert decision.status == DecisionStatus.AWAITING
    assert not PensionRate.objects.filter(source=f"run:{run.pk}").exists()
    for pension in retirees:
        pension.refresh_from_db()
        assert pension.recheck_from is None


def test_the_maker_cannot_approve(actor_of, agency, retirees):
    run = computed(actor_of, agency)
    fund = actor_of("fund_shiyan")
    with pytest.raises(RuleViolation) as err:
        adjustment_decide(actor=fund, run=run, approve=True)
    assert err.value.code == "CORE-PERMISSION"  # a fund officer does not approve at all


def test_approval_applies_once_with_rates_recheck_and_back_pay(actor_of, agency, retirees):
    run = computed(actor_of, agency)
    head = actor_of("head_shiyan")
    decision = adjustment_decide(actor=head, run=run, approve=True, note="省通知")
    assert decision.status == DecisionStatus.APPROVED
    assert decision.decided_by == "head_shiyan"
    for pension in retirees:
        line = AdjustmentLine.objects.get(run_id=run.pk, pension_id=pension.pk)
        pension.refresh_from_db()
        rate = PensionRate.objects.get(pension=pension, source=f"run:{run.pk}")
        assert (rate.effective_period, rate.monthly_fen, rate.reason) == (
            202501,
            line.after_fen,
            "adjustment",
        )
        assert pension.monthly_fen == line.after_fen
        assert pension.recheck_from == 202501
        # Back pay: each month already paid at the old rate is owed the increase.
        differences = pension_differences(pension, first=202501, last=202506)
        assert [d.period for d in differences] == period_range(202501, 202506)
        assert {d.difference_fen for d in differences} == {line.increase_fen}
        notice = PensionNotice.objects.get(pension=pension, kind=NoticeKind.ADJUSTMENT)
        assert notice.details["increase_fen"] == line.increase_fen
    with pytest.raises(RuleViolation) as err:
        adjustment_decide(actor=actor_of("head_maojian"), run=run, approve=True)
    assert err.value.code in {"ADJ-NOT-AWAITING", "CORE-SCOPE"}
    with pytest.raises(RuleViolation) as again:
        adjustment_decide(actor=head, run=run, approve=True)
    assert again.value.code == "ADJ-NOT-AWAITING"
    assert PensionRate.objects.filter(source=f"run:{run.pk}").count() == len(
        AdjustmentLine.objects.filter(run_id=run.pk)
    )


def test_a_pension_whose_rate_changed_since_the_run_is_skipped(actor_of, agency, retirees):
    run = computed(actor_of, agency)
    changed = retirees[1]
    rate_add(
        pension=changed,
        effective_period=202503,
        monthly_fen=290000,
        reason="recalculation",
        source="case:1",
    )
    decision = adjustment_decide(actor=actor_of("head_shiyan"), run=run, approve=True)
    assert not PensionRate.objects.filter(pension=changed, source=f"run:{run.pk}").exists()
    assert "skipped 1" in decision.note
    assert str(changed.pk) in decision.note
    run.refresh_from_db()
    assert run.totals["skipped"] == 1
    assert run.totals["applied"] == run.totals["persons"] - 1


def test_rejection_needs_a_reason_and_applies_nothing(actor_of, agency, retirees):
    run = computed(actor_of, agency)
    head = actor_of("head_shiyan")
    with pytest.raises(RuleViolation) as err:
        adjustment_decide(actor=head, run=run, approve=False, note=" ")
    assert err.value.code == "ADJ-REJECT-REASON"
    decision = adjustment_decide(actor=head, run=run, approve=False, note="split wrong")
    assert decision.status == DecisionStatus.REJECTED
    assert not PensionRate.objects.filter(source=f"run:{run.pk}").exists()
    # A rejected run can be computed again.
    assert computed(actor_of, agency).pk != run.pk


def test_second_run_for_the_year_is_refused_while_one_awaits(actor_of, agency, retirees):
    run = computed(actor_of, agency)
    with pytest.raises(RuleViolation) as err:
        adjustment_run_create(actor=actor_of("fund_shiyan"), year=2025, agency=agency("420302"))
    assert err.value.code == "ADJ-RUN-EXISTS"
    assert str(run.pk) in err.value.message_en


def test_unpublished_year_is_refused_with_the_store_code(system, agency):
    # The shipped parameter files: 2026 is null there (the demo enters placeholders).
    source = YamlParameters.from_directory(default_parameter_dir())
    with pytest.raises(RuleViolation) as err:
        adjustment_run_create(actor=system, year=2026, agency=agency("420100"), source=source)
    assert err.value.code == "PARAM-VALUE-UNPUBLISHED"
    assert "administrator" in err.value.message_en


def test_who_retired_during_the_year_is_not_adjusted(actor_of, agency, retirees):
    newcomer = retiree(agency("420302"), retirement_month=202412)  # first paid 202501
    run = computed(actor_of, agency)
    assert not AdjustmentLine.objects.filter(run_id=run.pk, pension_id=newcomer.pk).exists()


def test_adjustment_of_another_city_is_out_of_scope(actor_of, agency, retirees):
    run = computed(actor_of, agency)
    with pytest.raises(OutOfScope):
        adjustment_decide(actor=actor_of("reviewer_zhangwan"), run=run, approve=True)


def test_age_in_whole_years():
    assert age_in_years(date(1955, 1, 2), date(2025, 1, 1)) == 69
    assert age_in_years(date(1955, 1, 1), date(2025, 1, 1)) == 70


def test_the_maker_cannot_approve_even_holding_the_approve_permission(system, actor_of, agency):
    head = actor_of("head_shiyan")
    staff = Staff.objects.get(user__username="head_shiyan")
    claim_grant(actor=system, staff=staff, role_code="fund_officer", item_scope="*")
    maker = actor_of("head_shiyan")  # a fresh actor: the claims are read once per actor
    retiree(agency("420302"), retirement_month=202311)
    run = adjustment_run_create(actor=maker, year=2025, agency=agency("420300"))
    run = adjustment_run_execute(run, actor=maker)
    with pytest.raises(RuleViolation) as err:
        adjustment_decide(actor=head, run=run, approve=True)
    assert err.value.code == "ADJ-APPROVE-SELF"
    assert AdjustmentDecision.objects.get(run=run).status == DecisionStatus.AWAITING
