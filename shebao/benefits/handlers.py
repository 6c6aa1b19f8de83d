"""The business effect of each benefit item, applied when its case is approved: each area's
module registers its handlers when imported here."""

from __future__ import annotations

from shebao.benefits import (
    death_handlers,  # noqa: F401
    lifecycle_handlers,  # noqa: F401
    payroll_handlers,  # noqa: F401
    retirement_handlers,  # noqa: F401
    unemployment_handlers,  # noqa: F401
    work_injury_handlers,  # noqa: F401
)
