"""The statistical reports: every figure of reports A and B is a count or sum over the records
(insured relations, assessment lines, payroll lines) of the agency subtree, the total row is the
sum of the rows, the scope and the permissions hold, and the Excel file shows what the page
shows.

Given: on top of the demo (assessed and partly paid for 2026-09 and 2026-10, pensions paid for
those months), staff in 茅箭区 and 张湾区 assessed for 2026-11 with one employer's bill paid,
November's payroll of Shiyan paying a pension and three other benefits with one returned by the
bank, and the summaries of 2026 rebuilt.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO

import pytest
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from openpyxl import load_workbook

from shebao.benefits.bankfiles import return_file_bytes
from shebao.benefits.models import Benefit, BenefitKind, PayrollLine
from shebao.benefits.services.benefits import Payee, benefit_open
from shebao.benefits.services.payroll import (
    payroll_return_import,
    payroll_run_create,
    payroll_run_execute,
)
from shebao.benefits.tests.payroll_support import pension_make
from shebao.contributions.models import AssessmentLine, Bill
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.services.payments import payment_file_import
from shebao.contributions.tests.conftest import base_set
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.contributions.tests.test_payments import payment_file
from shebao.core.models import Agency, AuditEntry
from shebao.core.money import fen_to_yuan
from shebao.registry.models import InsuredRelation, Person, Scheme
from shebao.reports.models import (
    BillSummary,
    ContributionSummary,
    InsuredSummary,
    PayrollSummary,
    RetireeSummary,
)
from shebao.reports.refresh import summaries_refresh
from shebao.reports.statements import (
    FUNDS,
    INSURED,
    TOTAL,
    ReportPeriod,
    Statement,
    fund_income_and_expenditure,
    insured_and_contributions,
)

pytestmark = pytest.mark.django_db

NOVEMBER = 202611
YEAR = 2026
MONTH = ReportPeriod(2026, 11)
ANNUAL = ReportPeriod(2026)
BASE_FEN = 600000
URL = "/statistics/reports/"
EXCEL_URL = "/statistics/reports/report.xlsx"

# The expenditure columns of report B, spelled out here rather than taken from the code.
WORK_INJURY_KINDS = ("disability_lump_sum", "disability_allowance", "nursing_allowance",
                     "medical_reimbursement")  # fmt: skip
DEATH_KINDS = ("funeral_grant", "survivor_pension", "death_lump_sum", "survivor_payment",
               "inheritance")  # fmt: skip


def _payee_person(agency: Agency) -> Person:
    person = person_make(agency, birth=date(1975, 3, 1))
    person.bank_name, person.bank_account = "中国建设银行", f"62170000{person.pk:011d}"
    person.save(update_fields=["bank_name", "bank_account"])
    return person


def _benefit(system, agency: Agency, scheme: str, kind: str, monthly_fen: int) -> Benefit:
    person = _payee_person(agency)
    with transaction.atomic():
        return benefit_open(
            actor=system,
            person=person,
            agency=agency,
            scheme=scheme,
            kind=kind,
            payee=Payee.of(person),
            start_period=NOVEMBER,
            monthly_fen=monthly_fen,
        )


@pytest.fixture
def register(system, agency):
    """The records of the module's docstring; returns what the tests single out."""
    maojian, zhangwan, city = agency("420302"), agency("420303"), agency("420300")
    paid_employer = employer_make(maojian)
    staff = [person_make(maojian) for _ in range(2)]
    for person in staff:
        relations_make(person, paid_employer, agency=maojian, start=202601)
    flexible = person_make(maojian)
    relations_make(flexible, None, agency=maojian, start=202601, schemes=(Scheme.PENSION,))
    left = person_make(maojian)
    relations_make(left, paid_employer, agency=maojian, start=202601, end=202610)
    joining = person_make(maojian)
    relations_make(joining, paid_employer, agency=maojian, start=202612)
    unpaid_employer = employer_make(zhangwan)
    other = person_make(zhangwan)
    relations_make(other, unpaid_employer, agency=zhangwan, start=202601)
    for person in (*staff, flexible, left, joining, other):
        base_set(person, YEAR, BASE_FEN)

    runs = {}
    for district in (maojian, zhangwan):
        run = assessment_run_create(actor=system, period=NOVEMBER, agency=district)
        runs[district.code] = assessment_run_execute(run, actor=system)
    bill = Bill.objects.get(run=runs["420302"], employer=paid_employer)
    payment_file_import(
        actor=system,
        content=payment_file([("STMT-1", bill, bill.total_fen, "2026-11-20")]),
        file_name="stmt.csv",
    )

    pension_make(maojian, monthly_fen=310000, retirement_month=202610)
    unemployment = _benefit(system, zhangwan, "unemployment", BenefitKind.UNEMPLOYMENT, 191700)
    allowance = _benefit(system, maojian, "work_injury", BenefitKind.DISABILITY_ALLOWANCE, 250000)
    funeral = _benefit(system, maojian, "pension", BenefitKind.FUNERAL_GRANT, 563700)
    payroll = payroll_run_execute(
        payroll_run_create(actor=system, period=NOVEMBER, agency=city), actor=system
    )
    returned = PayrollLine.objects.get(run_id=payroll.pk, benefit_id=funeral.pk)
    payroll_return_import(
        actor=system,
        run=payroll,
        file_name="return.csv",
        content=return_file_bytes([(returned.pk, "F", "账户已销户")]),
    )
    summaries_refresh(ANNUAL.periods)
    return {
        "bill": bill,
        "benefits": (unemployment, allowance, funeral),
        "returned": returned,
    }


# --- the records, counted directly -----------------------------------------------------------


def _scope(queryset: QuerySet, agency: Agency, own: bool) -> QuerySet:
    if own:
        return queryset.filter(agency=agency)
    return queryset.filter(agency__path__startswith=agency.path)


def direct_insured_row(agency: Agency, own: bool, stock: int, periods: list[int]) -> dict[str, int]:
    """Report A's figures of one row, straight from relations and assessment lines."""
    in_force = _scope(InsuredRelation.objects.all(), agency, own).filter(
        Q(end_period__isnull=True) | Q(end_period__gte=stock), start_period__lte=stock
    )
    lines = _scope(AssessmentLine.objects.all(), agency, own)
    figures: dict[str, int] = {}
    for scheme in Scheme:
        key = scheme.value
        of_scheme = in_force.filter(scheme=key)
        # A person is counted once per agency and kind, as a change of employer leaves two
        # relations in force in its month.
        employees, flexible = (
            of_scheme.filter(kind=kind).values("agency", "person").distinct().count()
            for kind in ("employee", "flexible")
        )
        if scheme == Scheme.PENSION:
            figures[f"{key}.insured_employee"] = employees
            figures[f"{key}.insured_flexible"] = flexible
        figures[f"{key}.insured"] = employees + flexible
        # A person is counted once per agency: the rows add up to the total.
        figures[f"{key}.persons"] = (
            lines.filter(period=stock, scheme=key).values("agency", "person").distinct().count()
        )
        sums = lines.filter(period__in=periods, scheme=key).aggregate(
            employer=Sum("employer_fen"),
            individual=Sum("individual_fen"),
            paid=Sum(F("employer_fen") + F("individual_fen"), filter=Q(paid_on__isnull=False)),
        )
        for name in ("employer", "individual", "paid"):
            figures[f"{key}.{name}"] = sums[name] or 0
    return figures


def direct_fund_row(agency: Agency, scheme: Scheme, periods: list[int]) -> dict[str, int]:
    """Report B's figures of one scheme, straight from assessment and payroll lines."""
    received = AssessmentLine.objects.filter(
        agency__path__startswith=agency.path,
        period__in=periods,
        scheme=scheme.value,
        paid_on__isnull=False,
    ).aggregate(s=Sum(F("employer_fen") + F("individual_fen")))["s"]
    # The payroll lines of the months' runs (a line's run month, not the month paid for).
    lines = PayrollLine.objects.filter(
        agency__path__startswith=agency.path,
        run__kind="pension_payroll",
        run__period__in=periods,
    )
    pensions = lines.filter(benefit__isnull=True) if scheme == Scheme.PENSION else lines.none()
    benefits = lines.filter(benefit__scheme=scheme.value)

    def total(queryset: QuerySet) -> int:
        return queryset.aggregate(s=Sum("amount_fen"))["s"] or 0

    figures = {
        "received": received or 0,
        "pensions": total(pensions),
        "unemployment": total(benefits.filter(benefit__kind="unemployment")),
        "work_injury": total(benefits.filter(benefit__kind__in=WORK_INJURY_KINDS)),
        "death": total(benefits.filter(benefit__kind__in=DEATH_KINDS)),
        "returned": total(pensions.filter(status="failed"))
        + total(benefits.filter(status="failed")),
    }
    figures["spent"] = (
        figures["pensions"]
        + figures["unemployment"]
        + figures["work_injury"]
        + figures["death"]
        - figures["returned"]
    )
    figures["balance"] = figures["received"] - figures["spent"]
    return figures


def as_dict(statement: Statement, row_key: str) -> dict[str, int]:
    return {c.key: statement.value(row_key, c.key) for c in statement.columns}


def assert_total_is_the_sum_of_the_rows(statement: Statement) -> None:
    *rows, total = statement.rows
    assert total.key == TOTAL
    assert list(total.values) == [
        sum(values) for values in zip(*(r.values for r in rows), strict=True)
    ]


# --- report A -----------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [MONTH, ANNUAL], ids=["monthly", "annual"])
def test_insured_and_contributions_equal_the_records(register, agency, period):
    city = agency("420300")

    statement = insured_and_contributions(city, period)

    # The year is not over: its stock figures are those of the last month assessed.
    stock = NOVEMBER
    assert statement.stock_period == stock
    children = list(Agency.objects.filter(parent=city).order_by("path"))
    assert [row.key for row in statement.rows] == ["420300", *(c.code for c in children), TOTAL]
    assert as_dict(statement, "420300") == direct_insured_row(city, True, stock, period.periods)
    for child in children:
        assert as_dict(statement, child.code) == direct_insured_row(
            child, False, stock, period.periods
        )
    assert as_dict(statement, TOTAL) == direct_insured_row(city, False, stock, period.periods)
    assert_total_is_the_sum_of_the_rows(statement)
    assert statement.value(TOTAL, "pension.persons") > 0


def test_a_year_with_december_assessed_shows_december(register, agency, system):
    maojian = agency("420302")
    run = assessment_run_create(actor=system, period=202612, agency=maojian)
    assessment_run_execute(run, actor=system)
    summaries_refresh([202612])

    statement = insured_and_contributions(maojian, ANNUAL)

    assert statement.stock_period == 202612
    assert as_dict(statement, TOTAL) == direct_insured_row(maojian, False, 202612, ANNUAL.periods)
    # The employee who joins in December is insured and assessed in the annual report.
    assert statement.value(TOTAL, "pension.persons") == statement.value(TOTAL, "pension.insured")


def test_the_registers_own_figures_are_in_their_districts_rows(register, agency):
    statement = insured_and_contributions(agency("420300"), MONTH)
    bill = register["bill"]
    paid = AssessmentLine.objects.filter(run_id=bill.run_id, employer_id=bill.employer_id)
    paid_fen = sum(line.employer_fen + line.individual_fen for line in paid)

    assert paid_fen > 0
    assert statement.value("420302", "pension.insured_flexible") >= 1
    assert (
        statement.value("420302", "pension.paid")
        + statement.value("420302", "unemployment.paid")
        + statement.value("420302", "work_injury.paid")
        >= paid_fen
    )
    assert statement.value("420303", "pension.employer") >= BASE_FEN * 16 // 100


# --- report B -----------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [MONTH, ANNUAL], ids=["monthly", "annual"])
@pytest.mark.parametrize("code", ["420000", "420300", "420302"])
def test_fund_income_and_expenditure_equal_the_records(register, agency, period, code):
    chosen = agency(code)

    statement = fund_income_and_expenditure(chosen, period)

    assert [row.key for row in statement.rows] == [*(s.value for s in Scheme), TOTAL]
    for scheme in Scheme:
        assert as_dict(statement, scheme.value) == direct_fund_row(chosen, scheme, period.periods)
    assert_total_is_the_sum_of_the_rows(statement)


def test_the_benefits_fall_in_their_columns_and_the_return_is_subtracted(register, agency):
    unemployment, allowance, funeral = register["benefits"]

    statement = fund_income_and_expenditure(agency("420300"), MONTH)

    assert statement.value("unemployment", "unemployment") >= unemployment.monthly_fen
    assert statement.value("work_injury", "work_injury") >= allowance.monthly_fen
    assert statement.value("pension", "death") >= funeral.monthly_fen
    assert statement.value("pension", "returned") >= register["returned"].amount_fen
    assert statement.value("pension", "pensions") >= 310000
    assert statement.value(TOTAL, "balance") == statement.value(
        TOTAL, "received"
    ) - statement.value(TOTAL, "spent")


def test_every_benefit_kind_has_an_expenditure_column():
    from shebao.reports.statements import benefit_column

    assert {kind.value for kind in BenefitKind} == {
        "unemployment",
        *WORK_INJURY_KINDS,
        *DEATH_KINDS,
    }
    assert {benefit_column(kind.value) for kind in BenefitKind} == {
        "unemployment",
        "work_injury",
        "death",
    }
    assert benefit_column("pension") == "pensions"


def test_a_rerun_of_the_refresh_changes_nothing(register, agency):
    def snapshot() -> list[object]:
        rows: list[object] = []
        for model in (
            InsuredSummary,
            ContributionSummary,
            BillSummary,
            PayrollSummary,
            RetireeSummary,
        ):
            fields = [f.name for f in model._meta.fields if f.name != "id"]
            rows.append(sorted(model.objects.values_list(*fields)))
        return rows

    city = agency("420300")
    before = snapshot()
    reports = [insured_and_contributions(city, ANNUAL), fund_income_and_expenditure(city, ANNUAL)]

    summaries_refresh(ANNUAL.periods)

    assert snapshot() == before
    assert [insured_and_contributions(city, ANNUAL), fund_income_and_expenditure(city, ANNUAL)] == (
        reports
    )


# --- the pages ----------------------------------------------------------------------------------


class _TableReader(HTMLParser):
    """The body rows of the report's table: [label, cell, …] as shown."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = self._in_body = self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("data-testid", "statement-table") in attrs:
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag in ("td", "th"):
            self._in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._in_cell = False
        elif tag == "tbody":
            self._in_body = self._in_table = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.rows[-1][-1] += data.strip()


def table_rows(html: str) -> list[list[str]]:
    reader = _TableReader()
    reader.feed(html)
    return reader.rows


def query(agency: str, report: str = INSURED, **extra: str) -> dict[str, str]:
    return {"agency": agency, "report": report, "frequency": "monthly", "month": "2026-11"} | extra


def test_a_district_sees_its_own_row_and_not_the_city(register, login):
    client = login("head_maojian")

    response = client.get(URL, query("420302"))

    assert response.status_code == 200
    labels = [row[0] for row in table_rows(response.content.decode())]
    assert len(labels) == 2
    assert labels[0].startswith("420302 ")
    assert client.get(URL, query("420300")).status_code == 404
    assert client.get(EXCEL_URL, query("420300")).status_code == 404
    assert client.get(URL, query("420303", FUNDS)).status_code == 404


def test_a_clerk_without_statistics_actions_is_refused(register, login):
    client = login("clerk_maojian")

    assert client.get(URL, query("420302")).status_code == 403
    assert client.get(EXCEL_URL, query("420302")).status_code == 403


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"month": "2026-13"}, "REPORT-STATEMENT-MONTH"),
        ({"month": "1999-12"}, "REPORT-STATEMENT-MONTH"),
        ({"frequency": "annual", "year": "1999"}, "REPORT-STATEMENT-YEAR"),
        ({"frequency": "annual", "year": "2101"}, "REPORT-STATEMENT-YEAR"),
        ({"frequency": "annual", "year": "二〇二六"}, "REPORT-STATEMENT-YEAR"),
    ],
)
def test_a_bad_month_or_year_is_refused_with_its_rule(register, login, extra, code):
    client = login("fund_shiyan")

    response = client.get(URL, query("420300", **extra))

    assert response.status_code == 400
    assert code in response.content.decode()
    assert table_rows(response.content.decode()) == []
    assert client.get(EXCEL_URL, query("420300", **extra)).status_code == 400


def _as_number(shown: str) -> Decimal:
    return Decimal(shown.replace(",", ""))


@pytest.mark.parametrize(
    ("report", "extra"),
    [(INSURED, {}), (FUNDS, {}), (INSURED, {"frequency": "annual", "year": "2026"})],
    ids=["insured-monthly", "funds-monthly", "insured-annual"],
)
def test_the_excel_file_shows_the_tables_figures(register, login, agency, report, extra):
    client = login("fund_shiyan")
    params = query("420300", report, **extra)
    shown = table_rows(client.get(URL, params).content.decode())
    exports = AuditEntry.objects.filter(action="statistics.export").count()

    response = client.get(EXCEL_URL, params)

    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="statistics.export").count() == exports + 1
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    period = ANNUAL if extra else MONTH
    statement = (insured_and_contributions if report == INSURED else fund_income_and_expenditure)(
        agency("420300"), period
    )
    width = 1 + len(statement.columns)
    data = [
        list(row)
        for row in sheet.iter_rows(min_row=6, max_row=5 + len(statement.rows), values_only=True)
    ]
    assert [row[0] for row in data] == [row[0] for row in shown]
    for cells, displayed, report_row in zip(data, shown, statement.rows, strict=True):
        assert len(cells) == width == len(displayed)
        for cell, text, value, column in zip(
            cells[1:], displayed[1:], report_row.values, statement.columns, strict=True
        ):
            assert _as_number(text) == Decimal(str(cell))
            assert Decimal(str(cell)) == (fen_to_yuan(value) if column.money else value)
    # The fixed layout: the title, the unit, the merged group headers, frozen below them.
    assert sheet["A1"].value == str(statement.title)
    assert sheet["A3"].value in ("单位：人、元", "Unit: persons, yuan")
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert "A4:A5" in merged
    assert sheet.freeze_panes == "B6"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
