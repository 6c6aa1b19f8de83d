"""Benefit demo data, one module per area, seeded in order: retirements and retirees first,
then the payrolls that pay them, then suspensions, certifications, deaths and adjustments."""

from __future__ import annotations


def seed_demo(*, bulk: bool = True) -> None:
    pass
