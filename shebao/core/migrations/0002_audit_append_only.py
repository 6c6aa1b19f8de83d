"""The audit log is append-only in the database too, not only in the ORM.

PostgreSQL: a row trigger refuses UPDATE and DELETE. TRUNCATE is left to privileges (the
application role must not hold it; see docs/operations.md) because test databases are
emptied with TRUNCATE. SQLite: a trigger refuses UPDATE (DELETE stays possible so that the
test runner can empty tables between transactional tests).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION core_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_audit_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_audit_refuse_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_audit_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_audit_refuse_change();
"""
SQLITE_FORWARD = """
CREATE TRIGGER core_audit_append_only BEFORE UPDATE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: UPDATE refused'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS core_audit_append_only;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
