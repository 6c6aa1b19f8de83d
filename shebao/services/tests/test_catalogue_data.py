"""The service catalogue file: its size and online share (launch report: ~120 items, 63 fully
online), the items rules.md §11 names, the legal time limits, and strict validation that names
the item code and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from shebao.services.catalogue_data import (
    CATEGORIES,
    CatalogueFileError,
    ServiceItemSpec,
    load_catalogue,
)

# catalogue.md's "plausible 63": the 20 Y items plus the y items except 15 named ones.
Y_ITEMS = {5, 6, 7, 16, 17, 18, 27, 28, 38, 39, 49, 59, 67, 68, 75, 78, 83, 99, 111, 115}
Y_SMALL_ITEMS = {
    *(1, 2, 3, 4, 9, 10, 13, 14, 15, 21, 22, 24, 25, 26, 29, 33, 34, 35, 36, 37, 41, 45),
    *(46, 48, 50, 51, 52, 53, 54, 58, 60, 61, 69, 72, 73, 74, 76, 79, 80, 81, 82, 84, 86),
    *(87, 89, 90, 91, 92, 98, 100, 102, 107, 110, 112, 113, 114, 117, 118),
}
NOT_YET_ONLINE = {10, 13, 14, 15, 24, 41, 45, 46, 60, 82, 84, 91, 110, 113, 114}
AUTOMATIC_ITEMS = {70, 71, 77, 109}

# Items named in the launch report (rules.md §11): code → a word its Chinese name contains.
LAUNCH_REPORT_ITEMS = {
    "SBRG001": "单位参保登记",  # employer registration
    "SBRG005": "职工参保登记",  # staff addition
    "SBRG006": "停保",  # staff removal
    "SBCL002": "缴费基数",  # contribution base verification
    "SBCL001": "缴费申报",  # contribution bill declaration
    "SBCT001": "参保证明",  # contribution certificate printing (employer)
    "SBCT002": "参保证明",  # contribution certificate printing (person)
    "SBBN027": "工伤医疗",  # work-injury benefits
    "SBBN032": "伤残待遇",  # work-injury benefits
    "SBAC008": "数据迁移",  # pension account maintenance after migration
}


@pytest.fixture(scope="module")
def catalogue() -> dict[str, ServiceItemSpec]:
    return {item.code: item for item in load_catalogue()}


def by_source(catalogue: dict[str, ServiceItemSpec], number: int) -> ServiceItemSpec:
    (item,) = [i for i in catalogue.values() if i.source_number == number]
    return item


# --- the shipped catalogue --------------------------------------------------------------------


def test_catalogue_holds_at_least_120_items_63_fully_online(catalogue):
    items = load_catalogue()
    assert len(items) >= 120
    assert len(catalogue) == len(items)  # codes are unique
    assert sum(item.fully_online for item in items) >= 63


def test_every_catalogue_md_item_is_present_once_plus_three_of_ours(catalogue):
    numbers = [i.source_number for i in catalogue.values() if i.source_number is not None]
    assert sorted(numbers) == list(range(1, 119))
    ours = {code for code, i in catalogue.items() if i.source_number is None}
    assert ours == {"SBAC008", "SBCT013", "SBCT014"}
    assert all(catalogue[code].provenance == "I" for code in ours)
    assert not catalogue["SBCT014"].fully_online  # the home visit happens at the person's home


def test_fully_online_set_is_the_plausible_63_plus_our_inquiry(catalogue):
    online = {i.source_number for i in catalogue.values() if i.fully_online}
    assert online - {None} == Y_ITEMS | (Y_SMALL_ITEMS - NOT_YET_ONLINE)
    assert len(online - {None}) == 63
    assert catalogue["SBCT013"].fully_online  # pension adjustment inquiry
    assert not catalogue["SBAC008"].fully_online  # needs the legacy records


@pytest.mark.parametrize(("code", "word"), LAUNCH_REPORT_ITEMS.items())
def test_items_named_in_the_launch_report_are_present(catalogue, code, word):
    assert word in catalogue[code].name


def test_every_category_is_used_and_codes_carry_it(catalogue):
    assert {i.category for i in catalogue.values()} == set(CATEGORIES)
    assert catalogue["SBRG001"].category == "registration"
    assert catalogue["SBQL001"].category == "qualification"


def test_channels_follow_the_online_and_automatic_flags(catalogue):
    for item in catalogue.values():
        assert "counter" in item.channels, item.code
        if item.fully_online:
            assert {"web", "api"} <= set(item.channels), item.code
    automatic = {i.source_number for i in catalogue.values() if i.automatic}
    assert automatic == AUTOMATIC_ITEMS
    assert catalogue["SBQL001"].allows("kiosk")  # pensioner certification at a hall kiosk


# --- time limits ------------------------------------------------------------------------------


def test_employer_registration_limit_is_15_calendar_days(catalogue):
    item = catalogue["SBRG001"]
    assert item.time_limit_days is None
    assert item.time_limit_calendar_days == 15


@pytest.mark.parametrize(
    ("source_number", "working_days"),
    [
        (5, 10),  # individual registration
        (7, 10),  # individual change
        (10, 10),  # individual cancellation (flexible worker)
        (42, 20),  # pension claim
        (67, 10),  # unemployment claim
        (98, 20),  # work-injury reimbursement
        (79, 20),  # stop-benefit notice
    ],
)
def test_rules_md_time_limits(catalogue, source_number, working_days):
    assert by_source(catalogue, source_number).time_limit_days == working_days


def test_on_the_spot_items_say_so_and_need_no_review(catalogue):
    immediate = [i for i in catalogue.values() if i.immediate]
    assert catalogue["SBCT002"] in immediate
    for item in immediate:
        assert "即时办结" in item.note, item.code
        assert not item.review_required, item.code


def test_only_employer_registration_uses_calendar_days(catalogue):
    calendar_items = [i.code for i in catalogue.values() if i.time_limit_calendar_days]
    assert calendar_items == ["SBRG001"]


def test_awards_and_registrations_are_reviewed(catalogue):
    assert catalogue["SBBN011"].review_required  # unemployment benefit claim
    assert catalogue["SBRG005"].review_required  # staff addition
    assert catalogue["SBRG008"].review_required  # key identity data correction
    assert not by_source(catalogue, 38).review_required  # policy consultation


# --- validation -------------------------------------------------------------------------------


def good_item(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": "SBRG901",
        "source_number": None,
        "name": "测试登记",
        "name_en": "Test registration",
        "scheme": "general",
        "category": "registration",
        "channels": ["counter", "web", "api"],
        "fully_online": True,
        "automatic": False,
        "applicant_kind": "person",
        "materials": [{"name": "居民身份证", "name_en": "Resident ID card"}],
        "time_limit_days": 10,
        "review_required": True,
        "provenance": "I",
        "legal_basis": "",
    }
    item.update(changes)
    return item


def write(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(items, allow_unicode=True), encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path):
    (item,) = load_catalogue(write(tmp_path, [good_item(channels=["api", "web", "counter"])]))
    assert item.code == "SBRG901"
    assert item.channels == ("counter", "web", "api")
    assert item.materials[0].name == "居民身份证"
    assert item.note == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"scheme": "medical"}, "scheme"),
        ({"category": "inquiry"}, "category"),
        ({"channels": ["counter", "fax"]}, "channels"),
        ({"channels": ["web", "api"]}, "channels"),
        ({"channels": ["counter"]}, "channels"),  # fully online without web
        ({"automatic": True}, "fully_online"),
        ({"automatic": True, "fully_online": False, "channels": ["counter", "web"]}, "channels"),
        ({"automatic": True, "fully_online": False, "channels": ["counter"]}, "materials"),
        ({"time_limit_days": -1}, "time_limit_days"),
        ({"time_limit_days": True}, "time_limit_days"),
        ({"time_limit_calendar_days": 15}, "time_limit_calendar_days"),
        ({"time_limit_days": None, "time_limit_calendar_days": 0}, "time_limit_calendar_days"),
        ({"fully_online": "yes"}, "fully_online"),
        ({"applicant_kind": "agent"}, "applicant_kind"),
        ({"provenance": "L"}, "provenance"),  # our item without a source number
        ({"source_number": 0, "provenance": "L"}, "source_number"),
        ({"materials": [{"name": "居民身份证"}]}, "materials"),
        ({"name": ""}, "name"),
    ],
)
def test_validation_errors_name_the_code_and_field(tmp_path, changes, field):
    with pytest.raises(CatalogueFileError) as err:
        load_catalogue(write(tmp_path, [good_item(**changes)]))
    assert (err.value.code, err.value.field) == ("SBRG901", field)
    assert f"SBRG901: {field}:" in str(err.value)


def test_a_missing_field_is_named(tmp_path):
    item = good_item()
    del item["review_required"]
    with pytest.raises(CatalogueFileError) as err:
        load_catalogue(write(tmp_path, [item]))
    assert (err.value.code, err.value.field) == ("SBRG901", "review_required")


@pytest.mark.parametrize("code", ["SB-RG-001", "SBRG01", "sbrg001", "XXRG001"])
def test_a_malformed_code_is_refused(tmp_path, code):
    with pytest.raises(CatalogueFileError) as err:
        load_catalogue(write(tmp_path, [good_item(code=code)]))
    assert (err.value.code, err.value.field) == (code, "code")


def test_a_code_must_carry_its_category(tmp_path):
    with pytest.raises(CatalogueFileError, match="starts with SBCT") as err:
        load_catalogue(write(tmp_path, [good_item(category="certificate")]))
    assert (err.value.code, err.value.field) == ("SBRG901", "code")


def test_duplicate_codes_are_refused(tmp_path):
    items = [good_item(), good_item(name="另一个", name_en="Another")]
    with pytest.raises(CatalogueFileError) as err:
        load_catalogue(write(tmp_path, items))
    assert (err.value.code, err.value.field) == ("SBRG901", "code")
    assert "duplicate" in str(err.value)


def test_duplicate_source_numbers_are_refused(tmp_path):
    items = [
        good_item(source_number=7, provenance="N"),
        good_item(code="SBRG902", name="另一个", source_number=7, provenance="N"),
    ]
    with pytest.raises(CatalogueFileError) as err:
        load_catalogue(write(tmp_path, items))
    assert (err.value.code, err.value.field) == ("SBRG902", "source_number")


def test_an_item_without_a_code_is_named_by_position(tmp_path):
    item = good_item()
    del item["code"]
    with pytest.raises(CatalogueFileError) as err:
        load_catalogue(write(tmp_path, [item]))
    assert (err.value.code, err.value.field) == ("item #1", "code")
