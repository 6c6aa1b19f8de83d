"""Payment records from the tax bureau: idempotent imports, settling bills, paid lines and the
account-posting queue (rules.md §10, docs/exchange.md).

Every bill here comes from a real assessment run at the floor base of 4,299.00: an employee in
all three schemes costs 1,091.95 a month (pension 687.84 + 343.92, unemployment 30.09 + 12.90,
work injury 17.20), of which 343.92 goes to the individual account; a flexible worker's
pension is 859.80, also with 343.92 for the account.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from shebao.contributions.models import (
    AccountPosting,
    AssessmentLine,
    Bill,
    Payment,
    PaymentImport,
    PaymentStatus,
)
from shebao.contributions.services.assessments import (
    assessment_run_create,
    assessment_run_execute,
)
from shebao.contributions.services.payments import payment_file_import, payment_match
from shebao.contributions.tests.factories import employer_make, person_make, relations_make
from shebao.core.actors import Actor, system_actor
from shebao.core.demo import seed_all_apps
from shebao.core.errors import RuleViolation
from shebao.core.models import Agency, AuditEntry, BatchRun, User
from shebao.core.services import api_token_issue
from shebao.registry.models import Employer, Person, Scheme

PERIOD = 202510
EMPLOYEE_MONTH_FEN = 109195
EMPLOYEE_CREDIT_FEN = 34392
FLEXIBLE_MONTH_FEN = 85980
PAID_ON = date(2025, 10, 20)
HEADER = "reference,bill_number,payer_code,amount_fen,paid_on"


# --- helpers shared with the reconciliation tests --------------------------------------------


def employer_with_staff(agency: Agency, persons: int, **options: object) -> Employer:
    employer = employer_make(agency, **options)  # type: ignore[arg-type]
    for _ in range(persons):
        relations_make(person_make(agency), employer, agency=agency)
    return employer


def flexible_worker(agency: Agency) -> Person:
    person = person_make(agency)
    relations_make(person, None, agency=agency, schemes=(Scheme.PENSION,))
    return person


def assess(system: Actor, agency: Agency, period: int = PERIOD) -> BatchRun:
    run = assessment_run_create(actor=system, period=period, agency=agency)
    return assessment_run_execute(run, actor=system)


def bill_of(run: BatchRun, payer: Employer | Person) -> Bill:
    if isinstance(payer, Employer):
        return Bill.objects.get(run=run, employer=payer)
    return Bill.objects.get(run=run, employer__isnull=True, person=payer)


def payer_code(bill: Bill) -> str:
    return bill.employer.credit_code if bill.employer else bill.person.resident_id  # type: ignore[union-attr]


def payment_file(rows: Iterable[tuple[str, Bill | str, int | str, date | str]]) -> bytes:
    """A payment file: (reference, bill or bill number, amount in fen, paid on) per row."""
    lines = [HEADER]
    for reference, bill, amount, paid_on in rows:
        number, code = (bill.number, payer_code(bill)) if isinstance(bill, Bill) else (bill, "X")
        lines.append(f"{reference},{number},{code},{amount},{paid_on}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def state() -> dict[str, object]:
    """Everything an import may change, to compare before and after."""
    return {
        "imports": PaymentImport.objects.count(),
        "payments": sorted(Payment.objects.values_list("reference", "bill_id", "amount_fen")),
        "postings": sorted(AccountPosting.objects.values_list("key", "amount_fen", "paid_on")),
        "bills": sorted(
            Bill.objects.values_list("number", "paid_fen", "payment_status", "paid_on")
        ),
        "paid_lines": AssessmentLine.objects.filter(paid_on__isnull=False).count(),
    }


@pytest.fixture
def zone(agency):
    """The development zone under Shiyan: no demo employers, in the Shiyan fund officer's scope."""
    return agency("420300-01")


@pytest.fixture
def assessed(zone, system):
    """One employer with two employees and one flexible worker, assessed for 2025-10."""
    employer = employer_with_staff(zone, 2)
    worker = flexible_worker(zone)
    run = assess(system, zone)
    return bill_of(run, employer), bill_of(run, worker)


# --- settling ----------------------------------------------------------------------------------


def test_full_payment_marks_bill_and_lines_paid_and_queues_postings_once(assessed, actor_of):
    employer_bill, _ = assessed
    assert employer_bill.total_fen == 2 * EMPLOYEE_MONTH_FEN

    result = payment_file_import(
        actor=actor_of("fund_shiyan"),
        content=payment_file([("T001", employer_bill, 2 * EMPLOYEE_MONTH_FEN, PAID_ON)]),
        file_name="pay1.csv",
    )

    employer_bill.refresh_from_db()
    assert (employer_bill.paid_fen, employer_bill.payment_status, employer_bill.paid_on) == (
        218390,
        PaymentStatus.PAID,
        PAID_ON,
    )
    lines = AssessmentLine.objects.filter(
        run_id=employer_bill.run_id, employer=employer_bill.employer
    )
    assert lines.count() == 6
    assert set(lines.values_list("paid_on", flat=True)) == {PAID_ON}
    pension_lines = lines.filter(account_credit_fen__gt=0)
    postings = AccountPosting.objects.filter(line_id__in=pension_lines.values("id"))
    assert sorted(postings.values_list("key", "amount_fen", "paid_on", "period")) == sorted(
        (f"line:{line.pk}", EMPLOYEE_CREDIT_FEN, PAID_ON, PERIOD) for line in pension_lines
    )
    assert (result.bills_settled, result.postings_created) == (1, 2)

    # An overpayment later neither moves the paid date nor queues the credits again.
    later = payment_file_import(
        actor=actor_of("fund_shiyan"),
        content=payment_file([("T002", employer_bill, 5, date(2025, 11, 3))]),
        file_name="pay2.csv",
    )
    employer_bill.refresh_from_db()
    assert (employer_bill.paid_fen, employer_bill.payment_status, employer_bill.paid_on) == (
        218395,
        PaymentStatus.OVERPAID,
        PAID_ON,
    )
    assert later.postings_created == 0
    assert AccountPosting.objects.filter(line_id__in=pension_lines.values("id")).count() == 2


def test_partial_payment_leaves_lines_open_until_the_bill_is_paid(assessed, actor_of):
    employer_bill, _ = assessed
    officer = actor_of("fund_shiyan")

    payment_file_import(
        actor=officer,
        content=payment_file([("P1", employer_bill, 100000, date(2025, 10, 10))]),
        file_name="a.csv",
    )
    employer_bill.refresh_from_db()
    assert (employer_bill.paid_fen, employer_bill.payment_status, employer_bill.paid_on) == (
        100000,
        PaymentStatus.PARTLY_PAID,
        None,
    )
    assert not AssessmentLine.objects.filter(run_id=employer_bill.run_id, paid_on__isnull=False)
    assert AccountPosting.objects.count() == 0

    payment_file_import(
        actor=officer,
        content=payment_file([("P2", employer_bill, 118390, date(2025, 10, 25))]),
        file_name="b.csv",
    )
    employer_bill.refresh_from_db()
    assert (employer_bill.paid_fen, employer_bill.payment_status, employer_bill.paid_on) == (
        218390,
        PaymentStatus.PAID,
        date(2025, 10, 25),
    )
    assert AccountPosting.objects.filter(paid_on=date(2025, 10, 25)).count() == 2


def test_paid_date_is_the_day_the_payments_first_covered_the_bill(assessed, actor_of):
    employer_bill, _ = assessed
    payment_file_import(
        actor=actor_of("fund_shiyan"),
        content=payment_file(
            [
                ("D3", employer_bill, 10, date(2025, 10, 30)),
                ("D1", employer_bill, 200000, date(2025, 10, 5)),
                ("D2", employer_bill, 18390, date(2025, 10, 12)),
            ]
        ),
        file_name="out-of-order.csv",
    )
    employer_bill.refresh_from_db()
    assert (employer_bill.payment_status, employer_bill.paid_on) == (
        PaymentStatus.OVERPAID,
        date(2025, 10, 12),
    )


def test_flexible_workers_bill_pays_their_own_line(assessed, actor_of):
    employer_bill, flexible_bill = assessed
    assert flexible_bill.total_fen == FLEXIBLE_MONTH_FEN

    payment_file_import(
        actor=actor_of("fund_shiyan"),
        content=payment_file([("F1", flexible_bill, FLEXIBLE_MONTH_FEN, PAID_ON)]),
        file_name="f.csv",
    )

    flexible_bill.refresh_from_db()
    assert flexible_bill.payment_status == PaymentStatus.PAID
    line = AssessmentLine.objects.get(run_id=flexible_bill.run_id, employer__isnull=True)
    assert (line.person_id, line.paid_on) == (flexible_bill.person_id, PAID_ON)
    posting = AccountPosting.objects.get()
    assert (posting.key, posting.person_id, posting.amount_fen) == (
        f"line:{line.pk}",
        flexible_bill.person_id,
        EMPLOYEE_CREDIT_FEN,
    )
    # the employer's lines, in the same run, are untouched
    assert not AssessmentLine.objects.filter(
        run_id=employer_bill.run_id, employer=employer_bill.employer, paid_on__isnull=False
    ).exists()


# --- idempotency --------------------------------------------------------------------------------


def test_the_same_file_twice_changes_nothing(assessed, actor_of):
    employer_bill, flexible_bill = assessed
    content = payment_file(
        [
            ("S1", employer_bill, 2 * EMPLOYEE_MONTH_FEN, PAID_ON),
            ("S2", flexible_bill, 50000, PAID_ON),
            ("S3", "B202510-999-E999", 700, PAID_ON),
        ]
    )
    first = payment_file_import(actor=actor_of("fund_shiyan"), content=content, file_name="s.csv")
    before = state()
    audits = AuditEntry.objects.filter(action="payment.import").count()

    again = payment_file_import(
        actor=actor_of("fund_shiyan"), content=content, file_name="s-renamed.csv"
    )

    assert state() == before
    assert AuditEntry.objects.filter(action="payment.import").count() == audits
    assert again.replayed
    assert not first.replayed
    assert again.payment_import.pk == first.payment_import.pk
    record = again.payment_import
    assert (record.rows, record.new_payments, record.duplicates, record.unmatched) == (3, 3, 0, 1)
    assert record.amount_fen == 2 * EMPLOYEE_MONTH_FEN + 50000 + 700
    assert [u.reference for u in again.unmatched] == ["S3"]
    assert len(before["postings"]) == 2  # type: ignore[arg-type]
    assert before["paid_lines"] == 6


def test_a_reference_already_recorded_is_skipped_in_another_file(assessed, actor_of):
    employer_bill, _ = assessed
    officer = actor_of("fund_shiyan")
    payment_file_import(
        actor=officer,
        content=payment_file([("R1", employer_bill, 100000, PAID_ON)]),
        file_name="first.csv",
    )

    result = payment_file_import(
        actor=officer,
        content=payment_file(
            [("R1", employer_bill, 100000, PAID_ON), ("R2", employer_bill, 118390, PAID_ON)]
        ),
        file_name="second.csv",
    )

    record = result.payment_import
    assert (record.rows, record.new_payments, record.duplicates, record.amount_fen) == (
        2,
        1,
        1,
        118390,
    )
    assert result.conflicting_references == []
    employer_bill.refresh_from_db()
    assert (employer_bill.paid_fen, employer_bill.payment_status) == (218390, PaymentStatus.PAID)
    assert Payment.objects.get(reference="R1").source.file_name == "first.csv"  # type: ignore[union-attr]


def test_a_reference_recorded_with_other_content_is_skipped_and_reported(assessed, actor_of):
    employer_bill, _ = assessed
    officer = actor_of("fund_shiyan")
    payment_file_import(
        actor=officer,
        content=payment_file([("C1", employer_bill, 100000, PAID_ON)]),
        file_name="first.csv",
    )

    result = payment_file_import(
        actor=officer,
        content=payment_file([("C1", employer_bill, 999, PAID_ON)]),
        file_name="second.csv",
    )

    assert result.conflicting_references == ["C1"]
    assert result.payment_import.new_payments == 0
    assert Payment.objects.get(reference="C1").amount_fen == 100000
    audit = AuditEntry.objects.filter(action="payment.import").latest("id")
    assert (audit.after or {})["conflicting_references"] == ["C1"]


def test_a_row_repeated_inside_a_file_counts_once(assessed, actor_of):
    employer_bill, _ = assessed
    row = ("Q1", employer_bill, 1000, PAID_ON)
    result = payment_file_import(
        actor=actor_of("fund_shiyan"), content=payment_file([row, row]), file_name="q.csv"
    )
    assert (result.payment_import.new_payments, result.payment_import.duplicates) == (1, 1)
    employer_bill.refresh_from_db()
    assert employer_bill.paid_fen == 1000


# --- unmatched rows -------------------------------------------------------------------------------


def test_unmatched_rows_are_kept_without_a_bill_and_reported(assessed, actor_of, agency, system):
    employer_bill, flexible_bill = assessed
    wuhan = agency("420102")
    wuhan_run = assess(system, wuhan)
    wuhan_bill = Bill.objects.filter(run=wuhan_run).first()
    assert wuhan_bill is not None
    content = (
        f"{HEADER}\r\n"
        f"U1,B209901-1-E1,91420300MA4D00010X,1500,2025-10-20\r\n"
        f"U2,{employer_bill.number},{payer_code(flexible_bill)},2000,2025-10-20\r\n"
        f"U3,{wuhan_bill.number},{payer_code(wuhan_bill)},3000,2025-10-20\r\n"
        f"U4,{employer_bill.number},{payer_code(employer_bill).lower()},4000,2025-10-20\r\n"
    ).encode()

    result = payment_file_import(actor=actor_of("fund_shiyan"), content=content, file_name="u.csv")

    reasons = {u.reference: (u.reason, u.amount_fen) for u in result.unmatched}
    assert reasons == {
        "U1": ("bill_not_found", 1500),
        "U2": ("payer_mismatch", 2000),
        "U3": ("bill_not_found", 3000),  # outside Shiyan: absent for a Shiyan officer
    }
    assert result.payment_import.unmatched == 3
    replay = payment_file_import(actor=actor_of("fund_shiyan"), content=content, file_name="u.csv")
    assert {u.reference: u.reason for u in replay.unmatched} == {
        reference: reason for reference, (reason, _amount) in reasons.items()
    }
    assert set(Payment.objects.filter(bill__isnull=True).values_list("reference", flat=True)) == {
        "U1",
        "U2",
        "U3",
    }
    employer_bill.refresh_from_db()
    wuhan_bill.refresh_from_db()
    assert (employer_bill.paid_fen, wuhan_bill.paid_fen) == (4000, 0)  # payer code case-folded

    # matched by hand later, the payment settles the bill it now pays
    payment_match(
        actor=actor_of("fund_shiyan"),
        payment=Payment.objects.get(reference="U2"),
        bill=employer_bill,
    )
    employer_bill.refresh_from_db()
    assert (employer_bill.paid_fen, employer_bill.payment_status) == (
        6000,
        PaymentStatus.PARTLY_PAID,
    )
    with pytest.raises(RuleViolation) as refusal:
        payment_match(
            actor=actor_of("fund_shiyan"),
            payment=Payment.objects.get(reference="U2"),
            bill=employer_bill,
        )
    assert refusal.value.code == "PAY-ALREADY-MATCHED"


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="row locks between two connections are PostgreSQL's; SQLite has one writer at a time",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_lose_no_payment_and_record_a_file_once():
    seed_all_apps(bulk=False)
    system = system_actor("tests")
    zone = Agency.objects.get(code="420300-01")
    employer = employer_with_staff(zone, 2)
    bill = bill_of(assess(system, zone), employer)
    first_half = payment_file([("CC-A", bill, 100000, PAID_ON)])
    files = [first_half, payment_file([("CC-B", bill, 118390, PAID_ON)]), first_half]
    barrier = threading.Barrier(len(files))
    replayed: list[bool] = []

    def receive(content: bytes) -> None:
        try:
            barrier.wait(timeout=10)
            result = payment_file_import(actor=system, content=content, file_name="c.csv")
            replayed.append(result.replayed)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive, args=(content,)) for content in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert connection.vendor == "postgresql"
    assert sorted(replayed) == [False, False, True]
    bill.refresh_from_db()
    assert (bill.paid_fen, bill.payment_status) == (218390, PaymentStatus.PAID)
    # The demo seeded above has payments of its own: count this test's.
    ours = PaymentImport.objects.filter(file_name="c.csv").count()
    assert (ours, Payment.objects.filter(reference__startswith="CC-").count()) == (2, 2)
    lines = AssessmentLine.objects.filter(run_id=bill.run_id, employer=bill.employer)
    assert AccountPosting.objects.filter(line_id__in=lines.values("id")).count() == 2


# --- refusals -----------------------------------------------------------------------------------


def test_bad_rows_refuse_the_whole_file_and_leave_nothing(assessed, actor_of):
    employer_bill, _ = assessed
    number, code = employer_bill.number, payer_code(employer_bill)
    content = (
        f"{HEADER}\r\n"
        f"G1,{number},{code},1000,2025-10-20\r\n"
        f"G2,{number},{code},12.50,2025-10-20\r\n"
        f"G3,{number},{code},1000,2025-13-01\r\n"
        f"G4,,{code},1000,2025-10-20\r\n"
        f"G5,{number},{code},-3,2025-10-20\r\n"
        f"G6,{number},{code},1000\r\n"
        f"G1,{number},{code},2000,2025-10-20\r\n"
    ).encode()
    before = state()

    with pytest.raises(RuleViolation) as refusal:
        payment_file_import(actor=actor_of("fund_shiyan"), content=content, file_name="bad.csv")

    assert refusal.value.code == "PAY-FILE-ROWS"
    assert refusal.value.params["rows"] == [3, 4, 5, 6, 7, 8]
    assert "row 3: amount_fen '12.50'" in refusal.value.message_en
    assert "row 5: missing bill_number" in refusal.value.message_en
    assert "row 8: reference G1 differs from row 2" in refusal.value.message_en
    assert state() == before
    assert not AuditEntry.objects.filter(
        action="payment.import", actor_username="fund_shiyan"
    ).exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"reference,bill_number,amount_fen\r\nX,Y,1\r\n", "PAY-FILE-HEADER"),
        (HEADER.encode() + b"\r\n", "PAY-FILE-EMPTY"),
        ((HEADER + "\r\n支付,B1,X,1,2025-10-01\r\n").encode("gbk"), "PAY-FILE-ENCODING"),
    ],
)
def test_unreadable_files_are_refused(actor_of, content, code):
    with pytest.raises(RuleViolation) as refusal:
        payment_file_import(actor=actor_of("fund_shiyan"), content=content, file_name="x.csv")
    assert refusal.value.code == code
    assert PaymentImport.objects.count() == 0


def test_a_payment_dated_in_the_future_is_refused(assessed, actor_of):
    employer_bill, _ = assessed
    with pytest.raises(RuleViolation) as refusal:
        payment_file_import(
            actor=actor_of("fund_shiyan"),
            content=payment_file([("Z1", employer_bill, 1, "2999-01-01")]),
            file_name="z.csv",
        )
    assert "in the future" in refusal.value.message_en


def test_a_clerk_cannot_import_payments(assessed, actor_of):
    employer_bill, _ = assessed
    with pytest.raises(RuleViolation) as refusal:
        payment_file_import(
            actor=actor_of("clerk_maojian"),
            content=payment_file([("K1", employer_bill, 1, PAID_ON)]),
            file_name="k.csv",
        )
    assert refusal.value.code == "CORE-PERMISSION"


def test_the_import_is_audited(assessed, actor_of):
    employer_bill, _ = assessed
    result = payment_file_import(
        actor=actor_of("fund_shiyan"),
        content=payment_file([("A1", employer_bill, 2 * EMPLOYEE_MONTH_FEN, PAID_ON)]),
        file_name="audited.csv",
    )
    entry = AuditEntry.objects.get(
        action="payment.import",
        target_id=str(result.payment_import.pk),
        actor_username="fund_shiyan",
    )
    assert (entry.actor_username, entry.target_id) == (
        "fund_shiyan",
        str(result.payment_import.pk),
    )
    after = entry.after or {}
    assert (after["new_payments"], after["postings_created"]) == (1, 2)


# --- command and API ----------------------------------------------------------------------------


def test_import_command_reports_and_is_idempotent(assessed, tmp_path):
    employer_bill, _ = assessed
    path = tmp_path / "TAXPAY_420300_20251021.csv"
    path.write_bytes(
        payment_file(
            [("M1", employer_bill, 2 * EMPLOYEE_MONTH_FEN, PAID_ON), ("M2", "NOPE", 5, PAID_ON)]
        )
    )

    out = io.StringIO()
    call_command("import_payments", str(path), stdout=out)
    assert "2 rows: 2 new payments (2,183.95 yuan), 0 already recorded, 1 without a bill" in (
        out.getvalue()
    )
    assert "1 bills updated, 2 account postings queued" in out.getvalue()

    again = io.StringIO()
    call_command("import_payments", str(path), stdout=again)
    assert "nothing changed" in again.getvalue()
    assert Payment.objects.count() == 2


def test_import_command_refusal_names_the_rule(tmp_path, demo):
    path = tmp_path / "bad.csv"
    path.write_bytes(f"{HEADER}\r\nX1,B1,C1,abc,2025-10-01\r\n".encode())
    with pytest.raises(CommandError, match=r"PAY-FILE-ROWS.*row 2"):
        call_command("import_payments", str(path))


def bearer(username: str) -> dict[str, str]:
    _row, token = api_token_issue(actor=system_actor("t"), user=User.objects.get(username=username))
    return {"Authorization": f"Bearer {token}"}


def test_api_records_payments_once_by_reference(assessed, client):
    employer_bill, flexible_bill = assessed
    headers = bearer("fund_shiyan")
    body = {
        "rows": [
            {
                "reference": "API1",
                "bill_number": employer_bill.number,
                "payer_code": payer_code(employer_bill),
                "amount_fen": 2 * EMPLOYEE_MONTH_FEN,
                "paid_on": "2025-10-20",
            }
        ]
    }

    first = client.post("/api/v1/payments", body, content_type="application/json", headers=headers)
    retry = client.post("/api/v1/payments", body, content_type="application/json", headers=headers)
    body["rows"].append(
        {
            "reference": "API2",
            "bill_number": flexible_bill.number,
            "payer_code": payer_code(flexible_bill),
            "amount_fen": FLEXIBLE_MONTH_FEN,
            "paid_on": "2025-10-21",
        }
    )
    more = client.post("/api/v1/payments", body, content_type="application/json", headers=headers)

    assert first.status_code == 200, first.content
    assert (first.json()["new_payments"], first.json()["postings_created"]) == (1, 2)
    assert (retry.json()["replayed"], retry.json()["import_id"]) == (
        True,
        first.json()["import_id"],
    )
    assert (more.json()["new_payments"], more.json()["duplicates"]) == (1, 1)
    assert Payment.objects.count() == 2
    assert set(
        Bill.objects.filter(pk__in=[employer_bill.pk, flexible_bill.pk]).values_list(
            "payment_status", flat=True
        )
    ) == {PaymentStatus.PAID}


def test_api_refuses_bad_rows_with_the_rule_code(assessed, client):
    employer_bill, _ = assessed
    response = client.post(
        "/api/v1/payments",
        {
            "rows": [
                {
                    "reference": "B1",
                    "bill_number": employer_bill.number,
                    "payer_code": payer_code(employer_bill),
                    "amount_fen": 0,
                    "paid_on": "2025-10-20",
                }
            ]
        },
        content_type="application/json",
        headers=bearer("fund_shiyan"),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "PAY-FILE-ROWS"
    assert "row 1" in response.json()["message_en"]
    assert Payment.objects.count() == 0


def test_api_refuses_a_clerk(assessed, client):
    response = client.post(
        "/api/v1/payments",
        {"rows": []},
        content_type="application/json",
        headers=bearer("clerk_maojian"),
    )
    assert response.status_code == 403
