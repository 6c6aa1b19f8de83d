"""Loading the service catalogue data file into the database (idempotent, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.models import Action
from shebao.core.permissions import ensure_can
from shebao.services.catalogue_data import (
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    ServiceItemSpec,
    load_catalogue,
)
from shebao.services.handlers import handler_name
from shebao.services.models import ServiceItem

# The model fields the file governs: every field of the file but the code (the key) and the
# source number (provenance of our code only).
FIELDS = tuple(
    name for name in REQUIRED_FIELDS + OPTIONAL_FIELDS if name not in {"code", "source_number"}
)


@dataclass(frozen=True)
class CatalogueReport:
    created: int
    updated: int
    unchanged: int


def _values(spec: ServiceItemSpec) -> dict[str, Any]:
    values = {name: getattr(spec, name) for name in FIELDS}
    values["handler"] = handler_name(spec.code)  # set by code, never by the file
    values["channels"] = list(spec.channels)
    values["materials"] = [{"name": m.name, "name_en": m.name_en} for m in spec.materials]
    values["note"] = spec.note or ""
    return values


def catalogue_load(*, actor: Actor, specs: list[ServiceItemSpec] | None = None) -> CatalogueReport:
    """Bring the catalogue in line with the data file. Items are matched by code; an item
    edited in the admin is overwritten only where the file changed it (the file is the
    published catalogue); handlers are set in code, never by the file."""
    ensure_can(actor, Action.CONFIGURE)
    specs = specs if specs is not None else load_catalogue()
    created = updated = unchanged = 0
    with transaction.atomic(durable=True):
        existing = {item.code: item for item in ServiceItem.objects.select_for_update()}
        for spec in specs:
            wanted = _values(spec)
            item = existing.get(spec.code)
            if item is None:
                item = ServiceItem.objects.create(code=spec.code, **wanted)
                audit_record(actor=actor, action="service_item.create", target=item, after=wanted)
                created += 1
                continue
            before = {field: getattr(item, field) for field in (*FIELDS, "handler")}
            if before == wanted:
                unchanged += 1
                continue
            for field, value in wanted.items():
                setattr(item, field, value)
            item.save()
            changed = {k: v for k, v in wanted.items() if before[k] != v}
            audit_record(
                actor=actor,
                action="service_item.change",
                target=item,
                before={k: before[k] for k in changed},
                after=changed,
            )
            updated += 1
    return CatalogueReport(created, updated, unchanged)
