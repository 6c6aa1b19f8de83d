"""Account entries are append-only in the database too (a correction is a reversing entry).

PostgreSQL: a row trigger refuses UPDATE and DELETE (TRUNCATE is left to privileges, as for
the audit log: test databases are emptied with it). SQLite: a trigger refuses UPDATE; DELETE
stays possible so the test runner can empty tables between transactional tests.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION accounts_entry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounts_accountentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_entry_append_only
    BEFORE UPDATE OR DELETE ON accounts_accountentry
    FOR EACH ROW EXECUTE FUNCTION accounts_entry_refuse_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS accounts_entry_append_only ON accounts_accountentry;
DROP FUNCTION IF EXISTS accounts_entry_refuse_change();
"""
SQLITE_FORWARD = """
CREATE TRIGGER accounts_entry_append_only BEFORE UPDATE ON accounts_accountentry
BEGIN SELECT RAISE(ABORT, 'accounts_accountentry is append-only: UPDATE refused'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS accounts_entry_append_only;"


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
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
