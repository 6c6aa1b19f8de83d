"""Staff page: an employer's portal access. A clerk with the employer in scope lists its
agents, opens an administrator agent (the first, or another when the only one left), and
deactivates an agent."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.actors import actor_from_request
from shebao.core.errors import RuleViolation
from shebao.core.feedback import report_refusal
from shebao.core.masking import mask_phone
from shebao.portal.employer_forms import AgentOpenForm
from shebao.portal.employer_selectors import agent_of_employer, agents_of
from shebao.portal.services import employer_agent_deactivate, employer_agent_open
from shebao.registry.selectors import employer_get


@login_required
def staff_agents(request: HttpRequest, employer_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    form = AgentOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agent = employer_agent_open(
                actor=actor,
                employer=employer,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
            )
        except RuleViolation as exc:
            report_refusal(request, exc)
        else:
            messages.success(
                request,
                _(
                    "%(name)s was opened as an administrator: they activate the login online "
                    "with the credit code and the code sent to %(phone)s."
                )
                % {"name": agent.name, "phone": mask_phone(agent.phone)},
            )
            return redirect("portal:staff_agents", employer_id=employer.pk)
    return render(
        request,
        "portal/staff_agents.html",
        {
            "employer": employer,
            "rows": [(a, mask_phone(a.phone)) for a in agents_of(employer)],
            "form": form,
        },
    )


@login_required
@require_POST
def staff_agent_deactivate(request: HttpRequest, employer_id: int, agent_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    employer = employer_get(actor, employer_id)
    agent = agent_of_employer(employer, agent_id)
    try:
        employer_agent_deactivate(actor=actor, agent=agent)
    except RuleViolation as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("%(name)s can no longer sign in.") % {"name": agent.name})
    return redirect("portal:staff_agents", employer_id=employer.pk)
