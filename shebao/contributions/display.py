"""Bills, their lines and declared bases as the pages show them: amounts as yuan text, resident
IDs masked. Shared by the counter pages and the employer portal, so both show the same
figures the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from shebao.contributions.models import AssessmentLine, BaseClamp, Bill
from shebao.core.masking import mask_resident_id
from shebao.core.money import format_yuan
from shebao.registry.models import Scheme


@dataclass(frozen=True)
class BillRow:
    bill: Bill
    employer: str
    individual: str
    total: str
    paid: str

    @classmethod
    def of(cls, bill: Bill) -> BillRow:
        return cls(
            bill=bill,
            employer=format_yuan(bill.employer_fen),
            individual=format_yuan(bill.individual_fen),
            total=format_yuan(bill.total_fen),
            paid=format_yuan(bill.paid_fen),
        )


@dataclass(frozen=True)
class LineRow:
    line: AssessmentLine
    resident_id: str
    base: str
    employer: str
    individual: str
    credit: str

    @classmethod
    def of(cls, line: AssessmentLine) -> LineRow:
        return cls(
            line=line,
            resident_id=mask_resident_id(line.person.resident_id),
            base=format_yuan(line.base_fen),
            employer=format_yuan(line.employer_fen),
            individual=format_yuan(line.individual_fen),
            credit=format_yuan(line.account_credit_fen),
        )


@dataclass(frozen=True)
class DeclaredBase:
    """One employee of a base declaration: the wage declared and the base verified, with why
    it was raised to the floor or lowered to the cap."""

    name: str
    masked_id: str
    schemes: list[str]
    wage: str
    base: str
    clamp: str
    why: str

    @classmethod
    def of(cls, item: dict[str, Any]) -> DeclaredBase:
        """From a verified base as the case stores it (``VerifiedBase.as_json``)."""
        clamp = item["clamp"]
        why = ""
        if clamp == BaseClamp.FLOOR:
            why = _("The declared wage is below the floor of %(floor)s yuan.") % {
                "floor": format_yuan(item["floor_fen"])
            }
        elif clamp == BaseClamp.CAP:
            why = _("The declared wage is above the cap of %(cap)s yuan.") % {
                "cap": format_yuan(item["cap_fen"])
            }
        return cls(
            name=item["name"],
            masked_id=mask_resident_id(item["resident_id"]),
            schemes=[str(Scheme(s).label) for s in item["schemes"]],
            wage=format_yuan(item["wage_fen"]),
            base=format_yuan(item["base_fen"]),
            clamp=clamp,
            why=why,
        )
