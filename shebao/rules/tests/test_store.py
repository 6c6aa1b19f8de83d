"""The parameter store: loading is idempotent, staff add values through maker-checker, and
every step is audited."""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from shebao.core.errors import RuleViolation
from shebao.core.models import AuditEntry
from shebao.rules.models import Parameter, ParameterValue, ValueStatus
from shebao.rules.params import default_parameter_dir
from shebao.rules.services import (
    parameter_value_decide,
    parameter_value_propose,
    parameters_load,
)
from shebao.rules.store import DatabaseParameters

KEY = "wage.reference_average_monthly"


def propose(actor, value: str = "7400.00", region: str = "420300", on: date = date(2026, 1, 1)):
    return parameter_value_propose(
        actor=actor,
        parameter=Parameter.objects.get(key=KEY),
        region=region,
        effective_from=on,
        value_text=value,
        reference="鄂人社发〔2026〕1号",
        confidence="verified",
    )


def test_loading_the_files_again_changes_nothing(system):
    entries = AuditEntry.objects.count()
    report = parameters_load(actor=system, root=default_parameter_dir())
    assert report.created == 0
    assert report.superseded == 0
    assert report.unchanged == ParameterValue.objects.filter(status="approved").count()
    assert AuditEntry.objects.count() == entries


def test_a_corrected_figure_in_a_file_becomes_a_new_version(system, tmp_path):
    root = tmp_path / "parameters"
    shutil.copytree(default_parameter_dir(), root)
    wages = root / "420300" / "wages.yaml"
    wages.write_text(wages.read_text().replace('"7226.00"', '"7227.00"'))
    report = parameters_load(actor=system, root=root)
    assert (report.created, report.superseded) == (1, 1)
    now = DatabaseParameters().lookup(KEY, "420300", date(2025, 6, 1))
    assert now.value == Decimal("7227.00")
    assert now.version == 4
    old = ParameterValue.objects.get(region="420300", parameter__key=KEY, version=3)
    assert old.status == ValueStatus.SUPERSEDED


def test_a_proposal_is_not_in_force_until_another_person_approves_it(actor_of):
    proposal = propose(actor_of("policy_hubei"))
    assert proposal.status == ValueStatus.PENDING
    on = date(2026, 3, 1)
    assert DatabaseParameters().lookup(KEY, "420300", on).value == Decimal("7226.00")

    with pytest.raises(RuleViolation) as refused:
        parameter_value_decide(actor=actor_of("policy_hubei"), proposal=proposal, approve=True)
    assert refused.value.code == "PARAM-APPROVE-SELF"

    approved = parameter_value_decide(actor=actor_of("admin"), proposal=proposal, approve=True)
    assert approved.status == ValueStatus.APPROVED
    in_force = DatabaseParameters().lookup(KEY, "420300", on)
    assert (in_force.value, in_force.version) == (Decimal("7400.00"), approved.version)
    actions = list(
        AuditEntry.objects.filter(target_id=str(proposal.pk), target_type="rules.parametervalue")
        .order_by("id")
        .values_list("action", "actor_username")
    )
    assert actions == [("parameter.propose", "policy_hubei"), ("parameter.approve", "admin")]


def test_approving_a_correction_supersedes_the_value_of_the_same_date(actor_of):
    proposal = propose(actor_of("policy_hubei"), value="7230.00", on=date(2025, 1, 1))
    parameter_value_decide(actor=actor_of("admin"), proposal=proposal, approve=True)
    rows = ParameterValue.objects.filter(
        parameter__key=KEY, region="420300", effective_from=date(2025, 1, 1)
    )
    assert sorted(rows.values_list("status", flat=True)) == ["approved", "superseded"]
    entry = AuditEntry.objects.latest("id")
    assert entry.before is not None
    assert entry.before["value"] == "7226.00"


def test_a_decided_proposal_cannot_be_decided_again(actor_of):
    proposal = propose(actor_of("policy_hubei"))
    parameter_value_decide(actor=actor_of("admin"), proposal=proposal, approve=False, note="no")
    with pytest.raises(RuleViolation) as refused:
        parameter_value_decide(actor=actor_of("admin"), proposal=proposal, approve=True)
    assert refused.value.code == "PARAM-NOT-PENDING"


def test_district_head_maintains_only_own_district(actor_of):
    with pytest.raises(RuleViolation) as refused:
        propose(actor_of("head_maojian"), region="420300")
    assert refused.value.code == "PARAM-REGION-SCOPE"
    assert propose(actor_of("head_maojian"), region="420302").status == ValueStatus.PENDING


def test_clerk_cannot_propose(actor_of):
    with pytest.raises(RuleViolation) as refused:
        propose(actor_of("clerk_maojian"), region="420302")
    assert refused.value.code == "CORE-PERMISSION"


@pytest.mark.parametrize("text", ["abc", "1.2.3", "7000.001", "{}"])
def test_malformed_value_is_refused_and_nothing_is_written(actor_of, text):
    parameter = Parameter.objects.get(key=KEY)
    before = ParameterValue.objects.count()
    with pytest.raises(RuleViolation) as refused:
        parameter_value_propose(
            actor=actor_of("policy_hubei"),
            parameter=parameter,
            region="420000",
            effective_from=date(2026, 1, 1),
            value_text=text,
            reference="x",
            confidence="verified",
        )
    assert refused.value.code == "PARAM-VALUE-FORMAT"
    assert ParameterValue.objects.count() == before


def test_staff_pages_show_parameters_history_and_the_demo_proposal(login):
    client = login("admin")
    listing = client.get("/parameters/", {"q": "wage."}).content.decode()
    assert KEY in listing
    assert "7226.00" in listing
    history = client.get(f"/parameters/{KEY}/").content.decode()
    assert "鄂人社发〔2025〕28号" in history
    proposals = client.get("/parameters/proposals/").content.decode()
    assert "policy_hubei" in proposals or "周政" in proposals


def test_approval_through_the_staff_ui(login):
    proposal = ParameterValue.objects.get(status=ValueStatus.PENDING, region="420300")
    client = login("admin")
    response = client.post(f"/parameters/proposals/{proposal.pk}/approve/", {"note": "ok"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ValueStatus.APPROVED
    assert proposal.decided_by is not None
    assert proposal.decided_by.username == "admin"


def test_proposal_through_the_staff_ui_by_a_clerk_is_forbidden(login):
    before = ParameterValue.objects.count()
    response = login("clerk_maojian").post(
        f"/parameters/{KEY}/propose/",
        {
            "region": "420302",
            "effective_from": "2026-01-01",
            "value": "7000.00",
            "reference": "x",
            "confidence": "verified",
        },
    )
    assert response.status_code == 403
    assert ParameterValue.objects.count() == before


def test_rule_catalogue_lists_every_registered_rule(login):
    from shebao.rules.catalogue import load_all_rules

    rules = load_all_rules()
    body = login("clerk_maojian").get("/rules/").content.decode()
    for rule in rules:
        assert rule.code in body
    codes = {rule.code for rule in rules}
    assert {"REG-ID-CHECKSUM", "CORE-SCOPE", "LATE-FEE", "PARAM-NO-VALUE"} <= codes
    assert all(rule.message_zh and rule.message_en for rule in rules)


def test_calc_command_prints_json_and_exits_2_on_bad_input(demo):
    out = StringIO()
    call_command(
        "calc",
        "late-fee",
        "--input",
        '{"amount": "10000.00", "due": "2025-01-15", "paid": "2025-02-14"}',
        stdout=out,
    )
    assert json.loads(out.getvalue())["late_fee"] == "150.00"
    bad = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("calc", "late-fee", "--input", '{"amount": "-5"}', stdout=bad)
    assert exited.value.code == 2
    assert json.loads(bad.getvalue())["error"]["code"] in {
        "CALC-INPUT-INVALID",
        "CALC-INPUT-MISSING",
    }
    unknown = StringIO()
    with pytest.raises(SystemExit):
        call_command("calc", "no-such", "--input", "{}", stdout=unknown)
    assert json.loads(unknown.getvalue())["error"]["code"] == "CALC-UNKNOWN"


def test_calc_and_parameter_api(client, demo):
    from shebao.core.actors import system_actor
    from shebao.core.models import User
    from shebao.core.services import api_token_issue

    _row, token = api_token_issue(
        actor=system_actor("tests"), user=User.objects.get(username="clerk_maojian")
    )
    auth = {"Authorization": f"Bearer {token}"}
    ok = client.post(
        "/api/v1/calc/late-fee",
        {"amount": "10000.00", "due": "2025-01-15", "paid": "2025-02-14"},
        content_type="application/json",
        headers=auth,
    )
    assert ok.status_code == 200
    assert ok.json()["late_fee"] == "150.00"
    bad = client.post(
        "/api/v1/calc/late-fee", {"amount": "x"}, content_type="application/json", headers=auth
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "CALC-INPUT-INVALID"
    found = client.get(
        "/api/v1/parameters", {"key": KEY, "region": "420302", "on": "2025-06-01"}, headers=auth
    ).json()
    assert found == [
        {
            "key": KEY,
            "region_requested": "420302",
            "region": "420300",
            "effective_from": "2025-01-01",
            "value": "7226.00",
            "unit": "yuan",
            "reference": "鄂人社发〔2025〕28号",
            "confidence": "verified",
            "version": 3,
        }
    ]
    refused = client.get(
        "/api/v1/parameters", {"key": KEY, "region": "110000", "on": "2025-06-01"}, headers=auth
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "PARAM-REGION-UNKNOWN"


@pytest.mark.parametrize("path", ["/parameters/", "/rules/"])
def test_a_portal_login_does_not_read_the_staff_pages(client, demo, path):
    from shebao.core.models import User, UserKind

    citizen = User.objects.exclude(kind=UserKind.STAFF).first()
    assert citizen is not None
    client.force_login(citizen)
    assert client.get(path).status_code == 403
