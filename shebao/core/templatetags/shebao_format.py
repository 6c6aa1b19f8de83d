"""Template filters for figures kept in integer fen and for masked identifiers."""

from __future__ import annotations

from django import template

from shebao.core.masking import mask_name, mask_resident_id
from shebao.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | str | None) -> str:
    """``123456`` → ``1,234.56``."""
    # A detail missing from a JSON record renders as "" in a template: show nothing.
    return "" if fen is None or fen == "" else format_yuan(int(fen))


@register.filter
def masked_id(resident_id: str | None) -> str:
    return mask_resident_id(resident_id)


@register.filter
def masked_name(name: str | None) -> str:
    return mask_name(name)
