"""Test helpers: the shipped YAML parameters, and hand-made values."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from shebao.rules.params import ParamValue, YamlParameters, default_parameter_dir


@cache
def shipped() -> YamlParameters:
    """The parameters as shipped in parameters/ (loaded once)."""
    return YamlParameters.from_directory(default_parameter_dir())


def param(key: str, value: Any, unit: str = "rate", region: str = "CN") -> ParamValue:
    """A single hand-made value for a calculator test."""
    return ParamValue(
        key=key,
        region=region,
        effective_from=date(2000, 1, 1),
        value=value,
        unit=unit,
        reference="test",
        confidence="verified",
        version=1,
    )
