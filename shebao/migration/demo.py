"""Migration demo data: a synthetic legacy delivery of Shiyan (420300), with every defect class
injected, and the small delivery of Wuhan (420100) whose persons overlap it, both migrated —
so the migration pages show a reconciliation report, staged rows by rule and a worklist of
flagged rows for the Shiyan clerks and reviewers to decide.

Only with ``bulk`` (``make run``; the tests migrate deliveries of their own). Deterministic
and idempotent: the generator writes the same bytes for the same seed under
``MEDIA_ROOT/legacy/demo``, and a file a city already staged is skipped, so a second run, or
one after a killed run, adds nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from shebao.core.actors import system_actor
from shebao.core.models import Agency
from shebao.migration.models import Entity, LegacyFile
from shebao.migration.services import migration_run_create, migration_run_execute
from shebao.migration.synthetic import generate_city

CITY, NEIGHBOUR = "420300", "420100"
PERSONS = 200
SEED = 2021  # the year Shiyan moved onto the provincial system


def seed_demo(*, bulk: bool = True) -> None:
    if bulk:
        seed_delivery(Path(settings.MEDIA_ROOT) / "legacy" / "demo", persons=PERSONS)


def seed_delivery(root: Path, *, persons: int) -> None:
    """Generate the delivery under ``root`` and migrate the neighbour, then the city."""
    if LegacyFile.objects.filter(city__code=CITY, entity=Entity.RETIREES).exists():
        return  # the city's last file is staged: the demo delivery is in
    generate_city(root, city=CITY, persons=persons, seed=SEED, other_city=NEIGHBOUR)
    actor = system_actor("seed_demo")
    for code in (NEIGHBOUR, CITY):  # the neighbour first: the overlaps are found in the city
        city = Agency.objects.get(code=code)
        run = migration_run_create(actor=actor, city=city, directory=root / code)
        migration_run_execute(run, actor=actor)
