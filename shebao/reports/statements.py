"""The fixed-layout statistical reports (统计报表), monthly or annual, of an agency subtree.

Report A, 参保缴费情况表 (insured persons and contributions by scheme and agency): one row
for the agency's own records, one per child agency (its whole subtree) and a total row; for
each scheme the insured persons, the persons assessed, the assessed amounts and what was
paid. Report B, 基金收支情况表 (fund income and expenditure by scheme): one row per scheme
and a total row; contributions received against the benefits paid.

Every figure is a sum of summary rows (``models.py``) within the subtree, so each equals a
count or sum over the records those rows are built from; the total row is the sum of the
rows above it. Counts are persons, money is int fen (yuan only when shown).

Annual: the stock figures (insured, persons assessed) are those of the year's last month
assessed in the subtree (December once the year is done); the flows (amounts, income,
expenditure) are summed over the year's twelve months.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shebao.benefits.models import BenefitKind
from shebao.core.models import Agency
from shebao.core.periods import period_format
from shebao.registry.models import RelationKind, Scheme
from shebao.reports.models import ContributionSummary, InsuredSummary, PayrollSummary
from shebao.reports.scope import AgencyRows, subtree

INSURED, FUNDS = "insured", "funds"
TOTAL = "total"
PENSION_BENEFIT = "pension"


@dataclass(frozen=True)
class ReportPeriod:
    """A month (``month`` 1–12) or a whole year (``month`` None)."""

    year: int
    month: int | None = None

    @property
    def annual(self) -> bool:
        return self.month is None

    @property
    def periods(self) -> list[int]:
        if self.month is not None:
            return [self.year * 100 + self.month]
        return [self.year * 100 + month for month in range(1, 13)]

    def describe(self) -> str:
        if self.month is not None:
            return period_format(self.periods[0])
        return str(_("Year %(year)s") % {"year": self.year})


@dataclass(frozen=True)
class StatementColumn:
    key: str
    label: str | Promise
    money: bool = False


@dataclass(frozen=True)
class ColumnGroup:
    """Columns under one merged header cell (a scheme, or income and expenditure)."""

    label: str | Promise
    columns: tuple[StatementColumn, ...]


@dataclass(frozen=True)
class StatementRow:
    key: str  # an agency code, a scheme, or "total"
    label: str
    values: tuple[int, ...]

    @property
    def is_total(self) -> bool:
        return self.key == TOTAL


@dataclass(frozen=True)
class Statement:
    kind: str
    title: str | Promise
    agency: Agency
    period: ReportPeriod
    row_header: str | Promise
    groups: tuple[ColumnGroup, ...]
    rows: tuple[StatementRow, ...]
    note: str | Promise
    stock_period: int | None = None  # the month of the insured figures (report A)

    @property
    def columns(self) -> tuple[StatementColumn, ...]:
        return tuple(column for group in self.groups for column in group.columns)

    def row(self, key: str) -> StatementRow:
        return next(row for row in self.rows if row.key == key)

    def value(self, row_key: str, column_key: str) -> int:
        keys = [column.key for column in self.columns]
        return self.row(row_key).values[keys.index(column_key)]

    def describe(self) -> str:
        return f"{self.agency.code} {self.agency.name} · {self.period.describe()}"


def _total_row(rows: list[StatementRow]) -> StatementRow:
    sums = tuple(sum(column) for column in zip(*(row.values for row in rows), strict=True))
    return StatementRow(TOTAL, str(_("Total")), sums)


# --- report A: insured persons and contributions by scheme and agency --------------------------


def _scheme_columns(scheme: Scheme) -> tuple[StatementColumn, ...]:
    insured: tuple[StatementColumn, ...] = (
        StatementColumn(f"{scheme.value}.insured", _("Insured persons")),
    )
    if scheme == Scheme.PENSION:
        insured = (
            StatementColumn(f"{scheme.value}.insured_employee", _("Insured: employees")),
            StatementColumn(f"{scheme.value}.insured_flexible", _("Insured: flexible workers")),
            StatementColumn(f"{scheme.value}.insured", _("Insured: total")),
        )
    return (
        *insured,
        StatementColumn(f"{scheme.value}.persons", _("Persons assessed")),
        StatementColumn(f"{scheme.value}.employer", _("Assessed: employer part"), money=True),
        StatementColumn(f"{scheme.value}.individual", _("Assessed: individual part"), money=True),
        StatementColumn(f"{scheme.value}.paid", _("Paid"), money=True),
    )


INSURED_GROUPS = tuple(ColumnGroup(scheme.label, _scheme_columns(scheme)) for scheme in Scheme)


def stock_period(agency: Agency, period: ReportPeriod) -> int:
    """The month whose insured persons and persons assessed the report shows: the month
    itself, or the year's last month assessed in the subtree (a year not yet over ends
    there), else its last month with insured figures, else December."""
    if not period.annual:
        return period.periods[0]
    for model in (ContributionSummary, InsuredSummary):
        latest = subtree(
            model._default_manager.filter(period__in=period.periods), agency
        ).aggregate(latest=Max("period"))["latest"]
        if latest is not None:
            return int(latest)
    return period.periods[-1]


def insured_and_contributions(agency: Agency, period: ReportPeriod) -> Statement:
    """Report A (参保缴费情况表)."""
    owners = AgencyRows(agency)
    stock = stock_period(agency, period)
    cells: defaultdict[tuple[str, str], int] = defaultdict(int)
    insured = subtree(InsuredSummary.objects.filter(period=stock), agency).values_list(
        "agency__path", "scheme", "kind", "insured"
    )
    for path, scheme, kind, count in insured:
        owner = owners.of(path)
        cells[owner, f"{scheme}.insured"] += count
        if kind in (RelationKind.EMPLOYEE, RelationKind.FLEXIBLE):
            cells[owner, f"{scheme}.insured_{kind}"] += count
    assessed = subtree(ContributionSummary.objects.filter(period__in=period.periods), agency)
    for path, scheme, month, persons, employer, individual, paid in assessed.values_list(
        "agency__path", "scheme", "period", "persons", "employer_fen", "individual_fen", "paid_fen"
    ):
        owner = owners.of(path)
        if month == stock:
            cells[owner, f"{scheme}.persons"] += persons
        cells[owner, f"{scheme}.employer"] += employer
        cells[owner, f"{scheme}.individual"] += individual
        cells[owner, f"{scheme}.paid"] += paid
    keys = [column.key for group in INSURED_GROUPS for column in group.columns]
    rows = [
        StatementRow(code, label, tuple(cells[code, key] for key in keys))
        for code, label in owners.rows()
    ]
    note = _(
        "Insured: relations in force in %(month)s. Persons assessed: persons with assessment "
        "lines of %(month)s. Assessed and paid: every run's lines of the period (difference "
        "lines included); paid: the lines of bills paid in full."
    ) % {"month": period_format(stock)}
    return Statement(
        kind=INSURED,
        title=_("Insured persons and contributions by scheme and agency"),
        agency=agency,
        period=period,
        row_header=_("Agency"),
        groups=INSURED_GROUPS,
        rows=(*rows, _total_row(rows)),
        note=note,
        stock_period=stock,
    )


# --- report B: fund income and expenditure by scheme -------------------------------------------

WORK_INJURY_BENEFITS = frozenset(
    {
        BenefitKind.DISABILITY_LUMP_SUM.value,
        BenefitKind.DISABILITY_ALLOWANCE.value,
        BenefitKind.NURSING_ALLOWANCE.value,
        BenefitKind.MEDICAL_REIMBURSEMENT.value,
    }
)


def benefit_column(benefit: str) -> str:
    """The expenditure column of a payroll summary's benefit. Funeral grants, survivor and
    death payments and inherited account balances share the last column, with any other."""
    if benefit == PENSION_BENEFIT:
        return "pensions"
    if benefit == BenefitKind.UNEMPLOYMENT.value:
        return "unemployment"
    if benefit in WORK_INJURY_BENEFITS:
        return "work_injury"
    return "death"


EXPENDITURE_COLUMNS = ("pensions", "unemployment", "work_injury", "death")

FUND_GROUPS = (
    ColumnGroup(
        _("Income"),
        (StatementColumn("received", _("Contributions received"), money=True),),
    ),
    ColumnGroup(
        _("Expenditure"),
        (
            StatementColumn("pensions", _("Basic pensions"), money=True),
            StatementColumn("unemployment", _("Unemployment benefits"), money=True),
            StatementColumn("work_injury", _("Work-injury benefits"), money=True),
            StatementColumn("death", _("Funeral, survivor and other benefits"), money=True),
            StatementColumn("returned", _("Less: returned by the bank"), money=True),
            StatementColumn("spent", _("Total expenditure"), money=True),
        ),
    ),
    ColumnGroup(
        _("Balance"),
        (StatementColumn("balance", _("Income less expenditure"), money=True),),
    ),
)


def _fund_row(scheme: Scheme, received: int, paid: dict[str, int]) -> StatementRow:
    benefits = [paid.get(column, 0) for column in EXPENDITURE_COLUMNS]
    returned = paid.get("returned", 0)
    spent = sum(benefits) - returned
    return StatementRow(
        scheme.value, str(scheme.label), (received, *benefits, returned, spent, received - spent)
    )


def fund_income_and_expenditure(agency: Agency, period: ReportPeriod) -> Statement:
    """Report B (基金收支情况表)."""
    received: defaultdict[str, int] = defaultdict(int)
    contributions = subtree(
        ContributionSummary.objects.filter(period__in=period.periods), agency
    ).values_list("scheme", "paid_fen")
    for scheme, paid_fen in contributions:
        received[scheme] += paid_fen
    paid: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    payroll = subtree(PayrollSummary.objects.filter(period__in=period.periods), agency).values_list(
        "scheme", "benefit", "amount_fen", "failed_fen"
    )
    for scheme, benefit, amount_fen, failed_fen in payroll:
        paid[scheme][benefit_column(benefit)] += amount_fen
        paid[scheme]["returned"] += failed_fen
    rows = [_fund_row(scheme, received[scheme.value], paid[scheme.value]) for scheme in Scheme]
    return Statement(
        kind=FUNDS,
        title=_("Fund income and expenditure by scheme"),
        agency=agency,
        period=period,
        row_header=_("Scheme"),
        groups=FUND_GROUPS,
        rows=(*rows, _total_row(rows)),
        note=_(
            "Income: contributions of the period's assessment lines whose bill was paid in "
            "full; late fees are not included. Expenditure: what the payroll runs of the "
            "period sent to the banks (back pay included), less what the banks returned."
        ),
    )


STATEMENTS = {INSURED: insured_and_contributions, FUNDS: fund_income_and_expenditure}


def statement_of(kind: str, agency: Agency, period: ReportPeriod) -> Statement:
    return STATEMENTS[kind](agency, period)
