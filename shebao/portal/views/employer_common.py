"""What every employer page needs: the signed-in agent and their employer, the way to the
receipt of a case submitted online, and file downloads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from shebao.portal.auth import employer_agent_of
from shebao.portal.models import EmployerAgent
from shebao.registry.models import Employer
from shebao.services.models import Case

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def agent_and_employer(request: HttpRequest) -> tuple[EmployerAgent, Employer]:
    """The agent of an ``agent_required`` page and the one employer every read is narrowed
    to."""
    agent = employer_agent_of(request)
    if agent is None:  # agent_required let the request through: cannot happen
        raise PermissionError("no employer agent on this request")
    return agent, agent.employer


def submitted(case: Case) -> HttpResponse:
    """After a request was filed online: its receipt (reloading it files nothing again)."""
    return redirect("portal:employer_case_submitted", case_id=case.pk)


def download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
