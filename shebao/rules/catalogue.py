"""The rule catalogue: every validation and calculation rule of shebao, with its code, its
Chinese and English message and its legal basis. Rules are registered where they are used
(``shebao.core.errors.register_rule``); this module makes sure all of them are loaded."""

from __future__ import annotations

import importlib

from shebao.core.errors import RULES, Rule

# Modules that register rules at import (the calculator adapters are found automatically).
RULE_MODULES = (
    "shebao.core.identifiers",
    "shebao.core.money",
    "shebao.core.periods",
    "shebao.core.permissions",
    "shebao.core.services",
    "shebao.core.twofactor",
    "shebao.rules.params",
    "shebao.rules.calc",
    "shebao.rules.store",
    "shebao.rules.services",
    "shebao.registry.services",
    "shebao.registry.rules",
    "shebao.registry.batch",
    "shebao.services.services",
    "shebao.services.workdays",
    "shebao.migration.reading",
    "shebao.migration.rules",
    "shebao.migration.services",
    "shebao.migration.worklist",
)


def load_all_rules() -> list[Rule]:
    for module in RULE_MODULES:
        importlib.import_module(module)
    from shebao.rules.calc import load_calculators

    load_calculators()
    return sorted(RULES.values(), key=lambda rule: rule.code)
