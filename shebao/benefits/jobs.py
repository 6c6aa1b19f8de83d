"""The benefit batch jobs (payroll, adjustment, certification sweep,
recalculation on a published benefit base): each area's module
registers its job when imported here."""

from __future__ import annotations

from shebao.benefits import (  # noqa: F401
    adjustment,
    certification,
    payroll,
    recalculation,
)
