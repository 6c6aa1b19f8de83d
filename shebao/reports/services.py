"""The statistics' only writes: the audit entry of an export (the figures are derived and
rebuilt by ``refresh.py``)."""

from __future__ import annotations

from django.db import transaction

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.reports.figures import Filters


def statistics_exported(actor: Actor, filters: Filters, figures: list[str]) -> None:
    """Who took which figures of which agency and months out of the system, as Excel."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="statistics.export",
            target=filters.agency,
            target_agency=filters.agency,
            after={"figures": figures, "start": filters.start, "end": filters.end},
        )
