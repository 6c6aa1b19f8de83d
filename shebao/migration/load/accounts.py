"""The individual pension accounts (个人账户): each person's last year is taken over as a
migrated year-end balance; every balance is first rebuilt from the contribution history.

The rebuild starts from the opening balance of the person's first year in the file (what was
there before the history cannot be rebuilt) and applies, year by year, the account credits of
the pension months the province now holds for the person and the year's crediting rate by the
monthly-product method (rules.md §2.3, the same calculator as the yearly interest run). A
last-year balance that differs from the rebuilt one by more than 1 fen is flagged: it is
loaded as the city held it, and a clerk decides whether to correct it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils.translation import gettext_noop

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.contributions.models import HistoricalContribution
from shebao.core.money import fen_to_yuan, format_yuan, yuan_to_fen
from shebao.migration import rules as r
from shebao.migration.load.common import LoadContext, person_map
from shebao.migration.models import Entity, LegacyAccount, MigrationIssue, Outcome
from shebao.migration.notes import N_PERSON, note
from shebao.migration.reading import read_rows
from shebao.registry.models import Scheme
from shebao.rules.calculators.interest import MonthlyCredit, account_interest
from shebao.rules.params import NATIONAL, ParameterSource
from shebao.rules.store import DatabaseParameters

RATE_KEY = "account.crediting_rate"
TOLERANCE_FEN = 1
_PERSON_BATCH = 2000


def load_accounts(context: LoadContext) -> None:
    persons = person_map(context.city)
    staged: list[LegacyAccount] = []
    years: dict[int, dict[int, LegacyAccount]] = defaultdict(dict)
    for row in read_rows(context.delivered):
        v = row.values
        person = persons.get(v["person_id"])
        account = LegacyAccount(
            file=context.file,
            city=context.city,
            line=row.line,
            raw=row.raw,
            person_ref=v["person_id"],
            year=v["year"],
            opening_fen=v["opening"],
            credits_fen=v["credits"],
            interest_fen=v["interest"],
            closing_fen=v["closing"],
            person_id=person.person_id if person else None,
        )
        findings = r.Findings()
        if person is None:
            findings.add(r.PERSON_MISSING, note(N_PERSON, person=v["person_id"]))
        elif v["year"] in years[person.person_id]:
            findings.add(
                r.ACCOUNT_DUPLICATE, note(gettext_noop("year {year} twice"), year=v["year"])
            )
        else:
            years[person.person_id][v["year"]] = account
        account.outcome, account.rules, account.note = (
            findings.outcome,
            findings.rules,
            findings.note,
        )
        staged.append(account)
    _mark_takeover(staged)
    _refuse_held(context, staged)
    flagged = _rebuild(years, DatabaseParameters())
    LegacyAccount.objects.bulk_create(staged, batch_size=2000)
    entries = _post_balances(context, [a for a in staged if a.takeover and a.person_id])
    MigrationIssue.objects.bulk_create(
        [
            MigrationIssue(
                city=context.city,
                rule=r.ACCOUNT_MISMATCH,
                entity=Entity.ACCOUNTS,
                staged_id=a.pk,
                person_id=a.person_id or 0,
                detail={
                    "year": a.year,
                    "migrated_fen": a.closing_fen,
                    "rebuilt_fen": a.rebuilt_fen,
                    "difference_fen": a.closing_fen - (a.rebuilt_fen or 0),
                },
            )
            for a in flagged
        ],
        ignore_conflicts=True,
    )
    context.audit("accounts", {"rows": len(staged), "balances": entries, "flagged": len(flagged)})


def _mark_takeover(staged: list[LegacyAccount]) -> None:
    """Each person's last year is the balance kept; earlier years are history (archived).
    The rows of a rejected person are all rejected; the last of them still says what money
    was refused."""
    last: dict[str, LegacyAccount] = {}
    for account in staged:
        if account.outcome == Outcome.REJECTED and r.ACCOUNT_DUPLICATE in account.rules:
            continue
        current = last.get(account.person_ref)
        if current is None or account.year > current.year:
            last[account.person_ref] = account
    for account in last.values():
        account.takeover = True
    for account in staged:
        if not account.takeover and account.outcome != Outcome.REJECTED:
            account.outcome = Outcome.ARCHIVED


def _refuse_held(context: LoadContext, staged: list[LegacyAccount]) -> None:
    """A balance this city already handed over (an earlier delivery) is not taken twice."""
    wanted = {
        migrated_key(context.city.code, a.person_id): a
        for a in staged
        if a.takeover and a.person_id and a.outcome != Outcome.REJECTED
    }
    held = AccountEntry.objects.filter(key__in=list(wanted)).values_list("key", flat=True)
    for key in held:
        account = wanted[key]
        account.outcome, account.rules = Outcome.REJECTED, r.ACCOUNT_EXISTS
        account.note = note(gettext_noop("the province holds this city's balance for the person"))


def _rebuild(
    years: dict[int, dict[int, LegacyAccount]], source: ParameterSource
) -> list[LegacyAccount]:
    """Rebuild every person's balances; returns the last-year rows that differ."""
    flagged: list[LegacyAccount] = []
    person_ids = sorted(years)
    for start in range(0, len(person_ids), _PERSON_BATCH):
        batch = person_ids[start : start + _PERSON_BATCH]
        credits = _history_credits(batch)
        for person_id in batch:
            rows = {
                year: a for year, a in years[person_id].items() if a.outcome != Outcome.REJECTED
            }
            if not rows:
                continue
            rebuilt = _rebuild_person(rows, credits.get(person_id, {}), source)
            for year, account in rows.items():
                account.rebuilt_fen = rebuilt[year]
            last = rows[max(rows)]
            difference = last.closing_fen - rebuilt[last.year]
            if abs(difference) > TOLERANCE_FEN:
                last.outcome = Outcome.FLAGGED
                last.rules = r.ACCOUNT_MISMATCH
                last.note = note(
                    gettext_noop("migrated {migrated}, rebuilt {rebuilt}, difference {difference}"),
                    migrated=format_yuan(last.closing_fen),
                    rebuilt=format_yuan(rebuilt[last.year]),
                    difference=format_yuan(difference),
                )
                flagged.append(last)
    return flagged


def _rebuild_person(
    rows: dict[int, LegacyAccount], credits: dict[int, dict[int, int]], source: ParameterSource
) -> dict[int, int]:
    first, last = min(rows), max(rows)
    balance = fen_to_yuan(rows[first].opening_fen)
    rebuilt: dict[int, int] = {}
    for year in range(first, last + 1):
        monthly = [
            MonthlyCredit(period=period, amount=fen_to_yuan(fen))
            for period, fen in sorted(credits.get(year, {}).items())
        ]
        rate = source.lookup(RATE_KEY, NATIONAL, date(year, 12, 31))
        outcome = account_interest(year=year, opening=balance, credits=monthly, rate=rate).value
        balance = outcome.closing_balance
        rebuilt[year] = yuan_to_fen(balance)
    return rebuilt


def _history_credits(person_ids: list[int]) -> dict[int, dict[int, dict[int, int]]]:
    """person → year → period → account credit of the pension months the province holds."""
    found: dict[int, dict[int, dict[int, int]]] = {}
    rows = HistoricalContribution.objects.filter(
        person_id__in=person_ids, scheme=Scheme.PENSION
    ).values_list("person_id", "period", "account_credit_fen")
    for person_id, period, fen in rows:
        found.setdefault(person_id, {}).setdefault(period // 100, {})[period] = fen
    return found


def _post_balances(context: LoadContext, kept: list[LegacyAccount]) -> int:
    entries = [
        AccountEntry(
            person_id=a.person_id or 0,
            kind=EntryKind.MIGRATED,
            amount_fen=a.closing_fen,
            year=a.year,
            month=12,
            source=context.source,
            key=migrated_key(context.city.code, a.person_id or 0),
            note=f"原城市系统{a.year}年末个人账户余额",
            created_by=context.actor.username,
        )
        for a in kept
        if a.outcome != Outcome.REJECTED
    ]
    # No conflict is ignored: a key already held was refused by MIG-ACCOUNT-EXISTS above, so
    # one here would be a second migration racing this one, and the file's transaction fails.
    return len(AccountEntry.objects.bulk_create(entries, batch_size=2000))


def migrated_key(city_code: str, person_id: int) -> str:
    return f"legacy:{city_code}:{person_id}"
