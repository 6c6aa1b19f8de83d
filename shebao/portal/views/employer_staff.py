"""The employer's staff (在职人员) and single staff additions and removals online. A request
goes through the counter's own service with the portal actor and the web channel, and opens
a case that waits for a clerk of the agency to accept it."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.masking import mask_phone, mask_resident_id
from shebao.core.models import Channel
from shebao.portal.auth import agent_required, portal_actor
from shebao.portal.employer_forms import StaffAdditionForm, StaffRemovalForm
from shebao.portal.employer_selectors import (
    STAFF_SCOPES,
    person_active_here,
    relations_by_person,
    relations_with,
    staff_member_get,
    staff_of_employer,
)
from shebao.portal.views.employer_common import PAGE_SIZE, agent_and_employer, submitted
from shebao.registry.models import InsuredRelation, Person, RelationStatus, Scheme
from shebao.registry.services import (
    AdditionSpec,
    RemovalSpec,
    staff_addition_request,
    staff_removal_request,
)

PICK_LIMIT = 20


@dataclass(frozen=True)
class StaffRow:
    """A person of the list: masked ID, and the relation of each scheme with this employer."""

    person: Person
    masked_id: str
    by_scheme: list[InsuredRelation | None]


def _row(person: Person, relations: list[InsuredRelation]) -> StaffRow:
    newest: dict[str, InsuredRelation] = {}
    for relation in relations:  # newest first: keep the first of each scheme
        newest.setdefault(relation.scheme, relation)
    return StaffRow(
        person=person,
        masked_id=mask_resident_id(person.resident_id),
        by_scheme=[newest.get(scheme) for scheme in Scheme.values],
    )


@agent_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    search = request.GET.get("q", "").strip()
    scope = request.GET.get("scope", "active")
    scope = scope if scope in STAFF_SCOPES else "active"
    page = Paginator(staff_of_employer(employer, search=search, scope=scope), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    persons = list(page.object_list)
    relations = relations_by_person(employer, persons)
    return render(
        request,
        "portal/employer/staff_list.html",
        {
            "employer": employer,
            "page": page,
            "rows": [_row(person, relations[person.pk]) for person in persons],
            "schemes": Scheme.choices,
            "q": search,
            "scope": scope,
            "query": f"q={search}&scope={scope}&",
        },
    )


@agent_required
def staff_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    _agent, employer = agent_and_employer(request)
    person = staff_member_get(employer, person_id)
    relations = list(relations_with(employer, person))
    return render(
        request,
        "portal/employer/staff_detail.html",
        {
            "employer": employer,
            "person": person,
            "masked_id": mask_resident_id(person.resident_id),
            "phone": mask_phone(person.phone),
            "relations": relations,
            "active": any(r.status == RelationStatus.ACTIVE for r in relations),
        },
    )


@agent_required
def staff_add(request: HttpRequest) -> HttpResponse:
    """人员增加 online (SBRG005): the same rules as at the counter, checked at once."""
    _agent, employer = agent_and_employer(request)
    form = StaffAdditionForm(request.POST or None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = staff_addition_request(
                actor=portal_actor(request),
                employer=employer,
                specs=[
                    AdditionSpec(
                        resident_id=data["resident_id"],
                        name=data["name"].strip(),
                        start_period=data["start_period"],
                        reason=data["reason"],
                        schemes=tuple(data["schemes"]),
                        continuing=data["continuing"],
                        phone=data["phone"],
                        ethnicity=data["ethnicity"],
                        hukou_type=data["hukou_type"],
                    )
                ],
                channel=Channel.WEB,
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            return submitted(case)
    return render(
        request,
        "portal/employer/staff_add.html",
        {"employer": employer, "form": form, "refusal": refusal},
    )


@agent_required
def staff_remove(request: HttpRequest) -> HttpResponse:
    """人员减少 online (SBRG006) of a person picked from the employer's own staff."""
    _agent, employer = agent_and_employer(request)
    person_id = request.POST.get("person") or request.GET.get("person")
    if not (person_id and person_id.isdigit()):
        search = request.GET.get("q", "").strip()
        matches = staff_of_employer(employer, search=search)[:PICK_LIMIT] if search else []
        return render(
            request,
            "portal/employer/staff_remove_pick.html",
            {
                "employer": employer,
                "q": search,
                "rows": [(p, mask_resident_id(p.resident_id)) for p in matches],
            },
        )
    person = staff_member_get(employer, int(person_id))
    form = StaffRemovalForm(request.POST if request.method == "POST" else None)
    refusal = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = staff_removal_request(
                actor=portal_actor(request),
                employer=employer,
                specs=[RemovalSpec(person.resident_id, data["end_period"], data["reason"])],
                channel=Channel.WEB,
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            return submitted(case)
    return render(
        request,
        "portal/employer/staff_remove.html",
        {
            "employer": employer,
            "person": person,
            "masked_id": mask_resident_id(person.resident_id),
            "relations": relations_with(employer, person).filter(status=RelationStatus.ACTIVE),
            "active": person_active_here(employer, person),
            "form": form,
            "refusal": refusal,
        },
    )
