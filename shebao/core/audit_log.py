"""Searching and exporting the audit log (操作日志查询与导出), for holders of Action.AUDIT.

The same filters serve the /audit/ page, its Excel export and GET /api/v1/audit: actor
username, agency (a subtree within the reader's scope: entries made by or about it), action
prefix, target type and id, a range of local days, channel and client IP. Bad input is refused
with a rule code. The export is capped (AUDIT_EXPORT_MAX_ROWS), written row by row in a
write-only workbook on disk (constant memory) and itself audited as ``audit.export``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from shebao.core.actors import Actor
from shebao.core.audit import audit_record
from shebao.core.errors import RuleViolation, register_rule
from shebao.core.excel import local_naive
from shebao.core.models import Action, Agency, AuditEntry, Channel
from shebao.core.periods import local_day_bounds
from shebao.core.permissions import actor_scope_path, ensure_can, scope_filter
from shebao.core.personal_data import mask_in

register_rule(
    "CORE-AUDIT-FILTER",
    "日志查询条件“{field}”无效：{value}",
    "The audit-log filter '{field}' is not valid: {value}",
    "操作日志查询",
)
register_rule(
    "CORE-AUDIT-DATES",
    "日志查询的起始日期 {start} 晚于截止日期 {end}。",
    "The audit-log date range starts on {start}, after its end {end}.",
    "操作日志查询",
)
register_rule(
    "CORE-AUDIT-EXPORT-CAP",
    "符合条件的日志有 {count} 条，超过导出上限 {cap} 条，请缩小查询条件后再导出。",
    "{count} entries match, more than the export limit of {cap}; narrow the filters first.",
    "操作日志导出",
)

EXPORT_ACTION = "audit.export"
# Filter names as they appear in query strings, in the order of the form.
FILTER_NAMES = (
    "username",
    "agency",
    "action",
    "target_type",
    "target_id",
    "date_from",
    "date_to",
    "channel",
    "client_ip",
)
_MAX_LENGTH = {"username": 150, "agency": 12, "action": 60, "target_type": 60, "target_id": 64}


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    agency: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel: str = ""
    client_ip: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> AuditFilters:
        """From a query string (or API parameters); refuses bad values with a rule code."""
        text = {name: str(data.get(name) or "").strip() for name in FILTER_NAMES}
        for name, limit in _MAX_LENGTH.items():
            if len(text[name]) > limit:
                raise RuleViolation("CORE-AUDIT-FILTER", field=name, value=text[name][:limit])
        dates = {name: _date(name, text[name]) for name in ("date_from", "date_to")}
        if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
            raise RuleViolation("CORE-AUDIT-DATES", start=text["date_from"], end=text["date_to"])
        if text["channel"] and text["channel"] not in Channel.values:
            raise RuleViolation("CORE-AUDIT-FILTER", field="channel", value=text["channel"])
        if text["client_ip"]:
            try:
                text["client_ip"] = str(ipaddress.ip_address(text["client_ip"]))
            except ValueError:
                raise RuleViolation(
                    "CORE-AUDIT-FILTER", field="client_ip", value=text["client_ip"]
                ) from None
        return cls(
            username=text["username"],
            agency=text["agency"],
            action=text["action"],
            target_type=text["target_type"],
            target_id=text["target_id"],
            date_from=dates["date_from"],
            date_to=dates["date_to"],
            channel=text["channel"],
            client_ip=text["client_ip"],
        )

    def as_query(self) -> dict[str, str]:
        """The filters as query-string values ("" for unset), for links and the form."""
        return {
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in asdict(self).items()
            if value is not None
        } | {name: "" for name, value in asdict(self).items() if value is None}

    def as_record(self) -> dict[str, str]:
        """The filters that are set, for the export's audit entry."""
        return {name: value for name, value in self.as_query().items() if value}


def _date(name: str, value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RuleViolation("CORE-AUDIT-FILTER", field=name, value=value) from None


def audit_search(actor: Actor, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Entries made in, or about, the actor's subtree that match the filters, newest first."""
    ensure_can(actor, Action.AUDIT)
    queryset = AuditEntry.objects.all()
    prefix = actor_scope_path(actor)
    if prefix is None:
        return queryset.none()
    if prefix != "/":
        queryset = queryset.filter(
            Q(actor_agency_path__startswith=prefix) | Q(target_agency_path__startswith=prefix)
        )
    if filters.agency:
        agency = scope_filter(Agency.objects.all(), actor, "").filter(code=filters.agency).first()
        if agency is None:  # unknown and outside the scope answer alike
            raise RuleViolation("CORE-AUDIT-FILTER", field="agency", value=filters.agency)
        queryset = queryset.filter(
            Q(actor_agency_path__startswith=agency.path)
            | Q(target_agency_path__startswith=agency.path)
        )
    if filters.action:
        queryset = queryset.filter(action__startswith=filters.action)
    if filters.username:
        queryset = queryset.filter(actor_username=filters.username)
    if filters.target_type:
        queryset = queryset.filter(target_type=filters.target_type)
    if filters.target_id:
        queryset = queryset.filter(target_id=filters.target_id)
    if filters.date_from:
        start, _end = local_day_bounds(filters.date_from, filters.date_from)
        queryset = queryset.filter(occurred_at__gte=start)
    if filters.date_to:
        _start, end = local_day_bounds(filters.date_to, filters.date_to)
        queryset = queryset.filter(occurred_at__lt=end)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.client_ip:
        queryset = queryset.filter(client_ip=filters.client_ip)
    return queryset.order_by("-id")


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(mask_in(value), ensure_ascii=False, sort_keys=True)


def _text_cell(sheet: WriteOnlyWorksheet, value: str) -> Cell:
    cell: Cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # a value beginning with "=" stays text
    return cell


def _headers() -> list[str]:
    return [
        "#",
        _("Time"),
        _("Actor"),
        _("Actor agency"),
        _("Actor roles"),
        _("Action"),
        _("Target type"),
        _("Target id"),
        _("Target agency"),
        _("Channel"),
        _("Client IP"),
        _("Before"),
        _("After"),
        _("Hash"),
    ]


def audit_export(actor: Actor, filters: AuditFilters) -> IO[bytes]:
    """The matching entries as an Excel workbook (a temporary file, rewound), oldest first;
    personal data in the before/after values masked. Audited as ``audit.export``."""
    queryset = audit_search(actor, filters)
    cap = int(settings.AUDIT_EXPORT_MAX_ROWS)
    count = queryset.count()
    if count > cap:
        raise RuleViolation("CORE-AUDIT-EXPORT-CAP", count=count, cap=cap)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit log"))
    bold = Font(bold=True)
    header = []
    for title in _headers():
        cell = _text_cell(sheet, title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 0
    for entry in queryset.order_by("id").iterator(chunk_size=2000):
        sheet.append(
            [
                entry.pk,
                local_naive(entry.occurred_at),
                _text_cell(sheet, entry.actor_username),
                _text_cell(sheet, entry.actor_agency),
                _text_cell(sheet, entry.actor_roles),
                _text_cell(sheet, entry.action),
                _text_cell(sheet, entry.target_type),
                _text_cell(sheet, entry.target_id),
                _text_cell(sheet, entry.target_agency_path),
                _text_cell(sheet, entry.channel),
                _text_cell(sheet, entry.client_ip or ""),
                _text_cell(sheet, _json_text(entry.before)),
                _text_cell(sheet, _json_text(entry.after)),
                _text_cell(sheet, entry.entry_hash),
            ]
        )
        written += 1
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=EXPORT_ACTION,
            target_type="core.auditentry",
            target_agency=actor.agency,
            after={"filters": filters.as_record(), "rows": written},
        )
    return output
