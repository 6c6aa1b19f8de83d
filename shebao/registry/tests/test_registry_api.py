"""/api/v1/employers, /persons and /insured-relations: the same scope and rules as the counter."""

from __future__ import annotations

from django.utils import timezone

from shebao.core.actors import system_actor
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import User
from shebao.core.periods import period_of
from shebao.core.services import api_token_issue
from shebao.registry.demo import demo_credit_code, demo_employer, demo_person


def bearer(username: str) -> dict[str, str]:
    _row, token = api_token_issue(actor=system_actor("t"), user=User.objects.get(username=username))
    return {"Authorization": f"Bearer {token}"}


def test_lists_are_scoped_and_identifiers_masked(client, demo):
    maojian = bearer("clerk_maojian")
    firms = client.get("/api/v1/employers", headers=maojian).json()
    names = {f["name"] for f in firms}
    assert "十堰市示范超市有限公司" in names
    assert "湖北示例汽车零部件有限公司" not in names
    persons = client.get("/api/v1/persons", headers=maojian).json()
    assert all("********" in p["resident_id"] for p in persons)
    other = demo_person("李娜")
    assert client.get(f"/api/v1/persons/{other.pk}", headers=maojian).status_code == 404


def test_staff_addition_through_the_api_opens_a_case(client, demo):
    firm = demo_employer("十堰市示范超市有限公司")
    response = client.post(
        "/api/v1/insured-relations",
        {
            "employer": firm.credit_code,
            "additions": [
                {
                    "resident_id": resident_id_with_check("42030219910101991"),
                    "name": "接口",
                    "start_period": period_of(timezone.localdate()),
                }
            ],
        },
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert response.status_code == 201, response.content
    assert (response.json()["item"], response.json()["channel"]) == ("SBRG005", "api")


def test_a_reviewer_is_refused_staff_changes_before_the_lists_are_checked(client, demo):
    firm = demo_employer("十堰市示范超市有限公司")
    for username, status, code in (
        ("reviewer_maojian", 403, "CORE-PERMISSION"),
        ("clerk_maojian", 400, "REG-REL-NOTHING"),
    ):
        response = client.post(
            "/api/v1/insured-relations",
            {"employer": firm.credit_code, "additions": [], "removals": []},
            content_type="application/json",
            headers=bearer(username),
        )
        assert response.status_code == status, (username, response.content)
        assert response.json()["code"] == code


def test_cross_city_duplicate_through_the_api(client, demo):
    zhang = demo_person("张伟")  # insured with the Maojian supermarket in the demo
    response = client.post(
        "/api/v1/insured-relations",
        {
            "employer": demo_employer("武汉示范科技有限公司").credit_code,
            "additions": [
                {
                    "resident_id": zhang.resident_id,
                    "name": zhang.name,
                    "start_period": period_of(timezone.localdate()),
                }
            ],
        },
        content_type="application/json",
        headers=bearer("clerk_wuhan"),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "REG-REL-DUPLICATE-ACTIVE"


def test_employer_registration_through_the_api(client, demo):
    response = client.post(
        "/api/v1/employers",
        {"credit_code": demo_credit_code("91420300MA4D0077"), "name": "接口注册有限公司"},
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert response.status_code == 201, response.content
    assert response.json()["item"] == "SBRG001"
    relations = client.get(
        "/api/v1/insured-relations",
        {"resident_id": demo_person("张伟").resident_id},
        headers=bearer("clerk_maojian"),
    ).json()
    assert {r["scheme"] for r in relations} == {"pension", "unemployment", "work_injury"}
