"""Parameter files: validation that names file and key, region fallback, effective dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from shebao.core.errors import RuleViolation
from shebao.rules.params import (
    ParameterFileError,
    YamlParameters,
    load_parameter_tree,
    region_chain,
)
from shebao.rules.tests.params import shipped

GOOD = """\
region: {region}
parameters:
  test.rate:
    unit: rate
    description: A test rate
    description_zh: 测试比例
    values:
      - from: 2020-01-01
        value: "0.10"
        reference: test
        confidence: verified
      - from: 2024-07-01
        value: "0.12"
        reference: test
        confidence: unverified
"""


def write(root: Path, folder: str, text: str, name: str = "test.yaml") -> Path:
    (root / folder).mkdir(parents=True, exist_ok=True)
    path = root / folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_parameter_files_load_and_cover_every_configured_region():
    regions = shipped().known_regions()
    assert {"CN", "420000", "420300", "420100"} <= regions


def test_region_chain_falls_back_district_city_province_nation():
    assert region_chain("420302") == ["420302", "420300", "420000", "CN"]
    assert region_chain("420000") == ["420000", "CN"]


def test_lookup_takes_the_value_in_force_on_the_date(tmp_path):
    write(tmp_path, "national", GOOD.format(region="CN"))
    source = YamlParameters.from_directory(tmp_path)
    assert source.lookup("test.rate", "CN", date(2024, 6, 30)).value == Decimal("0.10")
    in_force = source.lookup("test.rate", "CN", date(2024, 7, 1))
    assert (in_force.value, in_force.version) == (Decimal("0.12"), 2)


def test_city_value_overrides_from_its_own_date_and_province_applies_before(tmp_path):
    write(tmp_path, "420000", GOOD.format(region='"420000"'))
    city = (
        GOOD.format(region='"420300"')
        .replace("2020-01-01", "2023-01-01")
        .replace('"0.10"', '"0.20"')
    )
    write(tmp_path, "420300", city)
    source = YamlParameters.from_directory(tmp_path)
    assert source.lookup("test.rate", "420302", date(2022, 1, 1)).region == "420000"
    assert source.lookup("test.rate", "420302", date(2023, 1, 1)).value == Decimal("0.20")


def test_unknown_region_and_date_before_any_value_are_refused(tmp_path):
    write(tmp_path, "national", GOOD.format(region="CN"))
    write(tmp_path, "420000", GOOD.format(region='"420000"'))
    source = YamlParameters.from_directory(tmp_path)
    with pytest.raises(RuleViolation) as unknown_region:
        source.lookup("test.rate", "110000", date(2024, 1, 1))
    assert unknown_region.value.code == "PARAM-REGION-UNKNOWN"
    with pytest.raises(RuleViolation) as unconfigured_city:
        source.lookup("test.rate", "420500", date(2024, 1, 1))
    assert unconfigured_city.value.code == "PARAM-REGION-UNKNOWN"
    with pytest.raises(RuleViolation) as too_early:
        source.lookup("test.rate", "CN", date(2019, 12, 31))
    assert too_early.value.code == "PARAM-NO-VALUE"
    with pytest.raises(RuleViolation) as unknown_key:
        source.lookup("test.nothing", "CN", date(2024, 1, 1))
    assert unknown_key.value.code == "PARAM-UNKNOWN-KEY"


def test_unpublished_placeholder_refuses_rather_than_guessing(tmp_path):
    text = GOOD.format(region="CN").replace('value: "0.12"', "value: null")
    write(tmp_path, "national", text)
    source = YamlParameters.from_directory(tmp_path)
    with pytest.raises(RuleViolation) as refused:
        source.lookup("test.rate", "CN", date(2025, 1, 1))
    assert refused.value.code == "PARAM-VALUE-UNPUBLISHED"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('value: "0.10"', "value: 0.10"), "never floats"),
        (("2024-07-01", "2019-07-01"), "effective dates must rise"),
        (("2024-07-01", "2020-01-01"), "effective dates must rise"),
        (("reference: test\n        confidence: verified", "confidence: verified"), "reference"),
        (("confidence: unverified", "confidence: maybe"), "confidence"),
        (("unit: rate", "unit: percent"), "unit"),
        (('value: "0.12"', 'value: "twelve"'), "not a decimal"),
        (("from: 2020-01-01", "from: soon"), "'from' must be a date"),
    ],
)
def test_malformed_file_fails_loudly_naming_file_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
):
    old, new = change
    path = write(tmp_path, "national", GOOD.format(region="CN").replace(old, new, 1))
    with pytest.raises(ParameterFileError) as failure:
        load_parameter_tree(tmp_path)
    assert str(path) in str(failure.value)
    assert "test.rate" in str(failure.value)
    assert message in str(failure.value)


def test_same_key_twice_for_one_region_is_an_overlap(tmp_path):
    write(tmp_path, "national", GOOD.format(region="CN"), "a.yaml")
    write(tmp_path, "national", GOOD.format(region="CN"), "b.yaml")
    with pytest.raises(ParameterFileError, match="also defined"):
        load_parameter_tree(tmp_path)


def test_region_in_file_must_match_its_folder(tmp_path):
    write(tmp_path, "420300", GOOD.format(region='"420100"'))
    with pytest.raises(ParameterFileError, match="folder says"):
        load_parameter_tree(tmp_path)


def test_yaml_syntax_error_names_the_file(tmp_path):
    broken = GOOD.format(region="CN").replace("reference: test", "reference: a: b", 1)
    path = write(tmp_path, "national", broken)
    with pytest.raises(ParameterFileError) as failure:
        load_parameter_tree(tmp_path)
    assert str(path) in str(failure.value)
    assert "not valid YAML" in str(failure.value)
