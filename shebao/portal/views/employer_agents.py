"""The employer's agents (经办人管理): every agent sees the list; an administrator of the
account adds agents and deactivates them (the service refuses anyone else)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.core.errors import RuleViolation
from shebao.core.feedback import refusal_shown
from shebao.core.masking import mask_phone
from shebao.portal.auth import agent_required, portal_actor
from shebao.portal.employer_forms import AgentAddForm
from shebao.portal.employer_selectors import agent_of_employer, agents_of
from shebao.portal.services import employer_agent_add, employer_agent_deactivate
from shebao.portal.views.employer_common import agent_and_employer


@agent_required
def agent_list(request: HttpRequest) -> HttpResponse:
    agent, employer = agent_and_employer(request)
    return render(
        request,
        "portal/employer/agents.html",
        {
            "employer": employer,
            "me": agent,
            "rows": [(a, mask_phone(a.phone)) for a in agents_of(employer)],
            "form": AgentAddForm() if agent.is_admin else None,
        },
    )


@agent_required
@require_POST
def agent_add(request: HttpRequest) -> HttpResponse:
    form = AgentAddForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Please correct the form: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("portal:employer_agents")
    try:
        added = employer_agent_add(
            actor=portal_actor(request),
            name=form.cleaned_data["name"],
            phone=form.cleaned_data["phone"],
            is_admin=form.cleaned_data["is_admin"],
        )
    except RuleViolation as exc:
        messages.error(request, refusal_shown(exc))
    else:
        messages.success(
            request,
            _("%(name)s was added: they activate their login with the code sent to %(phone)s.")
            % {"name": added.name, "phone": mask_phone(added.phone)},
        )
    return redirect("portal:employer_agents")


@agent_required
@require_POST
def agent_deactivate(request: HttpRequest, agent_id: int) -> HttpResponse:
    _me, employer = agent_and_employer(request)
    agent = agent_of_employer(employer, agent_id)
    try:
        employer_agent_deactivate(actor=portal_actor(request), agent=agent)
    except RuleViolation as exc:
        messages.error(request, refusal_shown(exc))
    else:
        messages.success(request, _("%(name)s can no longer sign in.") % {"name": agent.name})
    return redirect("portal:employer_agents")
