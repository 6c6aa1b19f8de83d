"""The citizen's applications online: retirement (a case waiting for a clerk), the approval
notice of an awarded pension, the yearly retiree certification (done on the spot) and the
unemployment benefit claim."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.benefits.models import CertificationChannel
from shebao.benefits.services.retirement import (
    RetirementRequest,
    check_may_apply,
    group_for,
    retirement_request,
)
from shebao.benefits.services.unemployment import (
    UnemploymentRequest,
    check_may_claim,
    employers_of,
    unemployment_claim_request,
)
from shebao.core.actors import Actor
from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown, report_refusal
from shebao.core.models import Channel
from shebao.documents.services import retirement_notice_issue
from shebao.portal import selectors
from shebao.portal.auth import citizen_required
from shebao.portal.citizen_forms import RetirementApplicationForm, UnemploymentClaimForm
from shebao.portal.views.citizen_common import actor, me, pdf_response
from shebao.registry.models import Sex
from shebao.services.models import Case, ServiceItem
from shebao.services.services import case_done_on_the_spot

ITEM_CERTIFICATION = "SBQL001"


@citizen_required
def retirement(request: HttpRequest) -> HttpResponse:
    person = me(request)
    pension = selectors.my_pension(person)
    blocked = ""
    try:
        check_may_apply(actor(request), person)
    except RuleViolation as exc:
        blocked = refusal_shown(exc)
    refusal = blocked
    form = RetirementApplicationForm(request.POST or None)
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        try:
            retirement_request_ = RetirementRequest(
                group=group_for(person, data["group"] or ""),
                retirement_month=data["retirement_month"],
            )
            case = retirement_request(
                actor=actor(request),
                person=person,
                request=retirement_request_,
                bank_name=data["bank_name"],
                bank_account=data["bank_account"],
                channel=Channel.WEB,
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            messages.success(
                request,
                _("Your application %(receipt)s was sent; a clerk of %(agency)s will check it.")
                % {"receipt": case.receipt_no, "agency": case.agency.name},
            )
            return redirect("portal:citizen_case", case_id=case.pk)
    context = {
        "form": form,
        "refusal": refusal,
        "person": person,
        "is_woman": person.sex != Sex.MALE,
        "pension": pension,
        "blocked": bool(blocked),
    }
    return render(request, "portal/citizen/retirement.html", context)


@require_POST
@citizen_required
def retirement_notice(request: HttpRequest) -> HttpResponse:
    standing = selectors.my_pension(me(request))
    if standing is None:
        raise Http404()
    try:
        issued = retirement_notice_issue(
            actor=actor(request), pension=standing.pension, channel=Channel.WEB
        )
    except RuleViolation as exc:
        report_refusal(request, exc)
        return redirect("portal:citizen_retirement")
    return pdf_response(issued.pdf, f"retirement-notice-{issued.document.code}.pdf")


@citizen_required
def certification(request: HttpRequest) -> HttpResponse:
    person = me(request)
    standing = selectors.my_pension(person)
    if standing is None:
        raise Http404()
    refusal = ""
    if request.method == "POST":
        try:
            case = certify_on_the_spot(
                person_actor=actor(request), standing=standing, channel=Channel.WEB
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            messages.success(
                request,
                _("Certified on %(day)s (case %(receipt)s). Thank you.")
                % {"day": timezone.localdate().isoformat(), "receipt": case.receipt_no},
            )
            return redirect("portal:citizen_certification")
    context = {"standing": standing, "refusal": refusal}
    return render(request, "portal/citizen/certification.html", context)


def certify_on_the_spot(
    *, person_actor: Actor, standing: selectors.PensionStanding, channel: str
) -> Case:
    """The yearly certification (SBQL001) done at once: the system completes the case for the
    person, and its handler records the certification with the channel."""
    item = ServiceItem.objects.get(code=ITEM_CERTIFICATION)
    certification_channel = (
        CertificationChannel.KIOSK if channel == Channel.KIOSK else CertificationChannel.WEB
    )
    return case_done_on_the_spot(
        actor=person_actor,
        item=item,
        channel=channel,
        person=standing.pension.person,
        data={
            "pension_id": standing.pension.pk,
            "certified_on": timezone.localdate().isoformat(),
            "certification_channel": certification_channel.value,
        },
    )


@citizen_required
def unemployment(request: HttpRequest) -> HttpResponse:
    person = me(request)
    blocked = ""
    try:
        check_may_claim(actor(request), person)
    except RuleViolation as exc:
        blocked = refusal_shown(exc)
    refusal = blocked
    employers = [(employer.pk, employer.name) for employer in employers_of(person)]
    form = UnemploymentClaimForm(request.POST or None, employers=employers)
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        try:
            case = unemployment_claim_request(
                actor=actor(request),
                person=person,
                request=UnemploymentRequest(
                    separated_on=data["separated_on"],
                    separation_reason=data["separation_reason"],
                    registered_on=timezone.localdate(),
                    employer_id=data["employer_id"] or None,
                    bank_name=data["bank_name"],
                    bank_account=data["bank_account"],
                ),
                channel=Channel.WEB,
            )
        except RuleViolation as exc:
            refusal = refusal_shown(exc)
        else:
            messages.success(
                request,
                _("Your application %(receipt)s was sent; a clerk of %(agency)s will check it.")
                % {"receipt": case.receipt_no, "agency": case.agency.name},
            )
            return redirect("portal:citizen_case", case_id=case.pk)
    context = {"form": form, "refusal": refusal, "blocked": bool(blocked)}
    return render(request, "portal/citizen/unemployment.html", context)
