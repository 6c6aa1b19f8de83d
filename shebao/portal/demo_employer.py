"""Demo of the employer portal: what the demo agents find when they sign in (cases filed
online, declared bases, documents). Called by ``shebao.portal.demo.seed_demo``; idempotent."""

from __future__ import annotations


def seed_employer_portal() -> None:
    """Nothing beyond the accounts yet: the employer pages show the registry's and the
    collection's demo records of each agent's employer."""
