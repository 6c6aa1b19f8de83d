"""Work injury: own-wage clamp, disability, nursing allowance, death at work (rules.md §7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.core.errors import RuleViolation
from shebao.rules.calc import run_calc
from shebao.rules.calculators.work_injury import (
    DeathAtWorkRules,
    Dependant,
    DisabilityRules,
    OwnWageLimits,
    death_at_work_benefits,
    disability_benefits,
    share_out,
)
from shebao.rules.tests.params import param, shipped

# Shiyan from 2025-12-01: regional average 7,226 (floor 4,335.60, cap 21,678.00); minimum wage
# 1,970 (2,130 in 茅箭区 and 张湾区).


def disability(**changes: Any) -> dict[str, Any]:
    return {"region": "420300", "on": "2025-12-15", "level": 5, "own_wage": "5000.00", **changes}


def death(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "region": "420300",
        "year_of_death": 2025,
        "own_wage": "6000.00",
        "dependants": [{"relation": "spouse"}],
    }
    return {**payload, **changes}


# --- disability ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "subsidy", "allowance", "payer"),
    [
        (1, "135000.00", "4500.00", "fund"),  # 27 months, 90%
        (2, "125000.00", "4250.00", "fund"),  # 25, 85%
        (3, "115000.00", "4000.00", "fund"),  # 23, 80%
        (4, "105000.00", "3750.00", "fund"),  # 21, 75%
        (5, "90000.00", "3500.00", "employer"),  # 18, 70%
        (6, "80000.00", "3000.00", "employer"),  # 16, 60%
        (7, "65000.00", "0.00", "none"),  # 13
        (8, "55000.00", "0.00", "none"),  # 11
        (9, "45000.00", "0.00", "none"),  # 9
        (10, "35000.00", "0.00", "none"),  # 7
    ],
)
def test_disability_benefits_by_level(level, subsidy, allowance, payer):
    out = run_calc("work-injury-disability", disability(level=level), shipped())
    assert out["own_wage_clamped"] == "5000.00"
    assert out["one_time_subsidy"] == subsidy
    assert out["monthly_allowance"] == allowance
    assert out["allowance_payer"] == payer
    assert out["topped_up"] is False
    assert out["nursing_allowance"] is None


@pytest.mark.parametrize(
    ("region", "own_wage", "clamped"),
    [
        ("420300", "3000.00", "4335.60"),  # 60% of 7,226
        ("420300", "30000.00", "21678.00"),  # 300% of 7,226
        ("420100", "3000.00", "4497.60"),  # Wuhan: 60% of 7,496
        ("420100", "30000.00", "22488.00"),  # 300% of 7,496
        ("420302", "4335.60", "4335.60"),  # 茅箭区 uses Shiyan's average wage
    ],
)
def test_own_wage_is_clamped_to_60_and_300_percent_of_the_regional_average(
    region, own_wage, clamped
):
    out = run_calc(
        "work-injury-disability", disability(region=region, level=9, own_wage=own_wage), shipped()
    )
    assert out["own_wage_clamped"] == clamped
    assert out["one_time_subsidy"] == str(Decimal(clamped) * 9)


@pytest.mark.parametrize(
    ("dependence", "nursing"),
    [("full", "3613.00"), ("major", "2890.40"), ("partial", "2167.80")],  # 50/40/30% of 7,226
)
def test_nursing_allowance_by_dependence(dependence, nursing):
    out = run_calc("work-injury-disability", disability(level=1, dependence=dependence), shipped())
    assert out["nursing_allowance"] == nursing


def test_allowance_below_the_minimum_wage_is_topped_up():
    # With the shipped figures the own-wage floor keeps every allowance above the minimum wage
    # (60% × 60% of 7,226 = 2,601.36 > 2,130), so a higher minimum wage shows the top-up.
    result = disability_benefits(
        level=6,
        own_wage=Decimal("3000.00"),
        dependence=None,
        limits=LIMITS,
        rules=DISABILITY_RULES,
        minimum_wage=param("wage.minimum_monthly", Decimal("2800.00"), "yuan", "420300"),
    )
    assert result.value.own_wage_clamped == Decimal("4335.60")
    assert result.value.monthly_allowance == Decimal("2800.00")  # 2,601.36 topped up
    assert result.value.topped_up is True
    assert result.value.allowance_payer == "employer"
    assert [s.rule for s in result.trace.steps][-1] == "WI-ALLOWANCE-TOP-UP"


def test_levels_without_allowance_need_no_minimum_wage():
    out = run_calc("work-injury-disability", disability(on="2024-06-01", level=8), shipped())
    assert out["one_time_subsidy"] == "55000.00"  # 2024 average 6,948: 5,000 is within range
    assert "wage.minimum_monthly" not in {p["key"] for p in out["parameters"]}


def test_an_allowance_before_the_minimum_wage_is_published_is_refused():
    with pytest.raises(RuleViolation) as err:
        run_calc("work-injury-disability", disability(on="2024-06-01", level=5), shipped())
    assert err.value.code == "PARAM-VALUE-UNPUBLISHED"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"level": 11}, "WI-LEVEL-UNKNOWN"),
        ({"level": 0}, "WI-LEVEL-UNKNOWN"),
        ({"level": "5"}, "CALC-INPUT-INVALID"),
        ({"dependence": "some"}, "WI-DEPENDENCE-UNKNOWN"),
        ({"own_wage": "-1.00"}, "CALC-INPUT-INVALID"),
        ({"own_wage": "lots"}, "CALC-INPUT-INVALID"),
        ({"region": "990000"}, "PARAM-REGION-UNKNOWN"),
        ({"on": "2010-06-01"}, "PARAM-NO-VALUE"),  # before the 2010 revision took effect
        ({"on": None}, "CALC-INPUT-MISSING"),
    ],
)
def test_bad_disability_input_is_refused_with_a_rule_code(changes, code):
    with pytest.raises(RuleViolation) as err:
        run_calc("work-injury-disability", disability(**changes), shipped())
    assert err.value.code == code


# --- death at work ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "subsidy"),
    [(2025, "1083760.00"), (2026, "1130040.00")],  # 20 × 54,188 and 20 × 56,502
)
def test_one_time_death_subsidy_by_year_of_death(year, subsidy):
    out = run_calc("work-injury-death", death(year_of_death=year), shipped())
    assert out["one_time_subsidy"] == subsidy


def test_one_time_death_subsidy_2020():
    # No 2020 regional average wage is shipped, so the calculator runs with a hand-made one.
    income = shipped().lookup("work_injury.death_subsidy_income", "420300", date(2020, 1, 1))
    rules = DeathAtWorkRules(**{**DEATH_RULES.__dict__, "subsidy_income": income})
    result = death_at_work_benefits(
        own_wage=Decimal("6000.00"), dependants=[], limits=LIMITS, rules=rules
    )
    assert result.value.one_time_subsidy == Decimal("847180.00")  # 20 × 42,359


@pytest.mark.parametrize(
    ("region", "funeral"),
    [("420300", "43356.00"), ("420303", "43356.00"), ("420000", "44976.00")],  # 6 × 7,226 / 7,496
)
def test_funeral_subsidy_is_six_months_of_the_regional_average_wage(region, funeral):
    assert (
        run_calc("work-injury-death", death(region=region), shipped())["funeral_subsidy"] == funeral
    )


def test_survivor_pensions_by_relation():
    dependants = [{"relation": "spouse"}, {"relation": "child"}, {"relation": "parent"}]
    out = run_calc("work-injury-death", death(dependants=dependants), shipped())
    assert [(p["relation"], p["ratio"], p["amount"]) for p in out["survivor_pensions"]] == [
        ("spouse", "0.40", "2400.00"),
        ("child", "0.30", "1800.00"),
        ("parent", "0.30", "1800.00"),
    ]
    assert out["survivor_total"] == "6000.00"  # exactly the own wage: not capped
    assert out["capped"] is False


def test_orphan_and_lone_elderly_get_ten_points_more_once():
    dependants = [
        {"relation": "child", "orphan": True},
        {"relation": "other", "orphan": True, "lone_elderly": True},
    ]
    out = run_calc("work-injury-death", death(dependants=dependants), shipped())
    assert [(p["ratio"], p["amount"]) for p in out["survivor_pensions"]] == [
        ("0.40", "2400.00"),
        ("0.40", "2400.00"),
    ]
    assert out["survivor_total"] == "4800.00"


def test_survivor_total_above_the_own_wage_is_shared_in_proportion():
    # 40% + 40% (orphan) + 30% + 30% = 140% of 6,000 → 6,000 shared 4:4:3:3.
    dependants = [
        {"relation": "spouse"},
        {"relation": "child", "orphan": True},
        {"relation": "parent"},
        {"relation": "parent"},
    ]
    out = run_calc("work-injury-death", death(dependants=dependants), shipped())
    assert [p["amount"] for p in out["survivor_pensions"]] == [
        "1714.29",
        "1714.29",
        "1285.71",
        "1285.71",
    ]
    assert out["survivor_total"] == "6000.00"
    assert out["capped"] is True


def test_rounding_never_lifts_the_total_above_the_own_wage():
    # 100.05 × 0.40 = 40.02, × 0.30 = 30.015 → 30.02 twice: 100.06 after rounding.
    limits = OwnWageLimits(
        average_wage=param("wage.reference_average_monthly", Decimal("100.00"), "yuan", "420300"),
        floor_ratio=param("work_injury.own_wage_floor_ratio", Decimal("0.60")),
        cap_ratio=param("work_injury.own_wage_cap_ratio", Decimal("3.00")),
    )
    result = death_at_work_benefits(
        own_wage=Decimal("100.05"),
        dependants=[Dependant("spouse"), Dependant("child"), Dependant("parent")],
        limits=limits,
        rules=DEATH_RULES,
    )
    assert [p.amount for p in result.value.survivor_pensions] == [
        Decimal("40.02"),
        Decimal("30.02"),
        Decimal("30.01"),
    ]
    assert result.value.survivor_total == Decimal("100.05")
    assert result.value.capped is True


def test_share_out_gives_leftover_fen_to_the_largest_remainders():
    assert share_out(Decimal("0.10"), [Decimal(1), Decimal(1), Decimal(1)]) == [
        Decimal("0.04"),
        Decimal("0.03"),
        Decimal("0.03"),
    ]


def test_no_dependants_no_survivor_pension():
    out = run_calc("work-injury-death", death(dependants=[]), shipped())
    assert out["survivor_pensions"] == []
    assert out["survivor_total"] == "0.00"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"dependants": [{"relation": "cousin"}]}, "WI-RELATION-UNKNOWN"),
        ({"dependants": [{"orphan": True}]}, "CALC-INPUT-MISSING"),
        ({"dependants": [{"relation": "child", "orphan": "yes"}]}, "CALC-INPUT-INVALID"),
        ({"dependants": "spouse"}, "CALC-INPUT-INVALID"),
        ({"year_of_death": 2019}, "PARAM-NO-VALUE"),  # no income figure for 2019 deaths
        ({"year_of_death": 2022}, "PARAM-VALUE-UNPUBLISHED"),  # not in our sources
        ({"year_of_death": 2027}, "PARAM-VALUE-UNPUBLISHED"),  # 2026 income not out yet
        ({"year_of_death": 1800}, "CALC-INPUT-INVALID"),
        ({"own_wage": "-6000.00"}, "CALC-INPUT-INVALID"),
        ({"region": "430000"}, "PARAM-REGION-UNKNOWN"),
    ],
)
def test_bad_death_input_is_refused_with_a_rule_code(changes, code):
    with pytest.raises(RuleViolation) as err:
        run_calc("work-injury-death", death(**changes), shipped())
    assert err.value.code == code


@given(
    own_wage=st.decimals(min_value=0, max_value=100_000, places=2),
    dependants=st.lists(
        st.builds(
            Dependant,
            relation=st.sampled_from(["spouse", "child", "parent", "other"]),
            orphan=st.booleans(),
            lone_elderly=st.booleans(),
        ),
        max_size=8,
    ),
)
def test_survivor_total_never_above_own_wage(own_wage, dependants):
    result = death_at_work_benefits(
        own_wage=own_wage, dependants=dependants, limits=LIMITS, rules=DEATH_RULES
    )
    benefits = result.value
    assert benefits.survivor_total <= benefits.own_wage_clamped
    assert benefits.survivor_total == sum(
        (p.amount for p in benefits.survivor_pensions), Decimal(0)
    )
    assert all(p.amount >= 0 for p in benefits.survivor_pensions)


# --- hand-made parameters (the shipped values, for the calculators called directly) -------------

LIMITS = OwnWageLimits(
    average_wage=param("wage.reference_average_monthly", Decimal("7226.00"), "yuan", "420300"),
    floor_ratio=param("work_injury.own_wage_floor_ratio", Decimal("0.60")),
    cap_ratio=param("work_injury.own_wage_cap_ratio", Decimal("3.00")),
)
DISABILITY_RULES = DisabilityRules(
    subsidy_months=param(
        "work_injury.disability_subsidy_months",
        {
            str(level): months
            for level, months in enumerate([27, 25, 23, 21, 18, 16, 13, 11, 9, 7], 1)
        },
        "table",
    ),
    allowance_ratio=param(
        "work_injury.disability_allowance_ratio",
        {
            str(level): Decimal(r)
            for level, r in enumerate(["0.90", "0.85", "0.80", "0.75", "0.70", "0.60"], 1)
        },
        "table",
    ),
    fund_max_level=param("work_injury.allowance_fund_max_level", 4, "count"),
    nursing_ratio=param(
        "work_injury.nursing_allowance_ratio",
        {"full": Decimal("0.50"), "major": Decimal("0.40"), "partial": Decimal("0.30")},
        "table",
    ),
)
DEATH_RULES = DeathAtWorkRules(
    subsidy_income=param("work_injury.death_subsidy_income", Decimal("54188.00"), "yuan"),
    subsidy_multiple=param("work_injury.death_subsidy_multiple", 20, "count"),
    funeral_months=param("work_injury.funeral_subsidy_months", 6, "months"),
    survivor_ratio=param(
        "work_injury.survivor_pension_ratio",
        {
            "spouse": Decimal("0.40"),
            "child": Decimal("0.30"),
            "parent": Decimal("0.30"),
            "other": Decimal("0.30"),
        },
        "table",
    ),
    lone_extra=param("work_injury.survivor_pension_lone_extra", Decimal("0.10")),
    total_cap_ratio=param("work_injury.survivor_total_cap_ratio", Decimal("1.00")),
)
