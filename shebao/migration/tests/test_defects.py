"""A synthetic delivery with every defect class injected at a known rate: the migration finds
each on exactly the lines the generator's manifest names, with its rule code and outcome, and
the reconciliation balances to the fen against the manifest's totals."""

from __future__ import annotations

from pathlib import Path

import pytest

from shebao.core.models import Agency
from shebao.migration.models import STAGED_MODELS, Outcome
from shebao.migration.reconcile import reconcile
from shebao.migration.synthetic import DefectRates, Manifest, generate_city
from shebao.migration.tests.support import migrate

pytestmark = pytest.mark.django_db

# Rates high enough that each defect class occurs several times in 400 persons.
RATES = DefectRates(
    id15=0.03,
    checksum=0.01,
    birth=0.02,
    duplicate_name=0.01,
    same_person=0.01,
    uscc_invalid=0.1,
    employer_missing=0.01,
    overlap_in_file=0.01,
    overlap_other_city=0.01,
    after_death=0.01,
    contrib_duplicate=0.0005,
    account_mismatch=0.03,
    retiree_parts=0.2,
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    root = tmp_path_factory.mktemp("legacy")
    manifest = generate_city(root, city="420300", persons=400, seed=7, rates=RATES)
    return root, manifest


@pytest.fixture
def migrated(generated: tuple[Path, Manifest], demo: None) -> Manifest:
    root, manifest = generated
    migrate(root / "420100", city_code="420100")  # the neighbour first: its persons overlap
    migrate(root / "420300")
    return manifest


def _lines(entity: str, rule: str) -> dict[int, str]:
    """line → outcome of the staged rows of Shiyan's file on which ``rule`` fired."""
    model = STAGED_MODELS[entity]
    rows = model._default_manager.filter(city__code="420300", rules__contains=rule)
    return dict(rows.values_list("line", "outcome"))


def _every_injected_defect_is_found_with_its_rule(migrated: Manifest) -> None:
    assert {rule for rule, d in migrated.defects.items() if d.count} >= {
        "MIG-ID-15",
        "MIG-ID-CHECKSUM",
        "MIG-ID-BIRTH",
        "MIG-PERSON-DUPLICATE",
        "MIG-PERSON-SAME-PERSON",
        "MIG-USCC-INVALID",
        "MIG-REL-EMPLOYER-MISSING",
        "MIG-REL-OVERLAP",
        "MIG-CONTRIB-AFTER-DEATH",
        "MIG-CONTRIB-DUPLICATE",
        "MIG-ACCOUNT-MISMATCH",
        "MIG-RETIREE-PARTS",
    }
    for rule, defect in migrated.defects.items():
        found = _lines(defect.entity, rule)
        assert sorted(found) == sorted(defect.lines), rule
        assert set(found.values()) <= {defect.outcome}, rule


def _the_rows_of_a_rejected_person_are_rejected_with_it(migrated: Manifest) -> None:
    expected = migrated.consequences["MIG-REF-PERSON-MISSING"]
    for entity, count in expected.items():
        assert len(_lines(entity, "MIG-REF-PERSON-MISSING")) == count, entity


def _no_rule_fires_where_nothing_was_injected(migrated: Manifest) -> None:
    for entity in STAGED_MODELS:
        model = STAGED_MODELS[entity]
        rows = model._default_manager.filter(city__code="420300")
        injected = {
            (rule, line)
            for rule, d in migrated.defects.items()
            if d.entity == entity
            for line in d.lines
        } | {
            ("MIG-REF-PERSON-MISSING", line)
            for line in rows.filter(rules__contains="MIG-REF-PERSON-MISSING").values_list(
                "line", flat=True
            )
        }
        for line, rules in rows.exclude(rules="").values_list("line", "rules"):
            for rule in rules.split(","):
                assert (rule, line) in injected, (entity, line, rule)


def _the_overlaps_with_the_neighbour_city_are_found(migrated: Manifest) -> None:
    against = [
        row for row in migrated.defects["MIG-REL-OVERLAP"].rows if row["against"] == "420100"
    ]
    assert against
    found = _lines("relations", "MIG-REL-OVERLAP")
    assert {row["line"] for row in against} <= set(found)


def _before_is_after_plus_rejected_and_before_is_the_delivery(migrated: Manifest) -> None:
    report = reconcile(Agency.objects.get(code="420300"))
    assert report.balanced
    figures = {e.entity: e for e in report.entities}
    for entity, rows in migrated.rows.items():
        assert figures[entity].before_rows == rows, entity
    contributions = figures["contributions"]
    totals = migrated.totals["contributions"]
    assert contributions.before == {
        "base_fen": totals["base"],
        "employer_fen": totals["employer_amount"],
        "individual_fen": totals["individual_amount"],
        "account_credit_fen": totals["account_credit"],
    }
    assert figures["retirees"].before["monthly_fen"] == totals_of(migrated, "retirees")
    assert report.differences_total == migrated.defects["MIG-ACCOUNT-MISMATCH"].count
    differences = {d.person_ref: d.difference_fen for d in report.differences}
    for row in migrated.defects["MIG-ACCOUNT-MISMATCH"].rows:
        assert differences[row["person_id"]] == row["difference_fen"]


def test_one_migration_finds_every_defect_and_balances(migrated: Manifest) -> None:
    # One migration of the delivery (several seconds each on SQLite), every check.
    _every_injected_defect_is_found_with_its_rule(migrated)
    _the_rows_of_a_rejected_person_are_rejected_with_it(migrated)
    _no_rule_fires_where_nothing_was_injected(migrated)
    _the_overlaps_with_the_neighbour_city_are_found(migrated)
    _before_is_after_plus_rejected_and_before_is_the_delivery(migrated)
    _the_fixed_and_clean_rows_are_all_loaded(migrated)


def totals_of(manifest: Manifest, entity: str) -> int:
    return int(manifest.totals[entity]["monthly_pension"])


def test_a_second_migration_of_the_same_delivery_adds_nothing(
    migrated: Manifest, generated: tuple[Path, Manifest]
) -> None:
    root, _manifest = generated
    before = reconcile(Agency.objects.get(code="420300"))
    again = migrate(root / "420300")
    assert set(again.totals) == {f"{entity}_already_staged" for entity in migrated.rows}
    after = reconcile(Agency.objects.get(code="420300"))
    assert [e.__dict__ for e in after.entities] == [e.__dict__ for e in before.entities]


def _the_fixed_and_clean_rows_are_all_loaded(migrated: Manifest) -> None:
    persons = STAGED_MODELS["persons"]._default_manager.filter(city__code="420300")
    kept = persons.exclude(outcome=Outcome.REJECTED)
    assert kept.filter(target_id__isnull=True).count() == 0
    assert persons.filter(outcome=Outcome.REJECTED).count() == (
        migrated.defects["MIG-ID-CHECKSUM"].count
    )
