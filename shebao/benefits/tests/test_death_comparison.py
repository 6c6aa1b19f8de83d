"""The death-data comparison file: alive certifies, deceased registers the death; any bad row
refuses the whole file and writes nothing; the same file again changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from shebao.benefits.models import (
    Certification,
    Death,
    Overpayment,
    PensionStatus,
)
from shebao.benefits.services.certification import (
    certification_sweep_create,
    certification_sweep_execute,
)
from shebao.benefits.services.death import comparison_import
from shebao.benefits.tests.lifecycle_support import paid, retiree
from shebao.core.errors import RuleViolation
from shebao.core.models import AuditEntry
from shebao.core.periods import period_range
from shebao.services.models import Case

pytestmark = pytest.mark.django_db

HEADER = "resident_id,result,date,source\n"


@pytest.fixture(autouse=True)
def _november_2026():
    with time_machine.travel(date(2026, 11, 20)):
        yield


@pytest.fixture
def two(actor_of, agency):
    alive = retiree(agency("420302"), monthly_fen=250000, certified_on=date(2025, 10, 1))
    dead = retiree(agency("420303"), monthly_fen=260000, certified_on=date(2026, 3, 1))
    for pension in (alive, dead):
        paid(pension, *period_range(202501, 202610))
    run = certification_sweep_create(
        actor=actor_of("fund_shiyan"),
        agency=agency("420300"),
        period=202611,
        as_of=date(2026, 11, 1),
    )
    certification_sweep_execute(run, actor=actor_of("fund_shiyan"))
    alive.refresh_from_db()
    assert alive.status == PensionStatus.SUSPENDED
    return alive, dead


def csv_of(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


def test_alive_certifies_and_deceased_registers_the_death(actor_of, two):
    alive, dead = two
    content = csv_of(
        f"{alive.person.resident_id},alive,2026-11-18,民政比对",
        f"{dead.person.resident_id},deceased,2026-09-14,公安比对",
    )
    report = comparison_import(actor=actor_of("fund_shiyan"), content=content, file_name="c.csv")

    assert (report.certified, report.resumed, report.deaths) == (1, 1, 1)
    alive.refresh_from_db()
    dead.refresh_from_db()
    assert alive.status == PensionStatus.ACTIVE
    assert alive.recheck_from == 202611
    assert Certification.objects.get(pension=alive).channel == "data"
    assert dead.status == PensionStatus.STOPPED
    assert dead.end_period == 202609
    assert Death.objects.get(person=dead.person).source == "comparison"
    assert Overpayment.objects.get(pension=dead).amount_fen == 260000
    assert report.overpaid_fen == 260000
    assert Case.objects.filter(item__code="SBBN009", applicant_person=dead.person).count() == 1

    again = comparison_import(actor=actor_of("fund_shiyan"), content=content, file_name="c.csv")
    assert (again.certified, again.deaths, again.unchanged) == (0, 0, 2)
    assert Certification.objects.filter(pension=alive).count() == 1
    assert Case.objects.filter(item__code="SBBN009", applicant_person=dead.person).count() == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"id,result,date,source\n", "COMPARE-FILE-HEADER"),
        (HEADER.encode(), "COMPARE-FILE-EMPTY"),
        ("resident_id,result,date,source\n".encode("utf-16"), "COMPARE-FILE-ENCODING"),
    ],
)
def test_a_malformed_file_is_refused(actor_of, content, code):
    with pytest.raises(RuleViolation) as err:
        comparison_import(actor=actor_of("fund_shiyan"), content=content, file_name="bad.csv")
    assert err.value.code == code


@pytest.mark.parametrize(
    "bad_row",
    [
        "420302196411150011,alive,2026-11-18,x",  # a valid ID of no retiree
        "{dead},deceased,2026-13-01,x",  # bad date
        "{dead},missing,2026-09-14,x",  # bad result
        "{dead},deceased,2027-01-01,x",  # in the future
    ],
)
def test_one_bad_row_refuses_the_whole_file_and_writes_nothing(actor_of, two, bad_row):
    alive, dead = two
    audit_before = AuditEntry.objects.count()
    content = csv_of(
        f"{alive.person.resident_id},alive,2026-11-18,x",
        bad_row.format(dead=dead.person.resident_id),
    )
    with pytest.raises(RuleViolation) as err:
        comparison_import(actor=actor_of("fund_shiyan"), content=content, file_name="bad.csv")
    assert err.value.code == "COMPARE-FILE-ROWS"
    assert "line 3" in err.value.message_en
    alive.refresh_from_db()
    assert alive.status == PensionStatus.SUSPENDED
    assert not Certification.objects.filter(pension=alive).exists()
    assert not Death.objects.filter(person=dead.person).exists()
    assert AuditEntry.objects.count() == audit_before


def test_a_retiree_out_of_scope_is_an_unknown_id(actor_of, agency):
    wuhan = retiree(agency("420102"))
    content = csv_of(f"{wuhan.person.resident_id},deceased,2026-09-14,x")
    with pytest.raises(RuleViolation) as err:
        comparison_import(actor=actor_of("fund_shiyan"), content=content, file_name="c.csv")
    assert err.value.code == "COMPARE-FILE-ROWS"
    assert "no retiree" in err.value.message_en
