"""Reads of the citizen portal and the kiosk: always the signed-in person's own records.

Every function takes the person the portal or kiosk identified (never an id from the request
alone); a lookup by id that finds another person's record raises ``OutOfScope``, which the
pages answer with 404, so a citizen cannot probe what exists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from shebao.accounts.selectors import AccountSummary, account_summary
from shebao.benefits.models import Pension, PensionStatus
from shebao.benefits.services.certification import certification_due
from shebao.core.actors import Actor
from shebao.core.permissions import OutOfScope
from shebao.documents.models import IssuedDocument
from shebao.documents.selectors import document_get, person_history_months, person_line_sums
from shebao.registry.models import InsuredRelation, Person, RelationStatus, Scheme
from shebao.registry.selectors import relations_of_person
from shebao.services.models import OPEN_STATUSES, Case, CaseEvent, CaseStatus

SCHEMES = (Scheme.PENSION, Scheme.UNEMPLOYMENT, Scheme.WORK_INJURY)
HOME_OPEN_CASES = 5


# --- insured relations ---------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeStanding:
    """A scheme as the person stands in it now (参保状态): the active relation, else the most
    recent one, else not insured."""

    scheme: str
    relation: InsuredRelation | None

    @property
    def scheme_label(self) -> str:
        return str(Scheme(self.scheme).label)

    @property
    def insured(self) -> bool:
        return self.relation is not None and self.relation.status == RelationStatus.ACTIVE


def my_relations(person: Person) -> list[InsuredRelation]:
    """The person's insured relations, newest first (the registry's read)."""
    return list(relations_of_person(person))


def scheme_standings(relations: list[InsuredRelation]) -> list[SchemeStanding]:
    standings = []
    for scheme in SCHEMES:
        mine = [r for r in relations if r.scheme == scheme]
        active = [r for r in mine if r.status == RelationStatus.ACTIVE]
        newest = sorted(mine, key=lambda r: (r.start_period, r.end_period or 999999, r.pk))
        current = active[0] if active else (newest[-1] if newest else None)
        standings.append(SchemeStanding(scheme, current))
    return standings


# --- contributions by month ----------------------------------------------------------------


class Payment:
    PAID = "paid"
    UNPAID = "unpaid"
    PARTLY = "partly"
    BEFORE = "before"  # recorded before shebao: the base only


@dataclass(frozen=True)
class ContributionMonth:
    """One month of one scheme and payer (缴费明细): the assessment lines of that month added
    up (an original line and its differences), or a month recorded before shebao."""

    period: int
    scheme: str
    payer: str  # the employer's name; "" for a flexible worker or a month before shebao
    base_fen: int
    individual_fen: int | None  # None: not known for a month before shebao
    employer_fen: int | None
    payment: str

    @property
    def year(self) -> int:
        return self.period // 100

    @property
    def scheme_label(self) -> str:
        return str(Scheme(self.scheme).label)


@dataclass(frozen=True)
class ContributionHistory:
    months: list[ContributionMonth]
    years: list[int]  # every year with a month, newest first (for the filter)
    year: int | None
    scheme: str
    base_fen: int = 0
    individual_fen: int = 0
    employer_fen: int = 0
    by_scheme: dict[str, dict[str, int]] = field(default_factory=dict)


def _all_months(person: Person) -> list[ContributionMonth]:
    """Every month of the person, in two queries: the assessment lines grouped by scheme,
    period, payer and paid (the documents app's read) and the months before shebao."""
    grouped: dict[tuple[str, int, str], list[tuple[bool, int, int, int]]] = defaultdict(list)
    for line in person_line_sums(person):
        key = (line.scheme, line.period, line.employer_name or "")
        grouped[key].append((line.paid, line.base_fen, line.individual_fen, line.employer_fen))
    months = []
    assessed = set()
    for (scheme, period, payer), parts in grouped.items():
        assessed.add((scheme, period))
        paid = {is_paid for is_paid, *_rest in parts}
        payment = Payment.PARTLY
        if paid == {True}:
            payment = Payment.PAID
        elif paid == {False}:
            payment = Payment.UNPAID
        months.append(
            ContributionMonth(
                period=period,
                scheme=scheme,
                payer=payer,
                base_fen=sum(p[1] for p in parts),
                individual_fen=sum(p[2] for p in parts),
                employer_fen=sum(p[3] for p in parts),
                payment=payment,
            )
        )
    for old in person_history_months(person):
        if (old.scheme, old.period) in assessed:
            continue  # a month is either in the lines or in the history, never both
        months.append(
            ContributionMonth(
                period=old.period,
                scheme=old.scheme,
                payer="",
                base_fen=old.base_fen,
                individual_fen=None,
                employer_fen=None,
                payment=Payment.BEFORE,
            )
        )
    scheme_order: dict[str, int] = {str(scheme): index for index, scheme in enumerate(SCHEMES)}
    months.sort(key=lambda m: (-m.period, scheme_order.get(m.scheme, 9), m.payer))
    return months


def contribution_history(
    person: Person, *, year: int | None = None, scheme: str = ""
) -> ContributionHistory:
    """The person's contributions month by month, newest first, filtered by year and scheme,
    with totals that are the sums of the rows shown (to the fen)."""
    every = _all_months(person)
    years = sorted({m.year for m in every}, reverse=True)
    shown = [
        m for m in every if (year is None or m.year == year) and (not scheme or m.scheme == scheme)
    ]
    by_scheme: dict[str, dict[str, int]] = {}
    for month in shown:
        totals = by_scheme.setdefault(
            month.scheme, {"months": 0, "base_fen": 0, "individual_fen": 0, "employer_fen": 0}
        )
        totals["months"] += 1
        totals["base_fen"] += month.base_fen
        totals["individual_fen"] += month.individual_fen or 0
        totals["employer_fen"] += month.employer_fen or 0
    return ContributionHistory(
        months=shown,
        years=years,
        year=year,
        scheme=scheme,
        base_fen=sum(m.base_fen for m in shown),
        individual_fen=sum(m.individual_fen or 0 for m in shown),
        employer_fen=sum(m.employer_fen or 0 for m in shown),
        by_scheme={s: by_scheme[s] for s in SCHEMES if s in by_scheme},
    )


def pension_months_counted(history: ContributionHistory) -> int:
    """Pension months that count toward the minimum years (paid or before shebao), each month
    once: the figure the home page shows as 累计缴费月数."""
    return len(
        {
            m.period
            for m in history.months
            if m.scheme == Scheme.PENSION and m.payment in (Payment.PAID, Payment.BEFORE)
        }
    )


# --- cases ---------------------------------------------------------------------------------


def my_cases(person: Person, *, status: str = "") -> QuerySet[Case]:
    """The person's cases of any channel, newest first."""
    cases = Case.objects.filter(applicant_person=person).select_related("item", "agency")
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    return cases.order_by("-created_at", "-id")


def my_case_get(person: Person, case_id: int) -> Case:
    case = my_cases(person).filter(pk=case_id).first()
    if case is None:
        raise OutOfScope()
    return case


class StepBy:
    ME = "me"
    AGENCY = "agency"
    SYSTEM = "system"


@dataclass(frozen=True)
class TimelineStep:
    """One step of a case as its applicant sees it: who (the applicant, the agency or the
    system, never a staff member's name), what, the status after it and the note."""

    at: object
    action: str
    status: str
    by: str
    note: str

    @property
    def status_label(self) -> str:
        return str(CaseStatus(self.status).label)


def _step_by(event: CaseEvent) -> str:
    if event.actor is not None:
        return StepBy.ME if event.actor.kind != "staff" else StepBy.AGENCY
    if ":person-" in event.actor_label:  # a kiosk visitor: kiosk-K01:person-12
        return StepBy.ME
    return StepBy.SYSTEM


def case_timeline(case: Case) -> list[TimelineStep]:
    events = CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")
    return [
        TimelineStep(
            at=event.at,
            action=event.action,
            status=event.to_status,
            by=_step_by(event),
            note=event.note,
        )
        for event in events
    ]


# --- documents ------------------------------------------------------------------------------


def my_documents(person: Person) -> QuerySet[IssuedDocument]:
    """Documents issued to the person (certificates, statements, notices), newest first."""
    return (
        IssuedDocument.objects.filter(person=person, employer__isnull=True)
        .select_related("case")
        .order_by("-issued_at", "-id")
    )


def my_document_get(actor: Actor, code: str) -> IssuedDocument:
    """A document of the actor's own person; anything else is "not found"."""
    return document_get(actor, code)


# --- the pension ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PensionStanding:
    pension: Pension
    certification_due: date

    @property
    def overdue(self) -> bool:
        return self.certification_due < timezone.localdate()

    @property
    def certifiable(self) -> bool:
        return self.pension.status != PensionStatus.STOPPED

    @property
    def suspended_for_certification(self) -> bool:
        return (
            self.pension.status == PensionStatus.SUSPENDED
            and self.pension.suspension_reason == "certification"
        )


def my_pension(person: Person) -> PensionStanding | None:
    pension = Pension.objects.filter(person=person).select_related("agency").first()
    if pension is None:
        return None
    return PensionStanding(pension, certification_due(pension))


# --- the home page --------------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenOverview:
    standings: list[SchemeStanding]
    pension_months: int
    account: AccountSummary
    open_cases: list[Case]
    open_case_count: int
    pension: PensionStanding | None


def citizen_overview(person: Person) -> CitizenOverview:
    """What the home page shows, in a fixed number of queries."""
    relations = my_relations(person)
    history = contribution_history(person)
    open_cases = list(my_cases(person, status="open")[: HOME_OPEN_CASES + 1])
    return CitizenOverview(
        standings=scheme_standings(relations),
        pension_months=pension_months_counted(history),
        account=account_summary(person),
        open_cases=open_cases[:HOME_OPEN_CASES],
        open_case_count=(
            len(open_cases)
            if len(open_cases) <= HOME_OPEN_CASES
            else my_cases(person, status="open").count()
        ),
        pension=my_pension(person),
    )


def statement_years(summary: AccountSummary) -> list[int]:
    """The years a statement exists for, newest first."""
    return list(reversed(summary.years))


def has_open_case(person: Person, item_codes: tuple[str, ...]) -> Case | None:
    return (
        Case.objects.filter(
            Q(applicant_person=person), item__code__in=item_codes, status__in=OPEN_STATUSES
        )
        .order_by("pk")
        .first()
    )
