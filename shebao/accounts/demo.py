"""Account demo data: the collection demo's paid credits posted to the journal, opening balances
as if migrated from the city systems at the end of 2025, and two cases waiting for
reviewer_maojian: a correction of 陈建国's account and 张伟's transfer out to Guangdong.

Runs after the collection demo (accounts come later in INSTALLED_APPS). Deterministic and
idempotent: balances are keyed ``demo:migrated:<person id>``, the cases are looked for first.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from shebao.accounts.models import AccountEntry, EntryKind, Transfer
from shebao.accounts.services.corrections import ITEM_CORRECTION, correction_request
from shebao.accounts.services.journal import entry_post, postings_consume
from shebao.accounts.services.transfers import transfer_out_request
from shebao.core.actors import Actor, staff_actor, system_actor
from shebao.core.audit import audit_record
from shebao.registry.demo import demo_person
from shebao.services.models import Case
from shebao.services.services import case_transition

MIGRATED_YEAR, MIGRATED_MONTH = 2025, 12
SOURCE = "demo:migrated"
# The fixed demo persons' balances at the end of 2025, in fen.
DEMO_BALANCES = {
    "张伟": 18_654_321,
    "王芳": 9_876_543,
    "陈建国": 31_234_567,
    "李娜": 4_321_000,
    "刘洋": 2_468_000,
}
# Everybody else with a paid credit: between 5,000 and 205,000 yuan, spread by person id.
BULK_FLOOR_FEN = 500_000
BULK_SPREAD_FEN = 20_000_000
BULK_FACTOR = 7_919

ENTRY = AccountEntry._meta.db_table


def migrated_key(person_id: int) -> str:
    return f"{SOURCE}:{person_id}"


def seed_demo(*, bulk: bool = True) -> None:
    system = system_actor("seed_demo")
    postings_consume(actor=system)
    seed_demo_balances(system)
    if bulk:
        seed_bulk_balances(system)
    seed_correction()
    seed_transfer_out()


def seed_demo_balances(system: Actor) -> None:
    """The fixed demo persons' migrated balances, one audited entry each."""
    for name, amount_fen in DEMO_BALANCES.items():
        person = demo_person(name)
        if AccountEntry.objects.filter(key=migrated_key(person.pk)).exists():
            continue
        with transaction.atomic(durable=True):
            entry_post(
                actor=system,
                person=person,
                kind=EntryKind.MIGRATED,
                amount_fen=amount_fen,
                year=MIGRATED_YEAR,
                month=MIGRATED_MONTH,
                source=SOURCE,
                key=migrated_key(person.pk),
                note="原城市系统2025年末个人账户余额",
            )


def seed_bulk_balances(system: Actor) -> int:
    """A migrated balance for everybody with a contribution credit and none yet: one
    ``INSERT … SELECT`` (the bulk register has tens of thousands of persons), audited once."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(
            f"""
INSERT INTO {ENTRY} (person_id, kind, amount_fen, year, month, period, rate, provisional,
                     source, key, note, created_at, created_by)
SELECT c.person_id, %(kind)s,
       %(floor)s + (c.person_id * %(factor)s) %% %(spread)s,
       %(year)s, %(month)s, NULL, '', %(false)s, %(source)s,
       %(prefix)s || CAST(c.person_id AS TEXT), '', %(now)s, %(by)s
FROM (SELECT DISTINCT person_id FROM {ENTRY} WHERE kind = %(contribution)s) c
WHERE true  -- without a WHERE, SQLite reads the ON of ON CONFLICT as a join's
ON CONFLICT (key) DO NOTHING""",  # noqa: S608 - the table name only
            {
                "kind": EntryKind.MIGRATED.value,
                "floor": BULK_FLOOR_FEN,
                "factor": BULK_FACTOR,
                "spread": BULK_SPREAD_FEN,
                "year": MIGRATED_YEAR,
                "month": MIGRATED_MONTH,
                "false": False,
                "source": SOURCE,
                "prefix": f"{SOURCE}:",
                "now": now,
                "by": system.username,
                "contribution": EntryKind.CONTRIBUTION.value,
            },
        )
        written = cursor.rowcount
        if written:
            audit_record(
                actor=system,
                action="account.demo_migrated",
                target_type="accounts",
                target_id=f"{MIGRATED_YEAR}-{MIGRATED_MONTH:02d}",
                after={"entries": written},
            )
    return written


def seed_correction() -> None:
    """An entry the city system missed in 陈建国's account, waiting for reviewer_maojian."""
    person = demo_person("陈建国")
    if Case.objects.filter(item__code=ITEM_CORRECTION, applicant_person=person).exists():
        return
    clerk = staff_actor("clerk_maojian")
    case = correction_request(
        actor=clerk,
        person=person,
        amount_fen=123_456,
        reason="原城市系统2019年3月缴费记账漏记，依据原始缴费凭证补记",
    )
    case_transition(actor=clerk, case=case, action="send_for_review")


def seed_transfer_out() -> None:
    """张伟 moves to Shenzhen: his transfer out, priced this month, waiting for reviewer_maojian."""
    person = demo_person("张伟")
    if Transfer.objects.filter(person=person).exists():
        return
    clerk = staff_actor("clerk_maojian")
    transfer = transfer_out_request(
        actor=clerk,
        person=person,
        other_region="广东省",
        other_agency="深圳市社会保险基金管理局",
    )
    case = Case.objects.get(pk=transfer.case_id)
    case_transition(actor=clerk, case=case, action="send_for_review")
