"""Statistics on the hour a ticket was taken, local time, so that PostgreSQL knows a day has
about ten such hours: the queue figure of the statistics groups a year of tickets by it, and
without them the planner expects as many hours as tickets and sorts every ticket on disk
instead of hashing them into a dozen groups (bench/README.md, the statistics benchmark).

The expression is the one ``ExtractHour("taken_at", tzinfo=TIME_ZONE)`` generates; PostgreSQL
matches it exactly, so the zone is the configured one. Nothing on SQLite."""

from typing import Any

from django.conf import settings
from django.db import migrations

NAME = "hall_ticket_hour_taken"


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    zone = schema_editor.quote_value(settings.TIME_ZONE)
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {NAME} "
        f"ON (EXTRACT(HOUR FROM taken_at AT TIME ZONE {zone})) FROM hall_ticket"
    )
    schema_editor.execute("ANALYZE hall_ticket")


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("hall", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
