"""Posting to the account journal: the paid contribution credits waiting in collection's
posting queue, and single entries (transfers, interest at an event) with idempotency keys."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.contributions.models import AccountPosting
from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.registry.models import Person

ENTRY = AccountEntry._meta.db_table
POSTING = AccountPosting._meta.db_table


@dataclass(frozen=True)
class Consumed:
    postings: int
    entries: int
    amount_fen: int


def postings_consume(*, actor: Actor) -> Consumed:
    """Move every waiting posting into the journal, in one transaction, set-based.

    Bounded by the highest posting id seen at the start, so a posting queued meanwhile by a
    payment import waits for the next call instead of being marked consumed unposted; the
    entry key is the posting's, so a replay writes nothing twice.
    """
    with transaction.atomic(durable=True):
        last = AccountPosting.objects.filter(consumed_at__isnull=True).aggregate(m=Max("id"))["m"]
        if last is None:
            return Consumed(0, 0, 0)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
INSERT INTO {ENTRY} (person_id, kind, amount_fen, year, month, period, rate, provisional,
                     source, key, note, created_at, created_by)
SELECT p.person_id, '{EntryKind.CONTRIBUTION.value}', p.amount_fen, p.period / 100,
       p.period %% 100, p.period, '', %(false)s, 'posting:' || CAST(p.id AS TEXT), p.key, '',
       %(now)s, %(by)s
FROM {POSTING} p
WHERE p.consumed_at IS NULL AND p.id <= %(last)s
ON CONFLICT (key) DO NOTHING""",  # noqa: S608 - table names only
                {"now": now, "last": last, "false": False, "by": actor.username},
            )
            entries = cursor.rowcount
        waiting = AccountPosting.objects.filter(consumed_at__isnull=True, id__lte=last)
        totals = waiting.aggregate(amount=Sum("amount_fen"))
        postings = waiting.update(consumed_at=timezone.now())
        audit_record(
            actor=actor,
            action="account.postings_consume",
            target_type="accounts",
            target_id=f"postings<={last}",
            after={"postings": postings, "entries": entries, "amount_fen": totals["amount"]},
        )
    return Consumed(postings, entries, int(totals["amount"] or 0))


def entry_post(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    amount_fen: int,
    year: int,
    month: int,
    source: str,
    key: str,
    period: int | None = None,
    rate: str = "",
    provisional: bool = False,
    reverses: AccountEntry | None = None,
    note: str = "",
) -> AccountEntry:
    """One entry with its audit entry (in the caller's transaction when there is one); the
    same key again returns the first."""
    existing = AccountEntry.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            entry = AccountEntry.objects.create(
                person=person,
                kind=kind,
                amount_fen=amount_fen,
                year=year,
                month=month,
                period=period,
                rate=rate,
                provisional=provisional,
                source=source,
                key=key,
                reverses=reverses,
                note=note,
                created_by=actor.username,
            )
            audit_record(
                actor=actor,
                action=f"account.{kind}",
                target=entry,
                target_agency=person.managing_agency,
                after={"amount_fen": amount_fen, "year": year, "month": month, "key": key},
            )
    except IntegrityError:
        return AccountEntry.objects.get(key=key)  # a concurrent post of the same key won
    return entry


def balance_fen(person: Person, *, through_year: int | None = None) -> int:
    """The balance now, or at the end of ``through_year``."""
    entries = AccountEntry.objects.filter(person=person)
    if through_year is not None:
        entries = entries.filter(year__lte=through_year)
    return int(entries.aggregate(s=Sum("amount_fen"))["s"] or 0)
