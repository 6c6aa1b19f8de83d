"""A migration operation that makes a table append-only in the database itself.

PostgreSQL: a row trigger refuses UPDATE and DELETE. TRUNCATE is left to privileges (the
application role must not hold it; see docs/operations.md) because test databases are emptied
with TRUNCATE. SQLite: a trigger refuses UPDATE (DELETE stays possible so that the test runner
can empty tables between transactional tests).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def append_only(table: str, name: str) -> migrations.RunPython:
    """Triggers ``<name>_append_only`` (and on PostgreSQL the function
    ``<name>_refuse_change``) on ``table``."""
    function, trigger = f"{name}_refuse_change", f"{name}_append_only"
    pg_forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {trigger}
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    pg_backward = f"""
DROP TRIGGER IF EXISTS {trigger} ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    sqlite_forward = f"""
CREATE TRIGGER {trigger} BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;
"""
    sqlite_backward = f"DROP TRIGGER IF EXISTS {trigger};"

    def run(forward_sql: dict[str, str]) -> Any:
        def apply(apps: Any, schema_editor: Any) -> None:
            sql = forward_sql.get(schema_editor.connection.vendor)
            if sql:
                schema_editor.execute(sql, params=None)

        return apply

    return migrations.RunPython(
        run({"postgresql": pg_forward, "sqlite": sqlite_forward}),
        run({"postgresql": pg_backward, "sqlite": sqlite_backward}),
    )
