"""An employer's agents: the first opened by a clerk, others by the account's administrator;
each activates and signs in with a code to their own phone."""

from __future__ import annotations

import pytest

from shebao.core.demo import DEMO_PASSWORD
from shebao.core.errors import RuleViolation
from shebao.core.models import AuditEntry
from shebao.core.permissions import OutOfScope
from shebao.portal.models import EmployerAgent
from shebao.portal.services import (
    agent_actor,
    employer_agent_add,
    employer_agent_deactivate,
    employer_agent_open,
)
from shebao.portal.tests.support import demo_agent, last_code
from shebao.registry.demo import demo_employer

SUPERMARKET = "十堰市示范超市有限公司"
NEW_PASSWORD = "Jingban-Mima-2026"


def agent_sign_in(client, employer_name: str, phone: str, password: str = DEMO_PASSWORD):
    employer = demo_employer(employer_name)
    first = client.post(
        "/portal/employer/login/",
        {"credit_code": employer.credit_code, "phone": phone, "password": password},
    )
    assert first.status_code == 302, first.content.decode()
    return client.post("/portal/employer/login/code/", {"code": last_code(phone)})


def test_an_agent_signs_in_for_their_employer(client, demo):
    done = agent_sign_in(client, SUPERMARKET, "13907191001")
    assert done.url == "/portal/employer/"
    page = client.get("/portal/employer/").content.decode()
    assert SUPERMARKET in page
    assert demo_employer(SUPERMARKET).credit_code in page


def test_a_clerk_opens_the_first_agent_and_the_agent_activates_the_login(client, demo, actor_of):
    employer = demo_employer("湖北示例汽车零部件有限公司")
    agent = employer_agent_open(
        actor=actor_of("clerk_zhangwan"), employer=employer, name="周杰", phone="139 0719 2001"
    )
    assert (agent.phone, agent.is_admin, agent.user) == ("13907192001", True, None)
    assert AuditEntry.objects.latest("id").action == "portal.agent_open"
    first = client.post(
        "/portal/employer/activate/", {"credit_code": employer.credit_code, "phone": agent.phone}
    )
    assert first.status_code == 302
    client.post(
        "/portal/employer/activate/code/",
        {"code": last_code(agent.phone), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    agent.refresh_from_db()
    assert agent.user is not None
    assert agent.user.kind == "employer_agent"
    assert client.get("/portal/employer/").status_code == 200


def test_a_clerk_cannot_open_an_agent_for_another_agencys_employer(demo, actor_of):
    with pytest.raises(OutOfScope):
        employer_agent_open(
            actor=actor_of("clerk_zhangwan"),
            employer=demo_employer(SUPERMARKET),
            name="周杰",
            phone="13907192002",
        )


def test_the_administrator_adds_an_agent_once(demo):
    admin = agent_actor(demo_agent(SUPERMARKET, "13907191001"))
    added = employer_agent_add(actor=admin, name="吴磊", phone="13907191009")
    assert (added.employer, added.is_admin) == (demo_employer(SUPERMARKET), False)
    with pytest.raises(RuleViolation) as taken:
        employer_agent_add(actor=admin, name="吴磊", phone="13907191009")
    assert taken.value.code == "PORTAL-AGENT-PHONE-TAKEN"
    assert EmployerAgent.objects.filter(employer=added.employer, phone="13907191009").count() == 1


def test_a_non_administrator_cannot_add_agents(demo, client):
    admin = agent_actor(demo_agent(SUPERMARKET, "13907191001"))
    added = employer_agent_add(actor=admin, name="冯云", phone="13907191010")
    client.post(
        "/portal/employer/activate/",
        {"credit_code": demo_employer(SUPERMARKET).credit_code, "phone": added.phone},
    )
    client.post(
        "/portal/employer/activate/code/",
        {"code": last_code(added.phone), "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    added.refresh_from_db()
    with pytest.raises(RuleViolation) as refused:
        employer_agent_add(actor=agent_actor(added), name="蒋平", phone="13907191011")
    assert refused.value.code == "PORTAL-AGENT-ADMIN-ONLY"


def test_the_last_administrator_stays(demo):
    admin_agent = demo_agent(SUPERMARKET, "13907191001")
    with pytest.raises(RuleViolation) as refused:
        employer_agent_deactivate(actor=agent_actor(admin_agent), agent=admin_agent)
    assert refused.value.code == "PORTAL-AGENT-LAST-ADMIN"
    admin_agent.refresh_from_db()
    assert admin_agent.is_active


def test_a_deactivated_agent_cannot_sign_in(client, demo, actor_of):
    admin = agent_actor(demo_agent(SUPERMARKET, "13907191001"))
    other = demo_agent("湖北示例汽车零部件有限公司", "13907191003")
    with pytest.raises(OutOfScope):
        employer_agent_deactivate(actor=admin, agent=other)  # another employer's agent
    second = employer_agent_add(actor=admin, name="韩梅", phone="13907191012", is_admin=True)
    assert second.is_admin
    employer_agent_deactivate(
        actor=actor_of("clerk_maojian"), agent=demo_agent(SUPERMARKET, "13907191001")
    )
    page = client.post(
        "/portal/employer/login/",
        {
            "credit_code": demo_employer(SUPERMARKET).credit_code,
            "phone": "13907191001",
            "password": DEMO_PASSWORD,
        },
    )
    assert "PORTAL-LOGIN-FAILED" in page.content.decode()


def test_an_agent_is_refused_on_staff_pages(client, demo):
    agent_sign_in(client, SUPERMARKET, "13907191001")
    assert client.get("/registry/employers/").status_code == 403
