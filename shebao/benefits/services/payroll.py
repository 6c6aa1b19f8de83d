# ruff: noqa: S608 - SQL built from table names and integers of our own only
"""The pension payroll around its batch job: starting and executing a month's run, the bank
payment files, the bank's returns, re-issues after a corrected account, and the change of a
retiree's bank account (养老保险待遇发放账户维护, SBBC003).

Money a bank returned stays owed: the line is marked failed (it no longer counts as paid), the
pension is suspended for ``bank`` from the earliest returned month, and once the account is
corrected either a re-issue pays the returned lines again or the next payroll's owed-against-paid
comparison does. Whichever comes first, the other sees the month paid.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from celery import shared_task
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Count, Max, Sum

from shebao.benefits.bankfiles import (
    FAILED,
    PaymentRow,
    payment_file_bytes,
    return_rows_read,
    sha256_of,
)
from shebao.benefits.models import (
    Benefit,
    BenefitStatus,
    LineKind,
    LineStatus,
    NoticeKind,
    PayrollFile,
    PayrollLine,
    PayrollReturn,
    Pension,
    PensionNotice,
    PensionStatus,
    SuspensionReason,
)
from shebao.benefits.payroll import CHUNK_PENSIONS, KIND
from shebao.benefits.services.pensions import pension_differences, recheck_mark
from shebao.benefits.services.unemployment_stops import reemployment_stops
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.batch import Progress, batch_run_create, batch_run_execute
from shebao.core.changes import periods_changed
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.masking import mask_bank_account
from shebao.core.models import Action, Agency, BatchRun, BatchStatus
from shebao.core.periods import period_validate
from shebao.core.permissions import ensure_can, ensure_in_scope
from shebao.registry.models import Person
from shebao.registry.services.common import open_request
from shebao.services.models import OPEN_STATUSES, Case
from shebao.services.services import case_record_link

logger = logging.getLogger(__name__)

register_rule(
    "PAYROLL-RUN-EXISTS",
    "{period} 的待遇发放批次 #{run} 已完成（范围重叠），同一月份不能再次发放。",
    "Payroll run #{run} for {period} is done and covers the same pensions: a month is paid once.",
    "design.md §7",
)
register_rule(
    "PAYROLL-RUN-OPEN",
    "{period} 的待遇发放批次 #{run} 尚未完成（范围重叠），请续跑该批次。",
    "Payroll run #{run} for {period} is not finished and covers the same pensions: resume it.",
    "design.md §7",
)
register_rule(
    "PAYROLL-RUN-NOT-DONE",
    "待遇发放批次 #{run} 尚未完成，还没有银行代发文件。",
    "Payroll run #{run} is not finished: it has no bank files yet.",
)
register_rule(
    "PAYROLL-FILE-CHANGED",
    "代发文件 {file} 按明细重新生成的内容与发出时不一致（SHA-256 不符），不能下载。",
    "Bank file {file} rebuilt from its lines differs from the file sent (the SHA-256 does "
    "not match): it cannot be downloaded.",
)
register_rule(
    "PAYROLL-RETURN-DUPLICATE-FILE",
    "该回盘文件已于 {imported_at} 导入过（{file_name}）。",
    "This return file was imported already on {imported_at} ({file_name}).",
)
register_rule(
    "PAYROLL-RETURN-DUPLICATE-ROW",
    "回盘文件第 {row} 行的明细号 {reference} 重复出现。",
    "Row {row} of the return file repeats the reference {reference}.",
)
register_rule(
    "PAYROLL-RETURN-UNKNOWN",
    "回盘文件第 {row} 行的明细号 {reference} 不存在。",
    "Row {row} of the return file: there is no payroll line {reference}.",
)
register_rule(
    "PAYROLL-RETURN-OTHER-RUN",
    "回盘文件第 {row} 行的明细号 {reference} 属于其他发放批次，不属于批次 #{run}。",
    "Row {row} of the return file: line {reference} belongs to another payroll run, not #{run}.",
)
register_rule(
    "PAYROLL-RETURN-SETTLED",
    "回盘文件第 {row} 行：明细 {reference} 已回盘为“{status}”，不能改为其他结果。",
    "Row {row} of the return file: line {reference} was returned as '{status}' already and "
    "cannot change.",
)
register_rule(
    "PAYROLL-BANK-ACCOUNT",
    "银行账号应为 8 至 30 位数字，开户银行不能为空。",
    "The bank account must be 8 to 30 digits and the bank must be named.",
)
register_rule(
    "PAYROLL-BANK-UNCHANGED",
    "新的发放账户与现有账户相同。",
    "The new account is the account already on record.",
)
register_rule(
    "PAYROLL-BANK-OPEN-REQUEST",
    "该退休人员已有未办结的发放账户变更（{receipt}），请先办结。",
    "A bank account change of this retiree is still open ({receipt}): finish it first.",
)
register_rule(
    "PAYROLL-PENSION-STOPPED",
    "该养老金已终止发放，不能变更发放账户。",
    "This pension has stopped: its bank account cannot change.",
)

ITEM_BANK_CHANGE = "SBBC003"
_ACCOUNT = re.compile(r"\d{8,30}")
_BATCH = 1000  # ids per IN (...) list


# --- runs ------------------------------------------------------------------------------------


def payroll_run_blocking(agency: Agency, period: int) -> BatchRun | None:
    """A run of the period over the same pensions (its subtree contains or lies inside
    ``agency``) that stands in the way of a new one. A failed run that wrote nothing does
    not: it is as if it never ran."""
    runs = BatchRun.objects.filter(kind=KIND, period=period).select_related("agency")
    for run in runs.order_by("pk"):
        if not (run.agency.contains(agency) or agency.contains(run.agency)):
            continue
        if run.status == BatchStatus.FAILED and run.rows == 0 and run.chunks_done == 0:
            continue
        return run
    return None


def payroll_run_create(
    *, actor: Actor, period: int, agency: Agency, chunk_pensions: int = CHUNK_PENSIONS
) -> BatchRun:
    """Plan the payroll of ``period`` for ``agency`` and its descendants: one run per month and
    pension, so a second run over the same pensions is refused (a stopped one is resumed)."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, agency)
    period_validate(period)
    blocking = payroll_run_blocking(agency, period)
    if blocking is not None:
        code = "PAYROLL-RUN-EXISTS" if blocking.status == BatchStatus.DONE else "PAYROLL-RUN-OPEN"
        raise RuleViolation(code, period=period, run=blocking.pk)
    agencies = list(
        Agency.objects.filter(path__startswith=agency.path)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        # A claimant who took a new job is stopped before the month is paid (失业保险条例
        # art. 15): the run then pays the months up to the new work only.
        reemployment_stops(actor=actor, agency=agency, through_period=period)
        return batch_run_create(
            actor=actor,
            kind=KIND,
            agency=agency,
            period=period,
            params={"agencies": agencies, "chunk_pensions": int(chunk_pensions)},
        )


def payroll_run_execute(
    run: BatchRun,
    *,
    actor: Actor,
    progress: Progress | None = None,
    chunk_hook: Callable[[int], None] | None = None,
) -> BatchRun:
    """Execute (or resume) a run; see ``batch_run_execute``."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    return batch_run_execute(run, actor=actor, progress=progress, chunk_hook=chunk_hook)


def payroll_run_dispatch(run: BatchRun, *, actor: Actor) -> str:
    """Have ``run`` executed (or resumed) outside the request, as the assessment is: on a
    Celery worker with a broker, in a thread without one, inline in tests."""
    from shebao.contributions.tasks import CELERY, INLINE, ActorRef, dispatch_mode

    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    ref = ActorRef.of(actor)
    mode = dispatch_mode()
    if mode == INLINE:
        payroll_run_execute(run, actor=actor)
    elif mode == CELERY:
        transaction.on_commit(
            lambda: payroll_run_task.delay(
                run.pk, ref.user_id, ref.channel, ref.client_ip, ref.system_label
            )
        )
    else:
        thread = threading.Thread(
            target=_execute_in_thread, args=(run.pk, ref), name=f"payroll-{run.pk}", daemon=True
        )
        transaction.on_commit(thread.start)
    return mode


def _execute_in_thread(run_pk: int, ref: object) -> None:
    try:
        run = BatchRun.objects.select_related("agency").get(pk=run_pk)
        payroll_run_execute(run, actor=ref.actor())  # type: ignore[attr-defined]
    except RuleViolation as exc:
        logger.warning("payroll run #%s refused: %s", run_pk, exc.message_en)
    except Exception:
        logger.exception("payroll run #%s failed", run_pk)  # the run page shows the error
    finally:
        connections.close_all()


@shared_task(name="benefits.payroll_run_execute", acks_late=True)
def payroll_run_task(
    run_pk: int, user_id: int | None, channel: str, client_ip: str | None, system_label: str
) -> int:
    """Execute or resume a run on a worker; a redelivered message for a done run does nothing."""
    from shebao.contributions.tasks import ActorRef

    actor = ActorRef(user_id, channel, client_ip, system_label).actor()
    run = BatchRun.objects.select_related("agency").get(pk=run_pk)
    try:
        run = payroll_run_execute(run, actor=actor)
    except RuleViolation as exc:
        if exc.code != "BATCH-ALREADY-DONE":
            raise
    return run.rows


# --- bank payment files ------------------------------------------------------------------------

LINE = PayrollLine._meta.db_table
PERSON = Person._meta.db_table
BENEFIT = Benefit._meta.db_table


def _file_rows(file_pk: int) -> Iterator[PaymentRow]:
    """The rows of a file, read from its lines in line order; a benefit's line names its payee
    (a survivor or an heir is paid, not the insured person)."""
    sql = f"""
SELECT l.id, l.period, COALESCE(b.payee_resident_id, p.resident_id), COALESCE(b.payee_name, p.name),
       l.bank_name, l.bank_account, l.amount_fen, l.kind
FROM {LINE} l JOIN {PERSON} p ON p.id = l.person_id
LEFT JOIN {BENEFIT} b ON b.id = l.benefit_id
WHERE l.file_id = %s
ORDER BY l.id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [file_pk])
        while batch := cursor.fetchmany(5000):
            for row in batch:
                yield PaymentRow(
                    int(row[0]), int(row[1]), row[2], row[3], row[4], row[5], int(row[6]), row[7]
                )


def payroll_file_bytes(file: PayrollFile) -> bytes:
    return payment_file_bytes(_file_rows(file.pk))


def _files_write(run: BatchRun, kind: str, by: str) -> list[PayrollFile]:
    """One file per bank for the run's lines of ``kind`` that are in no file yet. Runs inside
    the caller's transaction."""
    kinds: list[str] = [LineKind.REGULAR, LineKind.BACK_PAY] if kind == LineKind.REGULAR else [kind]
    unfiled = PayrollLine.objects.filter(run_id=run.pk, file__isnull=True, kind__in=kinds)
    banks = sorted(set(unfiled.values_list("bank_name", flat=True).distinct()))
    seq = PayrollFile.objects.filter(run=run).aggregate(last=Max("seq"))["last"] or 0
    files = []
    for bank in banks:
        seq += 1
        payroll_file = PayrollFile.objects.create(
            run=run, seq=seq, kind=kind, bank_name=bank, line_count=0, total_fen=0, sha256="",
            generated_by=by,
        )  # fmt: skip
        count = unfiled.filter(bank_name=bank).update(file=payroll_file)
        total = PayrollLine.objects.filter(file=payroll_file).aggregate(s=Sum("amount_fen"))["s"]
        payroll_file.line_count = count
        payroll_file.total_fen = int(total or 0)
        payroll_file.sha256 = sha256_of(payroll_file_bytes(payroll_file))
        payroll_file.save(update_fields=["line_count", "total_fen", "sha256"])
        files.append(payroll_file)
    return files


def _planned_files_complete(run: BatchRun) -> None:
    """Count, total and hash the files planned with the run, whose lines the chunks wrote into
    them; a bank none of whose pensions was paid loses its file, the rest are renumbered."""
    planned = PayrollFile.objects.filter(run=run, kind=LineKind.REGULAR, sha256="")
    sums = {
        row["file_id"]: (int(row["count"]), int(row["total"]))
        for row in PayrollLine.objects.filter(run_id=run.pk, file__in=planned)
        .values("file_id")
        .annotate(count=Count("id"), total=Sum("amount_fen"))
        .order_by()
    }
    for payroll_file in planned.order_by("seq"):
        if payroll_file.pk not in sums:
            payroll_file.delete()
            continue
        payroll_file.line_count, payroll_file.total_fen = sums[payroll_file.pk]
        payroll_file.sha256 = sha256_of(payroll_file_bytes(payroll_file))
        payroll_file.save(update_fields=["line_count", "total_fen", "sha256"])
    for seq, payroll_file in enumerate(PayrollFile.objects.filter(run=run).order_by("seq"), 1):
        if payroll_file.seq != seq:
            payroll_file.seq = seq
            payroll_file.save(update_fields=["seq"])


def payroll_files_write(run: BatchRun) -> list[PayrollFile]:
    """The run's payment files, completed when its last chunk is done (inside ``finish``): the
    planned ones, then one per bank for lines whose bank had no planned file (an account
    changed to a new bank while the run was going)."""
    _planned_files_complete(run)
    _files_write(run, LineKind.REGULAR, run.actor_label)
    return list(PayrollFile.objects.filter(run=run, kind=LineKind.REGULAR).order_by("seq"))


def payroll_file_download(*, actor: Actor, payroll_file: PayrollFile) -> bytes:
    """The file as it was sent: rebuilt from its lines and refused when its sha256 differs.
    Audited: the file holds full resident IDs and bank accounts."""
    ensure_can(actor, Action.RUN_BATCH)
    run = BatchRun.objects.select_related("agency").get(pk=payroll_file.run_id)
    ensure_in_scope(actor, run.agency)
    content = payroll_file_bytes(payroll_file)
    if sha256_of(content) != payroll_file.sha256:
        raise RuleViolation("PAYROLL-FILE-CHANGED", file=f"{run.pk}-{payroll_file.seq}")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="payroll.file.download",
            target=payroll_file,
            target_agency=run.agency,
            after={"run": run.pk, "seq": payroll_file.seq, "sha256": payroll_file.sha256},
        )
    return content


def payroll_file_name(payroll_file: PayrollFile, period: int | None) -> str:
    return (
        f"payroll-{period}-run{payroll_file.run_id}-{payroll_file.seq:02d}-{payroll_file.kind}.csv"
    )


# --- bank returns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Returned:
    line_id: int
    pension_id: int | None  # a pension's line, or
    benefit_id: int | None  # another benefit's
    period: int
    amount_fen: int
    reason: str


def _ensure_done(run: BatchRun) -> None:
    if run.kind != KIND or run.status != BatchStatus.DONE:
        raise RuleViolation("PAYROLL-RUN-NOT-DONE", run=run.pk)


def payroll_return_import(
    *, actor: Actor, run: BatchRun, file_name: str, content: bytes
) -> PayrollReturn:
    """Import a bank's return file for ``run``: S lines become paid, F lines failed with the
    bank's reason, and their pensions are suspended for ``bank`` from the earliest returned
    month. A malformed file, a reference that is not the run's, or the same file twice is
    refused whole: nothing is written."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    _ensure_done(run)
    rows = return_rows_read(content)
    sha = sha256_of(content)
    earlier = PayrollReturn.objects.filter(run=run, sha256=sha).first()
    if earlier is not None:
        raise RuleViolation(
            "PAYROLL-RETURN-DUPLICATE-FILE",
            imported_at=f"{earlier.imported_at:%Y-%m-%d %H:%M}",
            file_name=earlier.file_name,
        )
    seen: set[int] = set()
    for row in rows:
        if row.reference in seen:
            raise RuleViolation(
                "PAYROLL-RETURN-DUPLICATE-ROW", row=row.row, reference=row.reference
            )
        seen.add(row.reference)
    with transaction.atomic(durable=True):
        lines = _lines_locked(sorted(seen))
        paid: list[int] = []
        failed: list[_Returned] = []
        for row in rows:
            line = lines.get(row.reference)
            if line is None:
                raise RuleViolation("PAYROLL-RETURN-UNKNOWN", row=row.row, reference=row.reference)
            if line.run_id != run.pk:
                raise RuleViolation(
                    "PAYROLL-RETURN-OTHER-RUN", row=row.row, reference=row.reference, run=run.pk
                )
            status = LineStatus.FAILED if row.result == FAILED else LineStatus.PAID
            if line.status != LineStatus.PENDING:
                if line.status != status:
                    raise RuleViolation(
                        "PAYROLL-RETURN-SETTLED",
                        row=row.row,
                        reference=row.reference,
                        status=LineStatus(line.status).label,
                    )
                continue  # the same answer again (a bank resending part of a file)
            if status == LineStatus.PAID:
                paid.append(line.pk)
            else:
                failed.append(
                    _Returned(
                        line.pk,
                        line.pension_id,
                        line.benefit_id,
                        line.period,
                        line.amount_fen,
                        row.reason,
                    )
                )
        for start in range(0, len(paid), _BATCH):
            PayrollLine.objects.filter(pk__in=paid[start : start + _BATCH]).update(
                status=LineStatus.PAID
            )
        for item in failed:
            PayrollLine.objects.filter(pk=item.line_id).update(
                status=LineStatus.FAILED, failure_reason=item.reason
            )
        suspended = _suspend_for_bank(actor, failed)
        try:
            with transaction.atomic():
                imported = PayrollReturn.objects.create(
                    run=run,
                    file_name=file_name[:200],
                    sha256=sha,
                    rows=len(rows),
                    paid=len(paid),
                    failed=len(failed),
                    failed_fen=sum(item.amount_fen for item in failed),
                    imported_by=actor.username,
                )
        except IntegrityError as exc:  # the same file imported at the same moment
            raise RuleViolation(
                "PAYROLL-RETURN-DUPLICATE-FILE", imported_at="-", file_name=file_name
            ) from exc
        periods_changed("payroll", [run.period])
        audit_record(
            actor=actor,
            action="payroll.return.import",
            target=imported,
            target_agency=run.agency,
            after={
                "run": run.pk,
                "file_name": imported.file_name,
                "sha256": sha,
                "rows": imported.rows,
                "paid": imported.paid,
                "failed": imported.failed,
                "failed_fen": imported.failed_fen,
                "suspended": suspended,
            },
        )
    return imported


def _lines_locked(ids: list[int]) -> dict[int, PayrollLine]:
    lines: dict[int, PayrollLine] = {}
    for start in range(0, len(ids), _BATCH):
        batch = PayrollLine.objects.select_for_update().filter(pk__in=ids[start : start + _BATCH])
        lines.update(
            {
                line.pk: line
                for line in batch.only(
                    "id", "run_id", "status", "pension_id", "benefit_id", "period", "amount_fen"
                )
            }
        )
    return lines


def _suspend_for_bank(actor: Actor, failed: list[_Returned]) -> list[int]:
    """Suspend the pensions whose payments came back, from the earliest returned month; the
    returned months stay owed (``recheck_from``) for when the account is corrected."""
    earliest: dict[int, int] = {}
    for item in failed:
        if item.pension_id is not None:
            earliest[item.pension_id] = min(earliest.get(item.pension_id, item.period), item.period)
    _suspend_benefits_for_bank(
        sorted({item.benefit_id for item in failed if item.benefit_id is not None})
    )
    suspended = []
    pensions = Pension.objects.select_for_update().filter(pk__in=list(earliest)).order_by("pk")
    for pension in pensions:
        month = earliest[pension.pk]
        recheck_mark(pension, month)
        if pension.status == PensionStatus.ACTIVE:
            pension.status = PensionStatus.SUSPENDED
            pension.suspension_reason = SuspensionReason.BANK
            pension.suspended_from = month
            suspended.append(pension.pk)
            PensionNotice.objects.create(
                pension=pension,
                kind=NoticeKind.SUSPENSION,
                period=month,
                details={"reason": SuspensionReason.BANK.value},
                created_by=actor.username,
            )
        elif (
            pension.suspension_reason == SuspensionReason.BANK
            and pension.suspended_from is not None
        ):
            pension.suspended_from = min(pension.suspended_from, month)
        pension.save(
            update_fields=[
                "status", "suspension_reason", "suspended_from", "recheck_from", "updated_at",
            ]
        )  # fmt: skip
    return suspended


def _suspend_benefits_for_bank(benefit_ids: list[int]) -> None:
    """A benefit whose payment came back waits, suspended, for a corrected account; its
    unpaid months are paid by the first payroll after (the payroll pays every month from the
    start that has no line the bank kept)."""
    Benefit.objects.filter(pk__in=benefit_ids, status=BenefitStatus.ACTIVE).update(
        status=BenefitStatus.SUSPENDED, stop_reason="bank"
    )


# --- re-issue ----------------------------------------------------------------------------------


def payroll_reissue(*, actor: Actor, run: BatchRun) -> list[PayrollFile]:
    """Pay again the run's returned lines whose pension is in payment again on a corrected
    account: one re-issue line per returned line (same month and amount, the new account) in
    one re-issue file per bank. A month paid meanwhile (by the next payroll's back pay) is not
    paid twice. Returns the files written (none when there is nothing to re-issue)."""
    ensure_can(actor, Action.RUN_BATCH)
    ensure_in_scope(actor, run.agency)
    _ensure_done(run)
    with transaction.atomic(durable=True):
        candidates = list(
            PayrollLine.objects.filter(
                run_id=run.pk, status=LineStatus.FAILED, reissue__isnull=True, pension__isnull=False
            ).order_by("pk")
        )
        pension_ids = sorted({line.pension_id for line in candidates if line.pension_id})
        pensions = {
            p.pk: p
            for p in Pension.objects.select_for_update().filter(pk__in=pension_ids).order_by("pk")
        }
        owed: dict[tuple[int, int], int] = defaultdict(int)
        new_lines: list[PayrollLine] = []
        for line in candidates:
            assert line.pension_id is not None
            pension = pensions[line.pension_id]
            corrected = (pension.bank_name, pension.bank_account) != (
                line.bank_name,
                line.bank_account,
            )
            if pension.status != PensionStatus.ACTIVE or not corrected:
                continue
            key = (pension.pk, line.period)
            if key not in owed:
                months = pension_differences(pension, first=line.period, last=line.period)
                owed[key] = sum(m.difference_fen for m in months)
            if owed[key] < line.amount_fen:
                continue  # paid meanwhile
            owed[key] -= line.amount_fen
            new_lines.append(
                PayrollLine(
                    run_id=run.pk,
                    pension_id=pension.pk,
                    person_id=pension.person_id,
                    agency_id=pension.agency_id,
                    period=line.period,
                    kind=LineKind.REISSUE,
                    amount_fen=line.amount_fen,
                    bank_name=pension.bank_name,
                    bank_account=pension.bank_account,
                    reissue_of=line,
                )
            )
        if not new_lines:
            return []
        PayrollLine.objects.bulk_create(new_lines)
        files = _files_write(run, LineKind.REISSUE, actor.username)
        locked = BatchRun.objects.select_for_update().get(pk=run.pk)
        totals = dict(locked.totals)
        totals["reissue_lines"] = int(totals.get("reissue_lines", 0)) + len(new_lines)
        totals["reissue_fen"] = int(totals.get("reissue_fen", 0)) + sum(
            line.amount_fen for line in new_lines
        )
        locked.totals = totals
        locked.save(update_fields=["totals"])
        run.totals = totals
        audit_record(
            actor=actor,
            action="payroll.reissue",
            target=locked,
            target_agency=run.agency,
            after={
                "lines": [line.reissue_of_id for line in new_lines],
                "files": [f.seq for f in files],
                "amount_fen": sum(line.amount_fen for line in new_lines),
            },
        )
    return files


# --- bank account change (SBBC003) -------------------------------------------------------------


def _check_account(bank_name: str, bank_account: str) -> tuple[str, str]:
    bank_name, bank_account = bank_name.strip(), "".join(bank_account.split())
    if not bank_name or not _ACCOUNT.fullmatch(bank_account):
        raise RuleViolation("PAYROLL-BANK-ACCOUNT")
    return bank_name, bank_account


def pension_bank_change_request(
    *, actor: Actor, pension: Pension, bank_name: str, bank_account: str, channel: str = "counter"
) -> Case:
    """Open the case of a retiree's new bank account (养老保险待遇发放账户维护申请); nothing
    changes until a second person approves it: it decides where the money goes."""
    ensure_in_scope(actor, pension.agency)
    bank_name, bank_account = _check_account(bank_name, bank_account)
    if pension.status == PensionStatus.STOPPED:
        raise RuleViolation("PAYROLL-PENSION-STOPPED")
    if (bank_name, bank_account) == (pension.bank_name, pension.bank_account):
        raise RuleViolation("PAYROLL-BANK-UNCHANGED")
    person = Person.objects.get(pk=pension.person_id)
    pending = (
        Case.objects.filter(
            item__code=ITEM_BANK_CHANGE, applicant_person=person, status__in=OPEN_STATUSES
        )
        .order_by("pk")
        .first()
    )
    if pending is not None:
        raise RuleViolation("PAYROLL-BANK-OPEN-REQUEST", receipt=pending.receipt_no)
    data = {
        "pension_id": pension.pk,
        "bank_name": bank_name,
        "bank_account": bank_account,
        "before_bank_name": pension.bank_name,
        "before_bank_account": pension.bank_account,
        # What the case pages show; the full numbers are for the approval and the audit log.
        "bank_account_masked": mask_bank_account(bank_account),
        "before_bank_account_masked": mask_bank_account(pension.bank_account),
        "suspended_for_bank": pension.suspension_reason == SuspensionReason.BANK,
    }
    with transaction.atomic(durable=True):
        case = open_request(
            actor=actor, item_code=ITEM_BANK_CHANGE, channel=channel, person=person, data=data
        )
        audit_record(
            actor=actor,
            action="pension.bank_change.request",
            target=pension,
            target_agency=pension.agency,
            before={"bank_name": pension.bank_name, "bank_account": pension.bank_account},
            after={"bank_name": bank_name, "bank_account": bank_account, "case": case.receipt_no},
        )
    return case


def apply_bank_change(case: Case, actor: Actor) -> Pension:
    """On approval, inside the case's transaction: the pension's account changes and a pension
    suspended because the bank returned its payments is paid again, with what it is owed
    from the suspended month (the next payroll compares owed with paid from there)."""
    pension = Pension.objects.select_for_update().get(pk=case.data["pension_id"])
    if pension.status == PensionStatus.STOPPED:
        raise RuleViolation("PAYROLL-PENSION-STOPPED")
    bank_name, bank_account = _check_account(case.data["bank_name"], case.data["bank_account"])
    before = {
        "bank_name": pension.bank_name,
        "bank_account": pension.bank_account,
        "status": pension.status,
        "suspension_reason": pension.suspension_reason,
        "suspended_from": pension.suspended_from,
        "recheck_from": pension.recheck_from,
    }
    pension.bank_name, pension.bank_account = bank_name, bank_account
    if (
        pension.status == PensionStatus.SUSPENDED
        and pension.suspension_reason == SuspensionReason.BANK
    ):
        resumed_from = pension.suspended_from or pension.start_period
        pension.status = PensionStatus.ACTIVE
        pension.suspension_reason = ""
        pension.suspended_from = None
        recheck_mark(pension, resumed_from)
        PensionNotice.objects.create(
            pension=pension,
            kind=NoticeKind.RESUMPTION,
            period=resumed_from,
            details={"reason": SuspensionReason.BANK.value, "case": case.receipt_no},
            created_by=actor.username,
        )
    pension.save()
    case_record_link(case=case, record=pension, effect="changed")
    audit_record(
        actor=actor,
        action="pension.bank_change",
        target=pension,
        target_agency=pension.agency,
        before=before,
        after={
            "bank_name": pension.bank_name,
            "bank_account": pension.bank_account,
            "status": pension.status,
            "suspension_reason": pension.suspension_reason,
            "suspended_from": pension.suspended_from,
            "recheck_from": pension.recheck_from,
            "case": case.receipt_no,
        },
    )
    return pension
