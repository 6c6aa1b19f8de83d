"""The load of a small delivery: each row's outcome and rule, the records it became, the
reconciliation, a rerun that adds nothing and a killed run that resumes."""

from __future__ import annotations

from pathlib import Path

import pytest

from shebao.accounts.models import AccountEntry, EntryKind
from shebao.benefits.models import Death, Pension
from shebao.contributions.models import HistoricalContribution
from shebao.core.actors import system_actor
from shebao.core.models import Agency, AuditEntry, BatchStatus
from shebao.migration.models import (
    LegacyAccount,
    LegacyContribution,
    LegacyEmployer,
    LegacyPerson,
    LegacyRelation,
    LegacyRetiree,
    MigrationIssue,
    Outcome,
)
from shebao.migration.reconcile import reconcile
from shebao.migration.services import migration_run_create, migration_run_execute
from shebao.migration.tests.support import GOOD_CODE, P1, P4, P5, migrate, write_small_delivery
from shebao.registry.models import Employer, InsuredRelation, Person, RelationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(tmp_path: Path, demo: None) -> Path:
    return write_small_delivery(tmp_path / "420300")


def _row(model: type, line: int) -> object:
    return model.objects.get(line=line)  # type: ignore[attr-defined]


def _outcome(model: type, line: int) -> tuple[str, str]:
    row = model.objects.get(line=line)  # type: ignore[attr-defined]
    return row.outcome, row.rules


def test_each_row_gets_its_outcome_and_rule(delivery: Path) -> None:
    run = migrate(delivery)
    assert run.status == BatchStatus.DONE
    assert _outcome(LegacyEmployer, 2) == (Outcome.LOADED, "")
    assert _outcome(LegacyEmployer, 3) == (Outcome.REJECTED, "MIG-USCC-INVALID")
    assert _outcome(LegacyPerson, 2) == (Outcome.LOADED, "")
    assert _outcome(LegacyPerson, 3) == (Outcome.FIXED, "MIG-ID-15,MIG-ID-BIRTH")
    assert _outcome(LegacyPerson, 4) == (Outcome.REJECTED, "MIG-ID-CHECKSUM")
    assert _outcome(LegacyPerson, 5) == (Outcome.FLAGGED, "MIG-PERSON-SAME-PERSON")
    assert _outcome(LegacyPerson, 6) == (Outcome.LOADED, "")
    assert _outcome(LegacyPerson, 7) == (Outcome.FLAGGED, "MIG-PERSON-DUPLICATE")
    assert _outcome(LegacyRelation, 4) == (Outcome.FLAGGED, "MIG-REL-OVERLAP")
    assert _outcome(LegacyRelation, 5) == (Outcome.REJECTED, "MIG-REF-PERSON-MISSING")
    assert _outcome(LegacyRelation, 6) == (Outcome.REJECTED, "MIG-REL-EMPLOYER-MISSING")
    assert _outcome(LegacyContribution, 14) == (Outcome.REJECTED, "MIG-CONTRIB-DUPLICATE")
    assert _outcome(LegacyContribution, 15) == (Outcome.REJECTED, "MIG-REF-PERSON-MISSING")
    assert _outcome(LegacyAccount, 2) == (Outcome.FLAGGED, "MIG-ACCOUNT-MISMATCH")
    assert _outcome(LegacyRetiree, 2) == (Outcome.LOADED, "")


def test_the_clean_and_fixed_rows_become_the_provinces_records(delivery: Path) -> None:
    migrate(delivery)
    upgraded = Person.objects.get(resident_id="420302198502020022")
    assert (upgraded.name, upgraded.birth_date.isoformat()) == ("李二", "1985-02-02")
    assert upgraded.managing_agency.code == "420302"
    assert not Person.objects.filter(name="错三").exists()
    assert Employer.objects.get(credit_code=GOOD_CODE).managing_agency.code == "420302"
    wang = Person.objects.get(resident_id=P1)
    months = HistoricalContribution.objects.filter(person=wang, scheme="pension")
    assert months.count() == 12
    assert sum(m.account_credit_fen for m in months) == 12 * 40000
    assert {m.source for m in months} == {"legacy:420300"}
    entry = AccountEntry.objects.get(person_id=wang.pk, kind=EntryKind.MIGRATED)
    assert (entry.amount_fen, entry.year, entry.month) == (581000, 2024, 12)
    pension = Pension.objects.get(person=upgraded)
    assert (pension.monthly_fen, pension.start_period, pension.settled_through) == (
        300000,
        202402,
        202512,
    )
    assert pension.awards.get().total_fen == 300000
    # The second pension relation overlaps the first: loaded (ended, as delivered) and flagged.
    relations = InsuredRelation.objects.filter(person=upgraded, scheme="pension")
    assert sorted(r.status for r in relations) == [RelationStatus.ACTIVE, RelationStatus.ENDED]


def test_the_flagged_rows_are_on_the_worklist(delivery: Path) -> None:
    migrate(delivery)
    issues = {i.rule: i for i in MigrationIssue.objects.all()}
    assert set(issues) == {
        "MIG-PERSON-SAME-PERSON",
        "MIG-PERSON-DUPLICATE",
        "MIG-REL-OVERLAP",
        "MIG-ACCOUNT-MISMATCH",
    }
    same = issues["MIG-PERSON-SAME-PERSON"]
    assert same.other_person is not None
    assert {same.person.resident_id, same.other_person.resident_id} == {P1, P4}
    assert issues["MIG-PERSON-DUPLICATE"].person.resident_id == P5
    assert issues["MIG-PERSON-DUPLICATE"].detail["city_name"] == "赵武"
    mismatch = issues["MIG-ACCOUNT-MISMATCH"].detail
    # Rebuilt: 1,000.00 opening and 400.00 a month in 2024 at 2.62% (monthly products).
    assert mismatch == {
        "year": 2024,
        "migrated_fen": 581000,
        "rebuilt_fen": 589432,
        "difference_fen": -8432,
    }


def test_before_equals_after_plus_rejected(delivery: Path) -> None:
    migrate(delivery)
    report = reconcile(Agency.objects.get(code="420300"))
    assert report.balanced
    figures = {e.entity: e for e in report.entities}
    contributions = figures["contributions"]
    assert (contributions.before_rows, contributions.after_rows, contributions.rejected_rows) == (
        14,
        12,
        2,
    )
    assert contributions.before["base_fen"] == 14 * 500000
    assert contributions.after["base_fen"] == 12 * 500000
    assert figures["persons"].after_rows == 5
    assert figures["accounts"].after == {"closing_fen": 581000}
    assert [(d.person_ref, d.difference_fen) for d in report.differences] == [("P1", -8432)]
    by_rule = {(f.code, f.entity): f.rows for f in report.rules}
    assert by_rule[("MIG-REF-PERSON-MISSING", "relations")] == 1
    assert by_rule[("MIG-ID-15", "persons")] == 1


def test_a_rerun_adds_nothing(delivery: Path) -> None:
    migrate(delivery)
    counts = _counts()
    again = migrate(delivery)
    assert again.status == BatchStatus.DONE
    assert _counts() == counts
    assert all(key.endswith("_already_staged") for key in again.totals)


def test_a_killed_run_resumes_and_ends_with_the_same_totals(delivery: Path, tmp_path: Path) -> None:
    actor = system_actor("migrate_legacy")
    city = Agency.objects.get(code="420300")
    run = migration_run_create(actor=actor, city=city, directory=delivery)

    def die_in_contributions(seq: int) -> None:
        if seq == 4:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going down

    with pytest.raises(KeyboardInterrupt):
        migration_run_execute(run, actor=actor, chunk_hook=die_in_contributions)
    assert LegacyContribution.objects.count() == 0  # the chunk left nothing behind
    assert LegacyPerson.objects.count() == 6  # the chunks before it are done
    run.refresh_from_db()
    resumed = migration_run_execute(run, actor=actor)
    assert resumed.status == BatchStatus.DONE
    assert reconcile(city).balanced
    assert HistoricalContribution.objects.filter(source="legacy:420300").count() == 12


def test_deaths_are_registered_and_later_months_rejected(delivery: Path) -> None:
    text = (delivery / "persons.csv").read_text()
    (delivery / "persons.csv").write_text(
        text.replace("十堰市茅箭区北京路1号,", "十堰市茅箭区北京路1号,2024-06-15")
    )
    migrate(delivery)
    wang = Person.objects.get(resident_id=P1)
    assert Death.objects.get(person=wang).died_on.isoformat() == "2024-06-15"
    after = LegacyContribution.objects.filter(rules="MIG-CONTRIB-AFTER-DEATH")
    # 202412 twice: the duplicate month is after the death too, which is checked first.
    expected = sorted([202407 + i for i in range(6)] + [202412])
    assert sorted(after.values_list("period", flat=True)) == expected
    assert HistoricalContribution.objects.filter(person=wang, period__gt=202406).count() == 0


def test_every_load_is_audited(delivery: Path) -> None:
    migrate(delivery)
    actions = set(
        AuditEntry.objects.filter(action__startswith="migration.").values_list("action", flat=True)
    )
    assert actions == {
        "migration.employers",
        "migration.persons",
        "migration.relations",
        "migration.contributions",
        "migration.accounts",
        "migration.retirees",
    }


def _counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "employers": Employer.objects.count(),
        "relations": InsuredRelation.objects.count(),
        "history": HistoricalContribution.objects.count(),
        "entries": AccountEntry.objects.count(),
        "pensions": Pension.objects.count(),
        "issues": MigrationIssue.objects.count(),
        "staged": sum(
            m.objects.count()
            for m in (LegacyEmployer, LegacyPerson, LegacyRelation, LegacyContribution)
        ),
    }
