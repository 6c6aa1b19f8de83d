"""The first page after sign-in: the citizen's and the employer agent's home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from shebao.portal.auth import (
    agent_required,
    citizen_account_of,
    citizen_required,
    employer_agent_of,
)
from shebao.portal.selectors import citizen_overview

# (url name, icon, label) of the citizen home page's shortcuts
CITIZEN_CARDS = [
    ("portal:citizen_contributions", "bi-calendar3", _("Contributions by month")),
    ("portal:citizen_statement", "bi-journal-text", _("Account statement")),
    ("portal:citizen_certificate", "bi-file-earmark-check", _("Contribution certificate")),
    ("portal:citizen_retirement", "bi-person-walking", _("Apply for retirement")),
    ("portal:citizen_unemployment", "bi-briefcase", _("Claim unemployment benefit")),
    ("portal:citizen_cases", "bi-list-check", _("My cases")),
    ("portal:citizen_appointments", "bi-calendar-check", _("Book a hall appointment")),
    ("portal:citizen_home_visit", "bi-house-heart", _("Ask for a home visit")),
]


@citizen_required
def citizen_home(request: HttpRequest) -> HttpResponse:
    account = citizen_account_of(request)
    assert account is not None
    context = {
        "account": account,
        "overview": citizen_overview(account.person),
        "cards": CITIZEN_CARDS,
    }
    return render(request, "portal/citizen_home.html", context)


@agent_required
def agent_home(request: HttpRequest) -> HttpResponse:
    agent = employer_agent_of(request)
    return render(request, "portal/agent_home.html", {"agent": agent})
