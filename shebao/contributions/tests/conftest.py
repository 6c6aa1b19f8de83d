from __future__ import annotations

import pytest

from shebao.contributions.models import BaseSource, ContributionBase
from shebao.core.models import Agency
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
