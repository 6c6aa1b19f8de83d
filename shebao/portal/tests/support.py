"""Helpers for the portal tests: the SMS outbox, the code in the last message, demo records."""

from __future__ import annotations

import re

from shebao.portal import sms
from shebao.portal.models import CitizenAccount, EmployerAgent
from shebao.registry.demo import demo_employer, demo_person

CODE = re.compile(r"验证码为?(\d{6})")


def last_code(phone: str | None = None) -> str:
    """The six digits of the newest SMS (to ``phone`` when given)."""
    messages = [m for m in sms.outbox if phone is None or m.phone == phone]
    assert messages, "no SMS was sent"
    match = CODE.search(messages[-1].text)
    assert match, messages[-1].text
    return match[1]


def citizen_account(name: str) -> CitizenAccount:
    return CitizenAccount.objects.select_related("user", "person").get(person=demo_person(name))


def demo_agent(employer_name: str, phone: str) -> EmployerAgent:
    return EmployerAgent.objects.select_related("user", "employer").get(
        employer=demo_employer(employer_name), phone=phone
    )
