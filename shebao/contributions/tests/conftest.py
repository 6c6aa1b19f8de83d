from __future__ import annotations

import pytest

from shebao.contributions.models import (
    AccountPosting,
    AssessmentLine,
    BaseSource,
    Bill,
    ContributionBase,
    Payment,
    PaymentImport,
    Refund,
)
from shebao.core.models import Agency, BatchChunk, BatchRun
from shebao.registry.models import Person

BASE_FIELDS = {"floor_fen": 429900, "cap_fen": 2167800, "declared_by": "tests"}


def base_set(person: Person, year: int, base_fen: int, schemes: tuple[str, ...] = ()) -> None:
    """Store a verified base directly (the declaration flow has its own tests)."""
    for scheme in schemes or ("pension", "unemployment", "work_injury"):
        ContributionBase.objects.update_or_create(
            person=person,
            scheme=scheme,
            year=year,
            defaults={
                "source": BaseSource.DECLARED,
                "declared_wage_fen": base_fen,
                "base_fen": base_fen,
                **BASE_FIELDS,
            },
        )


@pytest.fixture
def maojian(agency) -> Agency:
    return agency("420302")


@pytest.fixture
def zhangwan(agency) -> Agency:
    return agency("420303")


@pytest.fixture(autouse=True)
def _collection_starts_empty(request):
    """The demo's collection data (runs, bills, payments) is removed inside each test's
    transaction, so counts and totals here are this test's own; ``keep_demo`` tests look at
    the demo itself."""
    if request.node.get_closest_marker("keep_demo"):
        return
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames or marker:
        request.getfixturevalue("db")
    else:
        return
    for model in (AccountPosting, Payment, PaymentImport, Refund, Bill, AssessmentLine):
        model.objects.all().delete()
    # The benefit runs (kinds "pension_…") belong to the benefit demo and keep their lines.
    BatchChunk.objects.exclude(run__kind__startswith="pension_").delete()
    BatchRun.objects.exclude(kind__startswith="pension_").delete()
    ContributionBase.objects.all().delete()
