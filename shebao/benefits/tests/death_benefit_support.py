"""Working participants, the base M and deaths for the death-benefit and inheritance tests."""

from __future__ import annotations

import itertools
from datetime import date

from shebao.accounts.models import EntryKind
from shebao.accounts.services.journal import entry_post
from shebao.benefits.models import Death
from shebao.benefits.services.death_benefits import (
    death_benefit_case_of,
    participant_death_register,
)
from shebao.contributions.models import HistoricalContribution
from shebao.core.actors import Actor, staff_actor, system_actor
from shebao.core.identifiers import resident_id_with_check
from shebao.core.models import Agency
from shebao.core.periods import period_add
from shebao.registry.models import InsuredRelation, Person, RelationKind, RelationStatus, Sex
from shebao.rules.models import Parameter
from shebao.rules.services import parameter_value_decide, parameter_value_propose
from shebao.services.models import Case

_numbers = itertools.count(1)

# rules.md §8's example: M 2,818.50.
EXAMPLE_M = "2818.50"


def income_base(value: str = EXAMPLE_M, year: int = 2026) -> None:
    """Enter M for deaths in ``year`` as an administrator proposes and another approves it."""
    proposal = parameter_value_propose(
        actor=staff_actor("policy_hubei"),
        parameter=Parameter.objects.get(key="death.monthly_income_base"),
        region="420000",
        effective_from=date(year, 1, 1),
        value_text=value,
        reference="tests",
        confidence="unverified",
    )
    parameter_value_decide(actor=staff_actor("admin"), proposal=proposal, approve=True)


def worker(
    agency: Agency,
    *,
    months: int,
    last_month: int = 202609,
    base_fen: int = 500000,
    birth: date = date(1975, 3, 8),
    balance_fen: int = 0,
) -> Person:
    """A working participant with ``months`` historical pension months up to ``last_month``,
    an active flexible pension relation and, if given, a migrated account balance."""
    number = next(_numbers)
    body = f"{agency.division_code}{birth:%Y%m%d}{(number * 13) % 1000:03d}"
    person = Person.objects.create(
        resident_id=resident_id_with_check(body),
        name=f"在职{number}",
        sex=Sex.MALE,
        birth_date=birth,
        managing_agency=agency,
        bank_name="中国建设银行十堰分行",
        bank_account=f"62170{number:014d}",
    )
    first = period_add(last_month, -(months - 1)) if months else last_month
    InsuredRelation.objects.create(
        person=person,
        scheme="pension",
        kind=RelationKind.FLEXIBLE,
        start_period=first,
        status=RelationStatus.ACTIVE,
        start_reason="new",
        agency=agency,
    )
    HistoricalContribution.objects.bulk_create(
        HistoricalContribution(
            person=person,
            scheme="pension",
            period=period_add(first, n),
            base_fen=base_fen,
            source="tests",
        )
        for n in range(months)
    )
    if balance_fen:
        entry_post(
            actor=system_actor("tests"),
            person=person,
            kind=EntryKind.MIGRATED,
            amount_fen=balance_fen,
            year=2025,
            month=12,
            source="tests",
            key=f"tests:migrated:{person.pk}",
        )
    return person


def died(actor: Actor, person: Person, on: date) -> Death:
    return participant_death_register(actor=actor, person=person, died_on=on, reference="D-1")


def relative(n: int = 1, birth: date = date(1998, 6, 1)) -> dict[str, str]:
    """A relative's details as the clerk types them."""
    return {
        "name": f"亲属{n}",
        "resident_id": resident_id_with_check(f"420302{birth:%Y%m%d}{n * 7 % 1000:03d}"),
        "relation": "child",
        "bank_name": "中国工商银行十堰分行",
        "bank_account": f"62220000000000{n:05d}",
    }


def sbbn009(person: Person) -> Case:
    """The person's death-benefit case, which the death registration opened."""
    case = death_benefit_case_of(person)
    assert case is not None
    return case
