"""The pension accounts in the API."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["accounts"])


# --- A person's account: balance, year-end balances and a year's statement -------------------

from typing import Any  # noqa: E402 - appended with the endpoints

from django.http import HttpRequest  # noqa: E402
from ninja import Field, Query, Schema  # noqa: E402

from shebao.accounts.models import AccountEntry  # noqa: E402
from shebao.accounts.selectors import (  # noqa: E402
    account_person_get,
    account_summary,
    entries_of_year,
    statement_of,
)
from shebao.accounts.statements import Statement  # noqa: E402
from shebao.api.schemas import ErrorOut  # noqa: E402
from shebao.core.actors import actor_from_request  # noqa: E402
from shebao.core.masking import mask_resident_id  # noqa: E402
from shebao.core.models import Channel  # noqa: E402
from shebao.core.periods import MAX_YEAR, MIN_YEAR  # noqa: E402


class YearEndOut(Schema):
    year: int
    movement_fen: int
    balance_fen: int


class EntryOut(Schema):
    id: int
    kind: str
    year: int
    month: int
    period: int | None
    amount_fen: int
    rate: str
    provisional: bool
    reverses: int | None
    note: str

    @staticmethod
    def resolve_reverses(obj: AccountEntry) -> int | None:
        return obj.reverses_id


class MonthCreditOut(Schema):
    month: int
    periods: list[int]
    amount_fen: int


class InterestOut(Schema):
    month: int
    amount_fen: int
    rate: str
    provisional: bool


class StatementOut(Schema):
    year: int
    opening_fen: int
    credits_fen: int
    interest_fen: int
    others_fen: int
    closing_fen: int
    provisional: bool
    contribution_months: int
    credits: list[MonthCreditOut]
    interest: list[InterestOut]
    entries: list[EntryOut]


class AccountOut(Schema):
    person_id: int
    resident_id: str
    name: str
    balance_fen: int
    year_ends: list[YearEndOut]
    statement: StatementOut | None


class AccountQuery(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR)


def _statement_out(statement: Statement, entries: list[AccountEntry]) -> dict[str, Any]:
    return {
        "year": statement.year,
        "opening_fen": statement.opening_fen,
        "credits_fen": statement.credits_fen,
        "interest_fen": statement.interest_fen,
        "others_fen": statement.others_fen,
        "closing_fen": statement.closing_fen,
        "provisional": statement.provisional,
        "contribution_months": statement.contribution_months,
        "credits": statement.credits,
        "interest": statement.interest,
        "entries": entries,
    }


@router.get(
    "/persons/{person_id}/account",
    response={200: AccountOut, 404: ErrorOut},
    summary="A person's pension account: balance, year-end balances, and with `year` that "
    "year's statement with its entries",
)
def person_account(request: HttpRequest, person_id: int, query: Query[AccountQuery]) -> Any:
    person = account_person_get(actor_from_request(request, Channel.API), person_id)
    summary = account_summary(person)
    statement = None
    if query.year is not None:
        entries = list(entries_of_year(person, query.year))
        statement = _statement_out(
            statement_of(person, query.year, summary=summary, entries=entries), entries
        )
    return {
        "person_id": person.pk,
        "resident_id": mask_resident_id(person.resident_id),
        "name": person.name,
        "balance_fen": summary.balance_fen,
        "year_ends": summary.year_ends,
        "statement": statement,
    }
