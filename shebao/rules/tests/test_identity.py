"""Resident ID check through the calculator interface (rules.md §9.1)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from stdnum.cn import ric

from shebao.core.errors import RuleViolation
from shebao.rules.calc import run_calc
from shebao.rules.tests.params import shipped


def with_check_character(body: str) -> str:
    return body + ric.calc_check_digit(body + "?")


def test_valid_id_gives_birth_date_sex_and_area():
    out = run_calc("id", {"id": "420302199001011237"}, shipped())
    assert out["valid"] is True
    assert out["id"] == "420302199001011237"
    assert out["birth_date"] == "1990-01-01"
    assert out["sex"] == "male"  # 17th digit 3 is odd
    assert out["area"] == "420302"
    assert out["upgraded_from"] is None
    assert [s["rule"] for s in out["trace"]] == ["ID-RESIDENT-CHECK"]


def test_id_is_normalised_spaces_full_width_and_lower_case_x():
    out = run_calc("id", {"id": " 4203 0319 8512 31002x "}, shipped())
    assert out["id"] == "42030319851231002X"
    assert out["sex"] == "female"  # 17th digit 2 is even
    out = run_calc("id", {"id": "４２０３０３１９８５１２３１００２Ｘ"}, shipped())
    assert out["id"] == "42030319851231002X"


def test_legacy_15_digit_id_is_upgraded_to_18():
    out = run_calc("id", {"id": "110105491231002"}, shipped())
    assert out["id"] == "11010519491231002X"
    assert out["birth_date"] == "1949-12-31"
    assert out["upgraded_from"] == "110105491231002"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("420302199001011236", "REG-ID-CHECKSUM"),
        ("42030219900101123", "REG-ID-FORMAT"),
        ("42030219900101123A", "REG-ID-FORMAT"),
        (420302199001011237, "REG-ID-FORMAT"),  # a JSON number, not a string
        (with_check_character("42030219900230123"), "REG-ID-BIRTHDATE"),  # 30 February
    ],
)
def test_malformed_id_is_refused_with_its_rule_code(raw, code):
    with pytest.raises(RuleViolation) as err:
        run_calc("id", {"id": raw}, shipped())
    assert err.value.code == code


def test_missing_id_is_refused():
    with pytest.raises(RuleViolation) as err:
        run_calc("id", {}, shipped())
    assert err.value.code == "CALC-INPUT-MISSING"


@pytest.mark.django_db
def test_calc_command_prints_the_error_json_and_exits_2_for_a_malformed_id():
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("calc", "id", "--input", '{"id": "420302199001011236"}', stdout=out)
    assert exit_.value.code == 2
    assert json.loads(out.getvalue())["error"]["code"] == "REG-ID-CHECKSUM"
