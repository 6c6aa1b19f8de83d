"""Rule violations: every refusal in shebao names a rule code with a Chinese and an English message.

The rule catalogue proper (legal basis, staff page) lives in ``shebao.rules`` once it exists;
until then the codes used by ``core`` are registered here, and other apps register theirs the
same way with :func:`register_rule`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    """A validation rule (refuses input) or a calculation rule (names a step of a formula)."""

    code: str
    message_zh: str
    message_en: str
    basis: str = ""
    kind: str = "validation"


RULES: dict[str, Rule] = {}


def register_rule(
    code: str, message_zh: str, message_en: str, basis: str = "", *, kind: str = "validation"
) -> Rule:
    """Add a rule to the registry; registering the same code twice with other text is a bug."""
    if kind not in {"validation", "calculation"}:
        raise ValueError(f"rule {code}: kind must be validation or calculation")
    rule = Rule(code=code, message_zh=message_zh, message_en=message_en, basis=basis, kind=kind)
    existing = RULES.get(code)
    if existing is not None and existing != rule:
        raise ValueError(f"rule {code} registered twice with different text")
    RULES[code] = rule
    return rule


class RuleViolation(Exception):
    """A request refused by a named rule. ``params`` fill the ``{placeholders}`` of the messages."""

    def __init__(self, rule_code: str, /, **params: Any) -> None:
        if rule_code not in RULES:
            raise KeyError(f"unknown rule code {rule_code!r}")
        self.code = rule_code
        self.rule = RULES[rule_code]
        self.params = params
        super().__init__(f"[{rule_code}] {self.message_en}")

    @property
    def message_zh(self) -> str:
        return self.rule.message_zh.format(**self.params)

    @property
    def message_en(self) -> str:
        return self.rule.message_en.format(**self.params)

    def message(self, language: str | None) -> str:
        """The message in the given Django language code (Chinese unless English is asked for)."""
        if language and language.lower().startswith("en"):
            return self.message_en
        return self.message_zh

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}
