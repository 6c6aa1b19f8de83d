"""Helpers of the documents tests: portal and kiosk actors, the text of a PDF, a retiree
whose pension was awarded in shebao."""

from __future__ import annotations

import io

import pypdf

from shebao.benefits.demo_retirement import seed_applications, seed_demo_wages
from shebao.benefits.models import Pension
from shebao.benefits.services.retirement import RETIREMENT_ITEMS
from shebao.core.actors import Actor, Principal, PrincipalKind, staff_actor
from shebao.core.models import Channel, User
from shebao.registry.models import Employer, Person
from shebao.services.models import Case, CaseStatus
from shebao.services.services import case_transition


def citizen(person: Person, channel: str = Channel.WEB) -> Actor:
    user, _created = User.objects.get_or_create(username=f"citizen-doc-{person.pk}")
    return Actor(
        user=user,
        channel=channel,
        principal=Principal(PrincipalKind.CITIZEN, person_id=person.pk),
    )


def kiosk_visitor(person: Person) -> Actor:
    return Actor(
        user=None,
        channel=Channel.KIOSK,
        system_label="kiosk-T01",
        principal=Principal(PrincipalKind.CITIZEN, person_id=person.pk),
    )


def agent(employer: Employer) -> Actor:
    user, _created = User.objects.get_or_create(username=f"agent-doc-{employer.pk}")
    return Actor(
        user=user,
        channel=Channel.WEB,
        principal=Principal(PrincipalKind.EMPLOYER_AGENT, employer_id=employer.pk),
    )


def pdf_text(pdf: bytes) -> str:
    """The text of every page, without the line breaks and spaces ReportLab's layout adds."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def pdf_pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def awarded_pension() -> Pension:
    """One of the demo retirement applications, approved by the reviewer: a pension with its
    award and award notice written by shebao."""
    seed_demo_wages()
    seed_applications()
    case = (
        Case.objects.filter(item__code__in=RETIREMENT_ITEMS, status=CaseStatus.IN_REVIEW)
        .order_by("pk")
        .first()
    )
    assert case is not None
    case_transition(actor=staff_actor("reviewer_maojian"), case=case, action="approve")
    return Pension.objects.select_related("person", "agency").get(award_case_id=case.pk)
