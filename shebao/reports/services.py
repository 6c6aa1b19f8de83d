"""The statistics' only writes: the audit entry of an export (the figures are derived and
rebuilt by ``refresh.py``)."""

from __future__ import annotations

from django.db import transaction

from shebao.core.actors import Actor, system_actor
from shebao.core.audit import audit_record
from shebao.core.models import Agency


def statistics_exported(
    actor: Actor, *, agency: Agency, start: int, end: int, figures: list[str]
) -> None:
    """Who took which figures or reports of which agency and months out of the system, as
    Excel."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="statistics.export",
            target=agency,
            target_agency=agency,
            after={"figures": figures, "start": start, "end": end},
        )


def statistics_refreshed(*, start: int, end: int, written: dict[str, int]) -> None:
    """A rebuild by hand or by the nightly job, recorded with the rows it wrote."""
    with transaction.atomic():
        audit_record(
            actor=system_actor("refresh_statistics"),
            action="statistics.refresh",
            target_type="statistics",
            target_id=f"{start}-{end}",
            after={"start": start, "end": end, "rows": written},
        )
