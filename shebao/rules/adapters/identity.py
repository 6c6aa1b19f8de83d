"""JSON adapter checking a resident ID (公民身份号码, GB 11643-1999; rules.md §9.1).

An invalid ID is refused with its REG-ID-* rule code (exit 2 from ``manage.py calc``) rather
than answered with ``"valid": false``: the issue asks that a malformed ID give the error JSON,
and the code says what is wrong (format, check character, birth date). So ``valid`` in a
successful answer is always true.
"""

from __future__ import annotations

from shebao.core.errors import RuleViolation, register_rule
from shebao.core.identifiers import resident_id_check
from shebao.rules.calc import Payload, register_calc
from shebao.rules.params import ParameterSource
from shebao.rules.trace import Result, Trace

register_rule(
    "ID-RESIDENT-CHECK",
    "公民身份号码校验：18位（15位旧号码升位），出生日期有效，校验码按 ISO 7064 MOD 11-2 计算；"
    "第17位奇数为男性、偶数为女性",
    "Resident ID check: 18 characters (a 15-digit legacy ID is upgraded), a real birth date, "
    "check character by ISO 7064 MOD 11-2; an odd 17th digit is male, even female",
    "GB 11643-1999",
    kind="calculation",
)


@register_calc("id", "Check a resident ID: normalised number, birth date, sex, area code")
def resident_id_calc(payload: Payload, source: ParameterSource) -> Payload:
    raw = payload.get("id")
    if raw is None:
        raise RuleViolation("CALC-INPUT-MISSING", field="id")
    info = resident_id_check(raw)  # a non-string is refused as REG-ID-FORMAT
    trace = Trace()
    upgraded = f", upgraded from {info.upgraded_from}" if info.upgraded_from else ""
    trace.add("ID-RESIDENT-CHECK", f"valid{upgraded}", info.number)
    return {
        "valid": True,
        "id": info.number,
        "birth_date": info.birth_date.isoformat(),
        "sex": "male" if info.sex == "M" else "female",
        "area": info.area_code,
        "upgraded_from": info.upgraded_from,
        **Result(info, trace).trace_dict(),
    }
