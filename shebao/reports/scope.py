"""What every statistic shares about agencies: the records of a subtree, and the rows of a
by-agency table (the chosen agency's own records, then each child's whole subtree)."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from shebao.core.models import Agency

ModelT = TypeVar("ModelT", bound=Model)


def subtree(queryset: QuerySet[ModelT], agency: Agency, field: str = "agency") -> QuerySet[ModelT]:
    return queryset.filter(**{f"{field}__path__startswith": agency.path})


class AgencyRows:
    """Which row a record of the subtree counts in: the child agency whose subtree holds it,
    else the chosen agency's own row."""

    def __init__(self, agency: Agency) -> None:
        self.agency = agency
        self.children = list(Agency.objects.filter(parent=agency).order_by("path"))

    def of(self, path: str) -> str:
        """The row (an agency code) of a record whose agency has this path."""
        return next((c.code for c in self.children if path.startswith(c.path)), self.agency.code)

    def rows(self) -> list[tuple[str, str]]:
        """(code, label) of each row, the agency's own first."""
        own = f"{self.agency.code} {self.agency.name} {_('(own records)')}"
        return [(self.agency.code, own), *((c.code, f"{c.code} {c.name}") for c in self.children)]
