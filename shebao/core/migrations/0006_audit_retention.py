"""Audit retention: the chain anchor left by each prune, and on PostgreSQL an append-only
trigger that lets the prune command (and nothing else) delete entries past retention.

The trigger function allows a DELETE only when the pruning transaction has set
``shebao.audit_prune = 'on'`` and ``shebao.audit_prune_before`` with SET LOCAL, and only for an
entry older than that instant and older than six months by the database's own clock. UPDATE
stays refused. SQLite has no DELETE trigger on the audit log (see shebao.core.append_only).
"""

from typing import Any

from django.db import migrations, models

from shebao.core.append_only import append_only

PRUNING_FUNCTION = """
CREATE OR REPLACE FUNCTION core_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('shebao.audit_prune', true) = 'on'
       AND OLD.occurred_at < current_setting('shebao.audit_prune_before', true)::timestamptz
       AND OLD.occurred_at < now() - interval '183 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

REFUSING_FUNCTION = """
CREATE OR REPLACE FUNCTION core_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _on_postgresql(sql: str) -> Any:
    def apply(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0005_apitoken_scopes_rate_limit")]

    operations = [
        migrations.CreateModel(
            name="AuditChainAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("pruned_at", models.DateTimeField(verbose_name="pruned at")),
                ("removed_count", models.BigIntegerField(verbose_name="entries removed")),
                ("total_removed", models.BigIntegerField(verbose_name="entries removed in all")),
                ("first_removed_id", models.BigIntegerField()),
                ("last_removed_id", models.BigIntegerField()),
                ("oldest_removed_at", models.DateTimeField()),
                ("newest_removed_at", models.DateTimeField()),
                ("anchor_hash", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "audit chain anchor",
                "verbose_name_plural": "audit chain anchors",
                "ordering": ["-id"],
            },
        ),
        append_only("core_auditchainanchor", "core_audit_anchor"),
        migrations.RunPython(_on_postgresql(PRUNING_FUNCTION), _on_postgresql(REFUSING_FUNCTION)),
    ]
