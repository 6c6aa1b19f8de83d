"""The facts each document certifies, from rows (no database) and against the records (the
sums to the fen)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Sum

from shebao.accounts.models import AccountEntry
from shebao.accounts.selectors import account_summary
from shebao.contributions.models import AssessmentLine, Bill, HistoricalContribution
from shebao.core.errors import RuleViolation
from shebao.documents import preparing
from shebao.documents.facts.employer import OpenBill, PeriodBills, PeriodLines
from shebao.documents.facts.employer import employer_certificate_body as employer_body
from shebao.documents.facts.personal import (
    HistoryMonth,
    LineSum,
    RelationRow,
    personal_certificate_body,
)
from shebao.registry.models import Scheme
from shebao.services.tests.factories import employer, person

PERSON = {
    "id": 1,
    "name": "张伟",
    "sex": "男",
    "resident_id": "420302197001011238",
    "agency": "茅箭区",
}


def paid(period, base, er, ind, employer_name="甲公司", scheme="pension"):
    return LineSum(scheme, period, employer_name, True, base, er, ind)


def test_months_in_ranges_by_payer_history_counted_and_unpaid_listed_apart():
    lines = [
        paid(202401, 500000, 80000, 40000),
        paid(202402, 500000, 80000, 40000),
        paid(202403, 600000, 96000, 48000, employer_name=None),  # flexible
        # a difference bill on February, paid: the month's base is the sum
        paid(202402, 10000, 1600, 800),
        LineSum("pension", 202404, "甲公司", False, 600000, 96000, 48000),  # owed
    ]
    history = [HistoryMonth("pension", p, 300000) for p in (202311, 202312)]
    history.append(HistoryMonth("pension", 202401, 999999))  # also assessed: counts once
    body = personal_certificate_body(
        person=PERSON,
        relations=[RelationRow("pension", None, 202311, None, "active")],
        lines=lines,
        history=history,
        as_of=date(2026, 12, 6),
    )
    pension = body["schemes"][0]
    assert pension["ranges"] == [
        {"from": 202311, "to": 202312, "months": 2, "payer": "本系统启用前缴费记录"},
        {"from": 202401, "to": 202402, "months": 2, "payer": "甲公司"},
        {"from": 202403, "to": 202403, "months": 1, "payer": "灵活就业"},
    ]
    assert (pension["paid_months"], pension["history_months"], pension["total_months"]) == (3, 2, 5)
    assert pension["individual_fen"] == 40000 + 40800 + 48000
    assert pension["employer_fen"] == 80000 + 81600 + 96000
    assert pension["unpaid"] == [
        {"period": 202404, "base_fen": 600000, "employer_fen": 96000, "individual_fen": 48000}
    ]
    history_year, year = pension["years"]
    assert (history_year["origin"], history_year["months"], history_year["employer_fen"]) == (
        "history",
        2,
        None,
    )
    assert (year["year"], year["months"], year["base_min_fen"], year["base_max_fen"]) == (
        2024,
        3,
        500000,
        600000,
    )
    assert (pension["status"], pension["payer"], pension["since"]) == (
        "参保缴费",
        "灵活就业",
        202311,
    )
    unemployment = body["schemes"][1]
    assert (unemployment["status"], unemployment["total_months"]) == ("未参保", 0)


def test_a_fully_reversed_month_does_not_count():
    lines = [paid(202401, 500000, 80000, 40000), paid(202401, -500000, -80000, -40000)]
    body = personal_certificate_body(
        person=PERSON, relations=[], lines=lines, history=[], as_of=date(2026, 1, 1)
    )
    assert body["schemes"][0]["total_months"] == 0


def test_employer_periods_paid_status_and_arrears_on_the_date():
    body = employer_body(
        employer={"name": "甲", "credit_code": "X", "agency": "A", "status": "正常参保"},
        headcount={"pension": 3},
        periods=[
            PeriodLines(202609, 3, 900000, 150000, 70000),
            PeriodLines(202610, 3, 900000, 150000, 70000),
        ],
        bills=[PeriodBills(202609, 1, 220000, 220000), PeriodBills(202610, 1, 220000, 100000)],
        open_bills=[
            OpenBill("B1", 202610, date(2026, 11, 15), 120000),
            OpenBill("B2", 202611, date(2026, 12, 15), 220000),
        ],
        as_of=date(2026, 12, 6),
    )
    assert [p["period"] for p in body["periods"]] == [202610, 202609]
    assert [p["status"] for p in body["periods"]] == ["部分缴纳（欠 1,200.00 元）", "已足额缴纳"]
    assert body["arrears"] == {
        "bills": 1,
        "outstanding_fen": 120000,
        "oldest_due": "2026-11-15",
        "numbers": ["B1"],
    }
    assert body["not_yet_due"] == {"bills": 1, "outstanding_fen": 220000}
    assert [h["persons"] for h in body["headcount"]] == [3, 0, 0]


# --- against the records ----------------------------------------------------------------------


def test_personal_certificate_equals_the_paid_lines_and_the_history(demo):
    zhang = person("张伟")
    HistoricalContribution.objects.bulk_create(
        HistoricalContribution(
            person=zhang, scheme="pension", period=p, base_fen=350000, source="t"
        )
        for p in range(201901, 201913)
    )
    prepared = preparing.personal_certificate_prepare(zhang)
    schemes = {s["scheme"]: s for s in prepared.facts["body"]["schemes"]}
    for scheme in Scheme.values:
        lines = AssessmentLine.objects.filter(person=zhang, scheme=scheme)
        totals = lines.filter(paid_on__isnull=False).aggregate(
            er=Sum("employer_fen"), ind=Sum("individual_fen")
        )
        paid_periods = set(lines.filter(paid_on__isnull=False).values_list("period", flat=True))
        history = set(
            HistoricalContribution.objects.filter(person=zhang, scheme=scheme).values_list(
                "period", flat=True
            )
        )
        facts = schemes[scheme]
        assert facts["employer_fen"] == (totals["er"] or 0)
        assert facts["individual_fen"] == (totals["ind"] or 0)
        assert facts["paid_months"] == len(paid_periods)
        assert facts["total_months"] == len(paid_periods | history)
        unpaid = set(lines.filter(paid_on__isnull=True).values_list("period", flat=True))
        assert {u["period"] for u in facts["unpaid"]} == unpaid - paid_periods
    assert schemes["pension"]["history_months"] == 12
    assert prepared.facts["body"]["person"]["resident_id"] == zhang.resident_id


def test_employer_certificate_equals_its_lines_and_bills(demo):
    supermarket = employer("十堰市示范超市有限公司")
    prepared = preparing.employer_certificate_prepare(supermarket)
    body = prepared.facts["body"]
    assert body["periods"]
    for row in body["periods"]:
        lines = AssessmentLine.objects.filter(employer_id=supermarket.pk, period=row["period"])
        sums = lines.aggregate(er=Sum("employer_fen"), ind=Sum("individual_fen"))
        bills = Bill.objects.filter(employer=supermarket, period=row["period"]).aggregate(
            due=Sum("total_fen"), paid=Sum("paid_fen")
        )
        assert (row["employer_fen"], row["individual_fen"]) == (sums["er"], sums["ind"])
        assert (row["due_fen"], row["paid_fen"]) == (bills["due"], bills["paid"])
        assert (
            row["pension_base_fen"]
            == (lines.filter(scheme="pension").aggregate(b=Sum("base_fen"))["b"])
        )
    today = prepared.issued_at.astimezone().date()
    overdue = [
        b.total_fen - b.paid_fen
        for b in Bill.objects.filter(employer=supermarket)
        if b.total_fen > b.paid_fen and b.due_date < today
    ]
    assert body["arrears"]["outstanding_fen"] == sum(overdue)
    assert body["arrears"]["bills"] == len(overdue)
    active = supermarket.relations.filter(status="active", scheme="pension").count()
    assert body["headcount"][0]["persons"] == active


def test_statement_equals_the_journal(demo):
    zhang = person("张伟")
    year = account_summary(zhang).years[-1]
    body = preparing.account_statement_prepare(zhang, year).facts["body"]
    opening = AccountEntry.objects.filter(person=zhang, year__lt=year).aggregate(
        s=Sum("amount_fen")
    )
    closing = AccountEntry.objects.filter(person=zhang, year__lte=year).aggregate(
        s=Sum("amount_fen")
    )
    credits = AccountEntry.objects.filter(person=zhang, year=year, kind="contribution").aggregate(
        s=Sum("amount_fen")
    )
    assert body["opening_fen"] == (opening["s"] or 0)
    assert body["closing_fen"] == closing["s"]
    assert body["credits_fen"] == (credits["s"] or 0)
    assert (
        body["opening_fen"] + body["credits_fen"] + body["interest_fen"] + body["others_fen"]
        == (body["closing_fen"])
    )


def test_bill_facts_equal_its_lines(demo):
    bill = Bill.objects.filter(employer=employer("十堰市示范超市有限公司")).earliest("period")
    body = preparing.bill_prepare(bill).facts["body"]
    lines = AssessmentLine.objects.filter(run_id=bill.run_id, employer=bill.employer)
    sums = lines.aggregate(er=Sum("employer_fen"), ind=Sum("individual_fen"))
    assert (body["lines_employer_fen"], body["lines_individual_fen"]) == (sums["er"], sums["ind"])
    assert (body["bill"]["employer_fen"], body["bill"]["individual_fen"]) == (
        bill.employer_fen,
        bill.individual_fen,
    )
    assert body["bill"]["total_fen"] == bill.total_fen
    assert sum(len(p["lines"]) for p in body["persons"]) == lines.count()
    first = body["persons"][0]
    assert "*" in first["resident_id"]


def test_a_year_outside_the_account_is_refused(demo):
    zhang = person("张伟")
    with pytest.raises(RuleViolation) as refused:
        preparing.account_statement_prepare(zhang, 1990)
    assert refused.value.code == "DOC-STATEMENT-YEAR"
