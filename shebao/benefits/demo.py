"""Benefit demo data, one module per area, seeded in order: retirements and retirees first,
then the payrolls that pay them, then suspensions, certifications, deaths and adjustments."""

from __future__ import annotations

from shebao.benefits import (
    demo_death,
    demo_lifecycle,
    demo_payroll,
    demo_retirement,
    demo_unemployment,
    demo_work_injury,
)


def seed_demo(*, bulk: bool = True) -> None:
    demo_retirement.seed_demo(bulk=bulk)
    demo_unemployment.seed_demo(bulk=bulk)
    demo_work_injury.seed_demo()
    demo_payroll.seed_demo()
    demo_lifecycle.seed_demo()
    demo_death.seed_demo()  # last: deaths stop the benefits the other areas opened
