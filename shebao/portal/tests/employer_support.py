"""Helpers for the employer portal tests: the demo employers and a client signed in as one
of their agents through the real two-step sign-in."""

from __future__ import annotations

from django.test import Client

from shebao.core.demo import DEMO_PASSWORD
from shebao.portal.tests.support import last_code
from shebao.registry.demo import demo_employer

SUPERMARKET = "十堰市示范超市有限公司"
PARTS_MAKER = "湖北示例汽车零部件有限公司"
ZHAO_MIN = "13907191001"  # administrator agent of the supermarket
SUN_LI = "13907191003"  # administrator agent of the parts maker


def signed_in(client: Client, employer_name: str, phone: str) -> Client:
    """The client after the password and the code sent to ``phone``."""
    employer = demo_employer(employer_name)
    first = client.post(
        "/portal/employer/login/",
        {"credit_code": employer.credit_code, "phone": phone, "password": DEMO_PASSWORD},
    )
    assert first.status_code == 302, first.content.decode()
    done = client.post("/portal/employer/login/code/", {"code": last_code(phone)})
    assert done.status_code == 302, done.content.decode()
    return client
