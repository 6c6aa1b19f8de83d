"""Batch staff additions and removals from Excel: template, reading, validation, report.

Pure tests: the database is stood in for by ``FakeContext``, so no fixture needs Django's.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from shebao.core.errors import RULES, RuleViolation
from shebao.core.identifiers import ResidentIdInfo, resident_id_with_check
from shebao.registry.batch import (
    ADDITION_COLUMNS,
    REMOVAL_COLUMNS,
    BatchFile,
    BatchKind,
    BatchValidation,
    PensionHolder,
    RegisteredPerson,
    RowError,
    batch_template,
    error_report,
    read_batch,
    validate_rows,
)

ADDITION_HEADER = [column.header for column in ADDITION_COLUMNS]
REMOVAL_HEADER = [column.header for column in REMOVAL_COLUMNS]
TODAY = date(2025, 6, 15)  # the latest start period is then 202507
ALL_SCHEMES = "养老、失业、工伤"


def person_id(birth: str = "19900101", serial: int = 1, area: str = "420302") -> str:
    """A valid 18-character resident ID."""
    return resident_id_with_check(f"{area}{birth}{serial:03d}")


def wrong_check(resident_id: str) -> str:
    return resident_id[:17] + ("0" if resident_id[17] != "0" else "1")


@dataclass
class FakeContext:
    """The database as the lead's ORM context will answer, in memory, counting calls."""

    today: date = TODAY
    registered: dict[str, str] = field(default_factory=dict)
    holders: dict[str, PensionHolder] = field(default_factory=dict)
    insured_here: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[str, frozenset[str]]] = field(default_factory=list)

    def persons(self, resident_ids: frozenset[str]) -> dict[str, RegisteredPerson]:
        self.calls.append(("persons", resident_ids))
        return {
            rid: RegisteredPerson(name=name)
            for rid, name in self.registered.items()
            if rid in resident_ids
        }

    def active_pension_holders(self, resident_ids: frozenset[str]) -> dict[str, PensionHolder]:
        self.calls.append(("active_pension_holders", resident_ids))
        return {rid: h for rid, h in self.holders.items() if rid in resident_ids}

    def relations_to_end(self, resident_ids: frozenset[str]) -> dict[str, int]:
        self.calls.append(("relations_to_end", resident_ids))
        return {rid: start for rid, start in self.insured_here.items() if rid in resident_ids}

    def retirement_month(self, info: ResidentIdInfo) -> int:
        # Simplified for tests: everyone retires at 60.
        return (info.birth_date.year + 60) * 100 + info.birth_date.month


def xlsx(
    header: Sequence[object],
    rows: Iterable[Sequence[object] | None],
    *,
    title: str = "人员增加",
    edit: Callable[[Worksheet], None] | None = None,
) -> bytes:
    """A workbook with ``header`` in row 1 and ``rows`` below (``None`` rows stay empty)."""
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = title
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row) if row is not None else [])
    if edit is not None:
        edit(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def fill_template(kind: BatchKind, rows: Sequence[Sequence[object]]) -> bytes:
    workbook = load_workbook(io.BytesIO(batch_template(kind)))
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def error_cells(validation: BatchValidation) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, error.code) for error in validation.errors]


def refusal(data: bytes, kind: BatchKind = "addition", **limits: int) -> RuleViolation:
    with pytest.raises(RuleViolation) as refused:
        read_batch(data, kind, **limits)
    return refused.value


# Template ---------------------------------------------------------------------------------


def test_addition_template_filled_in_validates_clean() -> None:
    registered = person_id(serial=2)
    data = fill_template(
        "addition",
        [
            [
                person_id(serial=1),
                "张伟",
                "2025-06",
                ALL_SCHEMES,
                "新招用",
                "13812345678",
                "汉族",
                "城镇",
                "否",
            ],
            [registered, "王芳", "202507", "养老、工伤", "转入", None, None, "农村", None],
        ],
    )
    context = FakeContext(registered={registered: "王芳"})

    validation = validate_rows(read_batch(data, "addition"), context)

    assert validation.errors == ()
    first, second = validation.additions
    assert (first.row, first.resident_id, first.name) == (2, person_id(serial=1), "张伟")
    assert first.start_period == 202506
    assert first.schemes == ("pension", "unemployment", "work_injury")
    assert (first.reason, first.phone, first.ethnicity, first.hukou_type) == (
        "new_hire",
        "13812345678",
        "汉族",
        "urban",
    )
    assert (first.continuing, first.registered, first.sex) == (False, False, "M")
    assert (second.row, second.schemes, second.reason, second.hukou_type) == (
        3,
        ("pension", "work_injury"),
        "transfer_in",
        "rural",
    )
    assert second.registered is True


def test_removal_template_filled_in_validates_clean() -> None:
    leaver, retiree = person_id(serial=1), person_id("19650301", serial=2)
    data = fill_template(
        "removal", [[leaver, "张伟", "2025-06", "辞职"], [retiree, "李娜", "202503", "退休"]]
    )
    context = FakeContext(insured_here={leaver: 202001, retiree: 201001})

    validation = validate_rows(read_batch(data, "removal"), context)

    assert validation.errors == ()
    assert [(r.row, r.resident_id, r.end_period, r.reason) for r in validation.removals] == [
        (2, leaver, 202506, "resignation"),
        (3, retiree, 202503, "retirement"),
    ]


def test_template_has_drop_downs_instructions_and_frozen_header() -> None:
    workbook = load_workbook(io.BytesIO(batch_template("addition")))
    sheet = workbook["人员增加"]

    assert workbook.sheetnames == ["人员增加", "填写说明", "选项"]
    assert workbook["选项"].sheet_state == "hidden"
    assert [cell.value for cell in sheet[1]] == ADDITION_HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 22
    lists = {
        str(validation.sqref): validation.formula1
        for validation in sheet.data_validations.dataValidation
    }
    # 参保险种, 增加原因, 民族, 户籍类型, 延长缴费
    assert set(lists) == {"D2:D5001", "E2:E5001", "G2:G5001", "H2:H5001", "I2:I5001"}
    reasons_column = lists["E2:E5001"].split("!")[1].replace("$", "")[0]
    reasons = [cell.value for cell in workbook["选项"][reasons_column][1:] if cell.value]
    assert reasons == ["新招用", "转入", "续保"]
    instructions = " ".join(
        str(cell.value) for row in workbook["填写说明"].iter_rows() for cell in row if cell.value
    )
    assert "公式" in instructions
    assert "合并单元格" in instructions
    assert "5000" in instructions


def test_removal_template_lists_every_removal_reason() -> None:
    workbook = load_workbook(io.BytesIO(batch_template("removal")))

    assert [cell.value for cell in workbook["人员减少"][1]] == REMOVAL_HEADER
    assert [cell.value for cell in workbook["选项"]["A"][1:]] == [
        "辞职",
        "解除劳动合同",
        "劳动合同到期",
        "退休",
        "死亡",
        "转出",
        "停保",
        "其他",
    ]


def test_empty_template_is_refused_as_empty() -> None:
    assert refusal(batch_template("addition")).code == "BATCH-EMPTY"


# The mixed file of the issue ----------------------------------------------------------------

GOOD = person_id(serial=1)
ELSEWHERE = person_id(serial=3)
TOO_LATE = person_id(serial=4)
REGISTERED = person_id(serial=5)
HERE_ALREADY = person_id(serial=6)
MISNAMED = person_id(serial=7)
INJURY_ONLY = person_id(serial=8)
OTHER_EMPLOYER = "十堰市茅箭区华联超市有限公司"


def mixed_context() -> FakeContext:
    return FakeContext(
        registered={REGISTERED: "王芳", MISNAMED: "刘洋"},
        holders={
            ELSEWHERE: PensionHolder(OTHER_EMPLOYER, "十堰市茅箭区社会保险事业中心", False),
            HERE_ALREADY: PensionHolder("武汉中百超市有限公司", "武汉市社会保险中心", True),
            INJURY_ONLY: PensionHolder(OTHER_EMPLOYER, "十堰市茅箭区社会保险事业中心", False),
        },
    )


def mixed_file() -> bytes:
    return xlsx(
        ADDITION_HEADER,
        [
            [GOOD, "张伟", "2025-06", ALL_SCHEMES, "新招用"],  # 2
            [wrong_check(person_id(serial=2)), "李娜", "2025-06", ALL_SCHEMES, "新招用"],  # 3
            [person_id(serial=2)[:17], "李娜", "2025-06", ALL_SCHEMES, "新招用"],  # 4
            None,  # 5: empty, skipped
            [GOOD, "张伟", "2025-06", ALL_SCHEMES, "新招用"],  # 6: same person as row 2
            [ELSEWHERE, "赵磊", "2025-06", ALL_SCHEMES, "新招用"],  # 7
            [TOO_LATE, "孙丽", "2025-09", ALL_SCHEMES, "新招用"],  # 8
            [REGISTERED, "王芳", "2025-06", ALL_SCHEMES, "续保"],  # 9
            [HERE_ALREADY, "周杰", "2025-06", ALL_SCHEMES, "新招用"],  # 10
            [MISNAMED, "刘阳", "2025-12", "养老、医疗", "新招用"],  # 11
            [INJURY_ONLY, "吴敏", "2025-06", "工伤", "新招用"],  # 12
        ],
    )


def test_mixed_file_reports_exactly_the_expected_errors() -> None:
    validation = validate_rows(read_batch(mixed_file(), "addition"), mixed_context())

    assert error_cells(validation) == [
        (3, "公民身份号码", "REG-ID-CHECKSUM"),
        (4, "公民身份号码", "REG-ID-FORMAT"),
        (6, "公民身份号码", "BATCH-ROW-DUPLICATE"),
        (7, "公民身份号码", "REG-REL-DUPLICATE-ACTIVE"),
        (8, "开始期", "REG-REL-START-TOO-LATE"),
        (10, "公民身份号码", "BATCH-ALREADY-INSURED"),
        (11, "姓名", "BATCH-NAME-MISMATCH"),
        (11, "开始期", "REG-REL-START-TOO-LATE"),
        (11, "参保险种", "BATCH-SCHEME-UNKNOWN"),
    ]
    assert [row.row for row in validation.additions] == [2, 9, 12]
    assert (validation.rows_read, validation.rows_with_errors) == (10, 7)


def test_mixed_file_messages_name_the_first_row_and_mask_the_other_employer() -> None:
    validation = validate_rows(read_batch(mixed_file(), "addition"), mixed_context())
    messages = {(error.row, error.code): error for error in validation.errors}

    duplicate = messages[(6, "BATCH-ROW-DUPLICATE")]
    assert "第2行" in duplicate.message_zh
    assert "row 2" in duplicate.message_en
    elsewhere = messages[(7, "REG-REL-DUPLICATE-ACTIVE")]
    assert "十堰**********公司" in elsewhere.message_zh
    assert OTHER_EMPLOYER not in elsewhere.message_zh
    assert "十堰市茅箭区社会保险事业中心" in elsewhere.message_zh
    misnamed = messages[(11, "BATCH-NAME-MISMATCH")]
    assert "刘*" in misnamed.message_zh
    assert "刘洋" not in misnamed.message_zh
    assert "202508" not in messages[(8, "REG-REL-START-TOO-LATE")].message_zh
    assert "202507" in messages[(8, "REG-REL-START-TOO-LATE")].message_zh


def test_database_is_asked_once_per_lookup_for_the_whole_file() -> None:
    context = mixed_context()

    validate_rows(read_batch(mixed_file(), "addition"), context)

    every_id = frozenset(
        [GOOD, ELSEWHERE, TOO_LATE, REGISTERED, HERE_ALREADY, MISNAMED, INJURY_ONLY]
    )
    assert context.calls == [("persons", every_id), ("active_pension_holders", every_id)]


def test_viewer_allowed_to_see_the_other_employer_gets_its_full_name() -> None:
    context = mixed_context()
    holder = context.holders[ELSEWHERE]
    context.holders[ELSEWHERE] = replace(holder, employer_visible=True)

    validation = validate_rows(read_batch(mixed_file(), "addition"), context)

    duplicate = next(e for e in validation.errors if e.code == "REG-REL-DUPLICATE-ACTIVE")
    assert OTHER_EMPLOYER in duplicate.message_zh


def test_legacy_15_digit_id_is_upgraded_and_caught_as_a_duplicate() -> None:
    legacy = "420302900101123"  # born 1990-01-01, serial 123
    upgraded = resident_id_with_check("42030219900101123")
    data = xlsx(
        ADDITION_HEADER,
        [
            [legacy, "张伟", "2025-06", ALL_SCHEMES, "新招用"],
            [upgraded, "张伟", "2025-06", ALL_SCHEMES, "新招用"],
        ],
    )

    validation = validate_rows(read_batch(data, "addition"), FakeContext())

    (addition,) = validation.additions
    assert addition.resident_id == upgraded
    assert addition.id_info.upgraded_from == legacy
    assert error_cells(validation) == [(3, "公民身份号码", "BATCH-ROW-DUPLICATE")]


def test_enrolment_past_retirement_needs_continuing_contributions() -> None:
    born_1960 = person_id("19600115", serial=1)
    born_1961 = person_id("19610220", serial=3)
    data = xlsx(
        ADDITION_HEADER,
        [
            [born_1960, "张伟", "2025-06", "养老", "新招用", None, None, None, "否"],
            [born_1961, "李强", "2025-06", "养老", "新招用", None, None, None, "是"],
        ],
    )

    validation = validate_rows(read_batch(data, "addition"), FakeContext())

    assert error_cells(validation) == [(2, "开始期", "REG-REL-PAST-RETIREMENT")]
    (continuing,) = validation.additions
    assert (continuing.row, continuing.continuing) == (3, True)


def test_every_error_of_a_row_is_reported_with_its_column() -> None:
    data = xlsx(
        ADDITION_HEADER,
        [[None, "张伟3", "2025-13", None, "灵活就业参保", "123", "火星族", "城里", "可能"]],
    )

    validation = validate_rows(read_batch(data, "addition"), FakeContext())

    assert error_cells(validation) == [
        (2, "公民身份号码", "BATCH-CELL-REQUIRED"),
        (2, "姓名", "BATCH-NAME-INVALID"),
        (2, "开始期", "PERIOD-FORMAT"),
        (2, "参保险种", "BATCH-CELL-REQUIRED"),
        (2, "增加原因", "REG-REL-FLEX-EMPLOYER"),
        (2, "手机号码", "BATCH-PHONE-INVALID"),
        (2, "民族", "BATCH-ETHNICITY-UNKNOWN"),
        (2, "户籍类型", "BATCH-HUKOU-UNKNOWN"),
        (2, "延长缴费", "BATCH-YES-NO"),
    ]
    assert validation.valid_rows == ()


def test_cells_as_excel_stores_them_are_read() -> None:
    data = xlsx(
        ADDITION_HEADER,
        [
            # A date cell for the period, the phone as a number, schemes in any order and
            # separator, a minority name with another middle dot, ethnicity without 族.
            [
                person_id(serial=1),
                "阿依古丽•买买提",
                date(2025, 1, 1),
                "工伤,养老，失业",
                "新招用",
                13812345678,
                "维吾尔",
                "非农业",
                True,
            ],
            [person_id(serial=2), " 李 娜 ", 202502, "养老", "新招用"],
            # Excel keeps 15 significant digits: an 18-digit ID typed as a number is lost.
            [4.20302199001011e17, "王芳", "2025-06", "养老", "新招用"],
        ],
    )

    validation = validate_rows(read_batch(data, "addition"), FakeContext())

    first, second = validation.additions
    assert (first.name, first.start_period, first.schemes) == (
        "阿依古丽·买买提",
        202501,
        ("pension", "unemployment", "work_injury"),
    )
    assert (first.phone, first.ethnicity, first.hukou_type, first.continuing) == (
        "13812345678",
        "维吾尔族",
        "urban",
        True,
    )
    assert (second.name, second.start_period) == ("李娜", 202502)
    assert error_cells(validation) == [(4, "公民身份号码", "BATCH-ID-NUMERIC")]


# Removals ------------------------------------------------------------------------------------


def test_removals_report_people_not_insured_here_and_ends_before_start() -> None:
    leaver, recent, stranger = person_id(serial=1), person_id(serial=2), person_id(serial=3)
    data = xlsx(
        REMOVAL_HEADER,
        [
            [leaver, "张伟", "2025-06", "辞职"],  # 2
            [stranger, "李娜", "2025-06", "辞职"],  # 3
            [recent, "王芳", "2023-12", "解除劳动合同"],  # 4
            [leaver, "张伟", "2025-05", "辞职"],  # 5
            [person_id(serial=4), None, "2025-06", "跳槽"],  # 6
        ],
        title="人员减少",
    )
    context = FakeContext(insured_here={leaver: 202001, recent: 202401})

    validation = validate_rows(read_batch(data, "removal"), context)

    assert error_cells(validation) == [
        (3, "公民身份号码", "BATCH-NOT-INSURED-HERE"),
        (4, "终止期", "REG-REL-END-BEFORE-START"),
        (5, "公民身份号码", "BATCH-ROW-DUPLICATE"),
        (6, "公民身份号码", "BATCH-NOT-INSURED-HERE"),
        (6, "姓名", "BATCH-CELL-REQUIRED"),
        (6, "减少原因", "BATCH-REASON-UNKNOWN"),
    ]
    assert [(r.row, r.reason) for r in validation.removals] == [(2, "resignation")]
    assert [name for name, _ids in context.calls] == ["persons", "relations_to_end"]


def test_addition_file_read_as_removal_names_the_missing_columns() -> None:
    violation = refusal(fill_template("addition", [[person_id(), "张伟"]]), "removal")

    assert violation.code == "BATCH-COLUMNS-MISSING"
    assert "终止期*" in violation.message_zh
    assert "减少原因*" in violation.message_zh


# Reading: what is tolerated ------------------------------------------------------------------


def test_columns_are_matched_by_header_text_in_any_order() -> None:
    header = ["序号", " 增加原因 ＊", "姓名 *", "参保险种*", "公民身份号码", "开始期*", "备注"]
    data = xlsx(
        header,
        [
            [1, "新招用", "张伟", "养老", person_id(), "2025-06", "门店A"],
            [2, None, None, None, None, None, "只有序号和备注的行不算数据"],
        ],
        title="Sheet1",
    )

    batch = read_batch(data, "addition")

    assert batch.sheet == "Sheet1"
    assert batch.columns == {
        "reason": "B",
        "name": "C",
        "schemes": "D",
        "resident_id": "E",
        "start_period": "F",
    }
    (row,) = batch.rows
    assert row.row == 2
    assert row.cells["phone"] is None
    assert validate_rows(batch, FakeContext()).errors == ()


def test_formulas_and_merges_outside_the_columns_read_are_ignored() -> None:
    def edit(sheet: Worksheet) -> None:
        sheet["J2"] = "=ROW()-1"
        sheet.merge_cells("K2:K3")

    data = xlsx(
        [*ADDITION_HEADER, "序号", "部门"],
        [
            [person_id(serial=1), "张伟", "2025-06", "养老", "新招用"],
            [person_id(serial=2), "李娜", "2025-06", "养老", "新招用"],
        ],
        edit=edit,
    )

    assert [row.row for row in read_batch(data, "addition").rows] == [2, 3]


def test_a_wrong_dimension_in_the_file_cuts_no_rows_off() -> None:
    data = xlsx(
        ADDITION_HEADER,
        [[person_id(serial=n), "张伟", "2025-06", "养老", "新招用"] for n in range(1, 4)],
    )
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:I4"' in content
                content = content.replace(b'<dimension ref="A1:I4"', b'<dimension ref="A1:A1"')
            target.writestr(entry, content)

    assert [row.row for row in read_batch(buffer.getvalue(), "addition").rows] == [2, 3, 4]


# Reading: refusals of the whole file ---------------------------------------------------------


def good_file(rows: int = 2) -> bytes:
    return xlsx(
        ADDITION_HEADER,
        [[person_id(serial=n), "张伟", "2025-06", "养老", "新招用"] for n in range(1, rows + 1)],
    )


def plain_zip(**entries: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("公民身份号码,姓名\n".encode(), id="csv"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, id="xls"),
        pytest.param(b"", id="nothing"),
        pytest.param(plain_zip(readme=b"not a workbook"), id="zip-without-workbook"),
        pytest.param(good_file()[:3000], id="truncated"),
    ],
)
def test_what_is_not_an_xlsx_is_refused(data: bytes) -> None:
    assert refusal(data).code == "BATCH-NOT-XLSX"


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened() -> None:
    violation = refusal(b"x" * 2_000_000, max_bytes=1_000_000)

    assert violation.code == "BATCH-TOO-LARGE"
    assert "1.9 MB" in violation.message_zh


def test_a_zip_bomb_is_refused_by_its_unpacked_size() -> None:
    bomb = plain_zip(**{"[Content_Types].xml": b"<Types/>", "xl__big.xml": b"0" * 3_000_000})

    violation = refusal(bomb, max_bytes=100_000)

    assert violation.code == "BATCH-TOO-LARGE-UNPACKED"


def test_more_rows_than_allowed_are_refused_naming_the_first_row_over() -> None:
    violation = refusal(good_file(rows=3), max_rows=2)

    assert violation.code == "BATCH-TOO-MANY-ROWS"
    assert "第4行" in violation.message_zh


def test_a_formula_in_a_column_read_is_refused_naming_the_cell() -> None:
    def edit(sheet: Worksheet) -> None:
        sheet["C3"] = '=TEXT(TODAY(),"yyyymm")'

    rows = [[person_id(serial=n), "张伟", "2025-06", "养老", "新招用"] for n in (1, 2)]

    violation = refusal(xlsx(ADDITION_HEADER, rows, edit=edit))

    assert violation.code == "BATCH-FORMULA"
    assert "C3" in violation.message_zh
    assert "C3" in violation.message_en


def test_merged_cells_in_a_column_read_are_refused_naming_the_range() -> None:
    def edit(sheet: Worksheet) -> None:
        sheet.merge_cells("C2:C3")

    violation = refusal(xlsx(ADDITION_HEADER, [["x"], ["y"]], edit=edit))

    assert violation.code == "BATCH-MERGED"
    assert "C2:C3" in violation.message_zh


def test_missing_required_columns_are_named() -> None:
    violation = refusal(
        xlsx(["公民身份号码*", "姓名*", "参保险种*"], [[person_id(), "张伟", "养老"]])
    )

    assert violation.code == "BATCH-COLUMNS-MISSING"
    assert "开始期*、增加原因*" in violation.message_zh
    assert "开始期*、增加原因*" in violation.message_en


def test_a_column_given_twice_is_refused() -> None:
    violation = refusal(xlsx([*ADDITION_HEADER, "姓名"], [[person_id(), "张伟"]]))

    assert violation.code == "BATCH-COLUMNS-DUPLICATE"
    assert "姓名" in violation.message_zh


def test_a_sheet_with_a_header_only_is_refused_as_empty() -> None:
    violation = refusal(xlsx(ADDITION_HEADER, [None, None]))

    assert violation.code == "BATCH-EMPTY"
    assert "人员增加" in violation.message_zh


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255))
def test_a_damaged_file_is_refused_with_a_rule_code_and_nothing_else(
    position: int, flip: int
) -> None:
    original = good_file()
    damaged = bytearray(original)
    damaged[position % len(damaged)] ^= flip

    outcome = read_or_refuse(bytes(damaged))

    if isinstance(outcome, RuleViolation):
        assert outcome.code.startswith("BATCH-")
    else:  # the byte fell somewhere harmless (a timestamp, a style): all rows are there
        assert [row.row for row in outcome.rows] == [2, 3]


def read_or_refuse(data: bytes) -> BatchFile | RuleViolation:
    try:
        return read_batch(data, "addition")
    except RuleViolation as violation:
        return violation


# Error report --------------------------------------------------------------------------------


def test_error_report_holds_every_error_and_a_summary() -> None:
    validation = validate_rows(read_batch(mixed_file(), "addition"), mixed_context())

    workbook = load_workbook(io.BytesIO(error_report(validation)))

    lines = list(workbook["错误明细"].iter_rows(min_row=2, values_only=True))
    assert lines == [
        (e.row, e.column, e.code, e.message_zh, e.message_en) for e in validation.errors
    ]
    assert [cell.value for cell in workbook["错误明细"][1]][:3] == [
        "行号 Row",
        "列 Column",
        "规则代码 Rule",
    ]
    summary = {line[0]: line[1] for line in workbook["汇总"].iter_rows(values_only=True)}
    assert summary == {
        "导入类型 Kind": "人员增加",
        "读取行数 Rows read": 10,
        "校验通过 Valid rows": 3,
        "有错误的行 Rows with errors": 7,
        "错误条数 Errors": 9,
    }


def test_error_report_keeps_text_that_looks_like_a_formula_as_text() -> None:
    typed = '=HYPERLINK("http://example.com","点我")'
    validation = BatchValidation(
        kind="addition",
        rows_read=1,
        valid_rows=(),
        errors=(RowError(2, "姓名", "BATCH-NAME-INVALID", typed, typed),),
    )

    sheet = load_workbook(io.BytesIO(error_report(validation)))["错误明细"]

    assert sheet["D2"].value == typed
    assert sheet["D2"].data_type == "s"


def test_every_batch_rule_has_a_chinese_and_an_english_message() -> None:
    batch_rules = [rule for code, rule in RULES.items() if code.startswith("BATCH-")]

    assert len(batch_rules) >= 20
    assert all(rule.message_zh and rule.message_en for rule in batch_rules)
