"""Writes of the registry. Requests open a case of the matching catalogue item; the change
itself is applied by the item's handler when the case is approved (see ``handlers``)."""

from shebao.registry.services.employers import (
    employer_change_request,
    employer_create,
    employer_deregister_request,
    employer_register,
    employer_transfer_request,
)
from shebao.registry.services.persons import (
    person_change_request,
    person_create,
    person_merge_request,
)
from shebao.registry.services.relations import (
    AdditionSpec,
    RemovalSpec,
    flexible_enrolment_request,
    staff_addition_request,
    staff_removal_request,
)

__all__ = [
    "AdditionSpec",
    "RemovalSpec",
    "employer_change_request",
    "employer_create",
    "employer_deregister_request",
    "employer_register",
    "employer_transfer_request",
    "flexible_enrolment_request",
    "person_change_request",
    "person_create",
    "person_merge_request",
    "staff_addition_request",
    "staff_removal_request",
]
