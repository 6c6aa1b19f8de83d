"""Reads of the employer portal (单位网上服务). Every one is narrowed to the signed-in agent's
employer, never to a staff scope: a record of another employer is "not found" (OutOfScope,
which the middleware answers with 404), whichever id or number was asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from shebao.contributions.display import DeclaredBase
from shebao.contributions.models import Bill, PaymentStatus
from shebao.core.masking import mask_resident_id
from shebao.core.permissions import OutOfScope
from shebao.documents.codes import code_fold
from shebao.documents.models import IssuedDocument
from shebao.portal.models import EmployerAgent
from shebao.registry.models import Employer, InsuredRelation, Person, RelationStatus, Scheme
from shebao.registry.rules import ADDITION_REASONS, REMOVAL_REASONS
from shebao.services.models import OPEN_STATUSES, Case, CaseAttachment, CaseEvent, CaseStatus

UNSETTLED = (PaymentStatus.UNPAID, PaymentStatus.PARTLY_PAID)
STAFF_SCOPES = ("active", "former")

# --- the home page ----------------------------------------------------------------------------


def insured_headcount(employer: Employer) -> dict[str, int]:
    """Persons insured with the employer now, per scheme (one grouped query)."""
    counts = dict(
        InsuredRelation.objects.filter(employer=employer, status=RelationStatus.ACTIVE)
        .values("scheme")
        .annotate(persons=Count("person_id", distinct=True))
        .order_by()
        .values_list("scheme", "persons")
    )
    return {scheme: counts.get(scheme, 0) for scheme in Scheme.values}


def unsettled_bills(employer: Employer) -> QuerySet[Bill]:
    """The employer's bills unpaid or partly paid, oldest due first."""
    return Bill.objects.filter(employer=employer, payment_status__in=UNSETTLED).order_by(
        "due_date", "number"
    )


def unsettled_total_fen(employer: Employer) -> int:
    total = Bill.objects.filter(employer=employer, payment_status__in=UNSETTLED).aggregate(
        fen=Coalesce(Sum(F("total_fen") - F("paid_fen")), 0)
    )
    return int(total["fen"])


# --- staff ------------------------------------------------------------------------------------


def staff_of_employer(
    employer: Employer, *, search: str = "", scope: str = "active"
) -> QuerySet[Person]:
    """The employer's staff (在职人员) by name: insured with it now (``active``), or only in the
    past (``former``); searched by a full resident ID or the start of a name."""
    active = Q(relations__employer=employer, relations__status=RelationStatus.ACTIVE)
    if scope == "former":
        persons = Person.objects.filter(relations__employer=employer).exclude(active)
    else:
        persons = Person.objects.filter(active)
    text = search.strip()
    if len(text) == 18 and text[:17].isdigit():
        persons = persons.filter(resident_id=text.upper())
    elif text:
        persons = persons.filter(name__startswith=text)
    return persons.distinct().order_by("name", "pk")


def relations_by_person(
    employer: Employer, persons: list[Person]
) -> dict[int, list[InsuredRelation]]:
    """The relations of these persons with this employer (one query), newest first."""
    relations: dict[int, list[InsuredRelation]] = {person.pk: [] for person in persons}
    for relation in InsuredRelation.objects.filter(
        employer=employer, person_id__in=list(relations)
    ).order_by("person_id", "-start_period", "scheme"):
        relations[relation.person_id].append(relation)
    return relations


def staff_member_get(employer: Employer, person_id: int) -> Person:
    """A person who is or was insured with this employer; anyone else is not found."""
    person = Person.objects.filter(pk=person_id, relations__employer=employer).distinct().first()
    if person is None:
        raise OutOfScope()
    return person


def relations_with(employer: Employer, person: Person) -> QuerySet[InsuredRelation]:
    """The person's relations with this employer only: never another employer's."""
    return InsuredRelation.objects.filter(employer=employer, person=person).order_by(
        "-start_period", "scheme"
    )


def person_active_here(employer: Employer, person: Person) -> bool:
    return InsuredRelation.objects.filter(
        employer=employer, person=person, status=RelationStatus.ACTIVE
    ).exists()


# --- bills ------------------------------------------------------------------------------------


def employer_bill_get(employer: Employer, number: str) -> Bill:
    """One of the employer's own bills by number; another payer's bill is not found."""
    bill = (
        Bill.objects.select_related("employer", "person", "agency")
        .filter(employer=employer, number=number)
        .first()
    )
    if bill is None:
        raise OutOfScope()
    return bill


# --- cases ------------------------------------------------------------------------------------


def employer_cases(employer: Employer, *, status: str = "") -> QuerySet[Case]:
    """Every case whose applicant is the employer, whatever the channel, newest first;
    ``status`` "open" for the running ones, or one status."""
    cases = Case.objects.filter(applicant_employer=employer).select_related("item", "agency")
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status in CaseStatus.values:
        cases = cases.filter(status=status)
    return cases.order_by("-created_at", "-id")


def employer_case_get(employer: Employer, case_id: int) -> Case:
    case = employer_cases(employer).filter(pk=case_id).first()
    if case is None:
        raise OutOfScope()
    return case


@dataclass(frozen=True)
class TimelineStep:
    """One step of a case as the employer sees it: who (one of its agents by name, or "the
    agency" — never a staff member's login), the status the case reached, the note."""

    at: datetime
    by: str
    by_agency: bool
    status: str
    note: str


def case_timeline(case: Case) -> list[TimelineStep]:
    """The case's events for the applicant: staff and the system appear as the agency."""
    events = list(case.events.order_by("at", "id"))
    users = {event.actor_id for event in events if event.actor_id is not None}
    agents = dict(
        EmployerAgent.objects.filter(
            employer_id=case.applicant_employer_id or 0, user_id__in=users
        ).values_list("user_id", "name")
    )
    steps = []
    for event in events:
        name = agents.get(event.actor_id) if event.actor_id is not None else None
        steps.append(
            TimelineStep(
                at=event.at,
                by=name or _("Social insurance agency"),
                by_agency=name is None,
                status=str(CaseStatus(event.to_status).label),
                note=_agency_note(event, name is None),
            )
        )
    return steps


def _agency_note(event: CaseEvent, by_agency: bool) -> str:
    """The agency's notes are reasons meant for the applicant (a return, a withdrawal); a
    note of the agent's own is theirs."""
    return event.note if not by_agency or event.action in ("return", "withdraw") else ""


def case_attachments(case: Case) -> QuerySet[CaseAttachment]:
    return CaseAttachment.objects.filter(case=case).order_by("uploaded_at", "id")


@dataclass(frozen=True)
class BillTotals:
    bills: int
    total_fen: int
    paid_fen: int
    outstanding_fen: int


def bill_totals(bills: QuerySet[Bill]) -> BillTotals:
    """What the listed bills ask, what was paid to them, and what the unpaid and partly paid
    ones still ask (an overpayment does not settle another bill): one query."""
    totals = bills.order_by().aggregate(
        bills=Count("id"),
        total=Coalesce(Sum("total_fen"), 0),
        paid=Coalesce(Sum("paid_fen"), 0),
        outstanding=Coalesce(
            Sum(F("total_fen") - F("paid_fen"), filter=Q(payment_status__in=UNSETTLED)), 0
        ),
    )
    return BillTotals(
        bills=int(totals["bills"]),
        total_fen=int(totals["total"]),
        paid_fen=int(totals["paid"]),
        outstanding_fen=int(totals["outstanding"]),
    )


# --- what a case asked for --------------------------------------------------------------------

ITEM_STAFF_ADDITION, ITEM_STAFF_REMOVAL, ITEM_BASE_DECLARATION = "SBRG005", "SBRG006", "SBCL002"
SHOWN_ROWS = 200


@dataclass(frozen=True)
class RequestedRow:
    """One person of a staff addition, removal or base declaration, as the case holds it."""

    name: str
    masked_id: str
    period: int | None
    reason: str
    detail: str


def _reason(reasons: dict[str, tuple[str, str]], code: str, language: str) -> str:
    zh, en = reasons.get(code, (code, code))
    return en if language.startswith("en") else zh


def requested_rows(case: Case, language: str) -> list[RequestedRow]:
    """The persons the employer's request named (the first ``SHOWN_ROWS``), IDs masked."""
    code = case.item.code
    if code == ITEM_STAFF_ADDITION:
        return [
            RequestedRow(
                name=item["name"],
                masked_id=mask_resident_id(item["resident_id"]),
                period=item["start_period"],
                reason=_reason(ADDITION_REASONS, item["reason"], language),
                detail=", ".join(str(Scheme(s).label) for s in item["schemes"]),
            )
            for item in case.data.get("additions", [])[:SHOWN_ROWS]
        ]
    if code == ITEM_STAFF_REMOVAL:
        removals = case.data.get("removals", [])[:SHOWN_ROWS]
        names = dict(
            Person.objects.filter(
                resident_id__in=[item["resident_id"] for item in removals]
            ).values_list("resident_id", "name")
        )
        return [
            RequestedRow(
                name=names.get(item["resident_id"], ""),
                masked_id=mask_resident_id(item["resident_id"]),
                period=item["end_period"],
                reason=_reason(REMOVAL_REASONS, item["reason"], language),
                detail="",
            )
            for item in removals
        ]
    if code == ITEM_BASE_DECLARATION:
        rows = []
        for item in case.data.get("bases", [])[:SHOWN_ROWS]:
            shown = DeclaredBase.of(item)
            rows.append(
                RequestedRow(
                    name=shown.name,
                    masked_id=shown.masked_id,
                    period=None,
                    reason=shown.why,
                    detail=_("wage %(wage)s → base %(base)s yuan")
                    % {"wage": shown.wage, "base": shown.base},
                )
            )
        return rows
    return []


def requested_count(case: Case) -> int:
    for key in ("additions", "removals", "bases"):
        if key in case.data:
            return len(case.data[key])
    return 0


# --- agents -----------------------------------------------------------------------------------


def agents_of(employer: Employer) -> QuerySet[EmployerAgent]:
    """The employer's agents, administrators first, the deactivated ones last."""
    return EmployerAgent.objects.filter(employer=employer).order_by(
        "-is_active", "-is_admin", "name"
    )


def agent_of_employer(employer: Employer, agent_id: int) -> EmployerAgent:
    agent = (
        EmployerAgent.objects.select_related("employer__managing_agency", "user")
        .filter(employer=employer, pk=agent_id)
        .first()
    )
    if agent is None:
        raise OutOfScope()
    return agent


HOME_ROWS = 8


@dataclass(frozen=True)
class EmployerHome:
    """The agent's first page: insured now per scheme, the running cases, the bills not
    settled and what they still ask."""

    headcount: list[tuple[str, int]]
    open_cases: list[Case]
    open_count: int
    bills: list[Bill]
    bills_count: int
    outstanding_fen: int


def employer_home(employer: Employer) -> EmployerHome:
    counts = insured_headcount(employer)
    open_cases = employer_cases(employer, status="open")
    bills = unsettled_bills(employer)
    return EmployerHome(
        headcount=[(str(label), counts[value]) for value, label in Scheme.choices],
        open_cases=list(open_cases[:HOME_ROWS]),
        open_count=open_cases.count(),
        bills=list(bills[:HOME_ROWS]),
        bills_count=bills.count(),
        outstanding_fen=unsettled_total_fen(employer),
    )


# --- documents --------------------------------------------------------------------------------


def employer_documents(employer: Employer) -> QuerySet[IssuedDocument]:
    """The documents issued to the employer (certificates, bills as PDF), newest first,
    whichever channel issued them."""
    return IssuedDocument.objects.filter(employer=employer).order_by("-issued_at", "-id")


def employer_document_get(employer: Employer, code: str) -> IssuedDocument:
    document = employer_documents(employer).filter(code=code_fold(code)).first()
    if document is None:
        raise OutOfScope()
    return document
