"""The employer home's cards (portal/agent_home.html): what the agent needs first, read for
the signed-in agent's own employer."""

from __future__ import annotations

from typing import Any

from django import template

from shebao.core.money import format_yuan
from shebao.portal.auth import employer_agent_of
from shebao.portal.employer_selectors import employer_home

register = template.Library()


@register.inclusion_tag("portal/employer/_home_cards.html", takes_context=True)
def employer_home_cards(context: template.Context) -> dict[str, Any]:
    agent = employer_agent_of(context["request"])
    if agent is None:
        return {}
    home = employer_home(agent.employer)
    return {
        "request": context["request"],
        "agent": agent,
        "employer": agent.employer,
        "home": home,
        "outstanding": format_yuan(home.outstanding_fen),
        "bills": [(bill, format_yuan(bill.outstanding_fen)) for bill in home.bills],
    }
