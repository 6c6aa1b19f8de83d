"""accounts_verify: every account recomputed from its journal and from the paid contribution
history; a clean account passes, an injected discrepancy is listed with its first year and the
command exits 1."""

from __future__ import annotations

import itertools
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.accounts.services.journal import entry_post, postings_consume
from shebao.accounts.verify import CreditingRates, Ledger, accounts_verify, ledger_check
from shebao.contributions.models import AssessmentLine, Bill
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.services.payments import payments_receive
from shebao.contributions.tests.conftest import base_set
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.masking import mask_resident_id
from shebao.core.models import Agency, AgencyLevel
from shebao.rules.params import YamlParameters, default_parameter_dir

pytestmark = pytest.mark.django_db

CREDIT = 40000  # 8% of a 5,000.00 base
# 2025 at 1.50%: October's credit earns three months, November's two:
# (400.00 × 3 + 400.00 × 2) × 0.015 ÷ 12 = 2.50
INTEREST_2025 = 250
TODAY = date(2026, 11, 27)  # 2025 has ended and its rate is published; 2026's is not
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY):
        yield


@pytest.fixture
def zone(agency) -> Agency:
    """A district of its own, so the command checks this test's accounts only (the demo's
    paid credits wait in the posting queue, and entries are never deleted)."""
    return Agency.objects.create(
        code=f"420300-V{next(_numbers)}",
        division_code="420300",
        name="核对测试区",
        name_en="Verification test district",
        level=AgencyLevel.DISTRICT,
        parent=agency("420300"),
    )


def paid_history(system, zone, person, periods, *, post=True) -> None:
    """Assess the periods, pay the employer's bills, and post the credits to the journal."""
    employer = employer_make(zone)
    relations_make(person, employer, agency=zone, start=periods[0], schemes=["pension"])
    base_set(person, 2025, 500000, schemes=("pension",))
    rows = []
    for period in periods:
        run = assessment_run_create(actor=system, period=period, agency=zone)
        assessment_run_execute(run, actor=system)
        bill = Bill.objects.get(run=run, employer=employer)
        rows.append(
            {
                "reference": f"VERIFY{bill.pk}",
                "bill_number": bill.number,
                "payer_code": employer.credit_code,
                "amount_fen": str(bill.total_fen),
                "paid_on": "2025-12-20",
            }
        )
    payments_receive(actor=system, rows=rows, label="verify-test")
    if post:
        postings_consume(actor=system)


def interest_post(system, person, amount_fen: int, year: int = 2025) -> AccountEntry:
    return entry_post(
        actor=system,
        person=person,
        kind=EntryKind.INTEREST,
        amount_fen=amount_fen,
        year=year,
        month=12,
        rate="0.0150",
        source="tests",
        key=f"verify-test:interest:{person.pk}:{year}",
    )


def verify(zone) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("accounts_verify", "--agency", zone.code, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def clean(system, zone):
    """An account whose journal is its paid history: October and November 2025, and the
    2025 interest."""
    person = person_make(zone)
    paid_history(system, zone, person, [202510, 202511])
    interest_post(system, person, INTEREST_2025)
    return person


def test_a_clean_account_passes(clean, zone):
    assert AssessmentLine.objects.filter(person=clean, paid_on__isnull=False).count() == 2

    code, out, _err = verify(zone)

    assert code == 0
    assert out.strip() == f"accounts consistent: 1 accounts of {zone.code} checked"


def test_an_extra_contribution_entry_is_listed_with_its_year(clean, zone, system):
    entry_post(
        actor=system,
        person=clean,
        kind=EntryKind.CONTRIBUTION,
        amount_fen=CREDIT,
        year=2025,
        month=11,
        period=202511,
        source="tests",
        key=f"verify-test:extra:{clean.pk}",
    )

    code, out, err = verify(zone)

    assert code == 1
    assert mask_resident_id(clean.resident_id) in out
    assert clean.resident_id not in out
    assert "first differs in 2025" in out
    assert "contributions 2025-11: expected 400.00, found 800.00" in out
    assert "balance expected 802.50, found 1,202.50" in out
    assert err.strip() == f"1 of 1 accounts of {zone.code} differ from their history"


def test_a_paid_line_without_its_entry_is_listed(system, zone):
    person = person_make(zone)
    paid_history(system, zone, person, [202510, 202511], post=False)
    interest_post(system, person, INTEREST_2025)

    code, out, _err = verify(zone)

    assert code == 1
    assert "2 paid credits still wait in the posting queue" in out
    line = next(row for row in out.splitlines() if mask_resident_id(person.resident_id) in row)
    assert "first differs in 2025" in line
    assert "contributions 2025-10: expected 400.00, found 0.00" in line
    assert "contributions 2025-11: expected 400.00, found 0.00" in line


def test_interest_missing_for_a_published_year_is_listed(system, zone):
    person = person_make(zone)
    paid_history(system, zone, person, [202510, 202511])

    code, out, _err = verify(zone)

    assert code == 1
    assert "interest 2025: expected 2.50, found 0.00" in out


def test_a_credit_reversed_by_its_correction_compares_equal(clean, zone, system):
    extra = entry_post(
        actor=system,
        person=clean,
        kind=EntryKind.CONTRIBUTION,
        amount_fen=CREDIT,
        year=2025,
        month=11,
        period=202511,
        source="tests",
        key=f"verify-test:double:{clean.pk}",
    )
    entry_post(
        actor=system,
        person=clean,
        kind=EntryKind.CORRECTION,
        amount_fen=-CREDIT,
        year=2025,
        month=11,
        reverses=extra,
        source="tests",
        key=f"verify-test:reversal:{clean.pk}",
    )

    assert verify(zone)[0] == 0


def test_only_the_agencys_accounts_are_checked(clean, zone, agency, system):
    elsewhere = person_make(agency("420303"))
    paid_history(system, agency("420303"), elsewhere, [202510], post=False)

    assert accounts_verify(agency=zone).checked == 1
    assert verify(zone)[0] == 0


def test_the_check_reads_in_a_fixed_number_of_queries(
    clean, zone, system, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10) as one:
        accounts_verify(agency=zone)
    for _ in range(3):
        person = person_make(zone)
        paid_history(system, zone, person, [202510, 202511])
        interest_post(system, person, INTEREST_2025)
    with django_assert_max_num_queries(len(one)):
        report = accounts_verify(agency=zone)
    assert (report.checked, report.clean) == (4, True)


# --- the recomputation itself, on figures worked by hand (rules.md §2.3) ---------------------

RATES = CreditingRates(YamlParameters.from_directory(default_parameter_dir()), date(2022, 6, 1))


def history_2020_2021(**changes: dict[int, int]) -> Ledger:
    """100,000.00 migrated in December 2020, then 800.00 credited each month of 2021.

    2020 at 6.04%: 100,000.00 × 0.0604 × 1 ÷ 12 = 503.33 (503.333…).
    2021 at 6.69%: opening 100,503.33; 100,503.33 × 0.0669 = 6,723.672777 plus the credits'
    347.88 (§2.3's example): closing 117,174.882777 → 117,174.88, interest 7,071.55.
    """
    credits = {202100 + month: 80000 for month in range(1, 13)}
    ledger = Ledger(
        person_id=1,
        paid=dict(credits),
        credited=dict(credits),
        interest={2020: 50333, 2021: 707155},
        others={2020: {12: 10_000_000}},
        movements={2020: 10_000_000 + 50333, 2021: 960000 + 707155},
    )
    for name, values in changes.items():
        getattr(ledger, name).update(values)
    return ledger


def test_a_history_credited_as_the_rules_say_passes():
    assert ledger_check(history_2020_2021(), RATES) is None


def test_interest_off_by_a_fen_is_found_in_its_year():
    found = ledger_check(history_2020_2021(interest={2021: 707156}), RATES)

    assert found is not None
    assert found.first_year == 2021
    assert [d.describe() for d in found.differences] == [
        "interest 2021: expected 7,071.55, found 7,071.56"
    ]
    assert found.later_differences == 0


def test_a_missing_credit_shows_in_its_year_and_moves_the_later_interest():
    ledger = history_2020_2021(paid={202012: 80000})

    found = ledger_check(ledger, RATES)

    assert found is not None
    assert found.first_year == 2020
    # December's 800.00 earns one month at 6.04% in 2020: 4.03 more interest (503.33 + 4.03
    # rounded at the closing balance, 100,800.00 × 0.0604 ÷ 12 = 507.36); 2021's interest
    # differs too (the opening is higher).
    assert [d.describe() for d in found.differences] == [
        "contributions 2020-12: expected 800.00, found 0.00",
        "interest 2020: expected 507.36, found 503.33",
    ]
    assert found.later_differences == 1
    assert found.found_fen == 10_000_000 + 50333 + 960000 + 707155


def test_interest_of_a_year_without_its_published_rate_is_taken_as_given():
    rates = CreditingRates(YamlParameters.from_directory(default_parameter_dir()), TODAY)
    ledger = Ledger(
        person_id=1,
        paid={202603: 80000},
        credited={202603: 80000},
        interest={2026: 123},  # provisional, at a retirement, say
        movements={2026: 80123},
    )
    assert ledger_check(ledger, rates) is None
