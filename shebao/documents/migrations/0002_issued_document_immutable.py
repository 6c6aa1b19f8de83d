"""An issued document's record never changes: the database refuses an UPDATE of what it
certified (code, kind, subject, facts, summary, fingerprint, issue) and a second revocation;
PostgreSQL also refuses DELETE. Only the revocation and the verification counter change.

SQLite keeps DELETE possible so that the test runner can empty the table between
transactional tests (as ``shebao.core.append_only`` does)."""

from typing import Any

from django.db import migrations

TABLE = "documents_issueddocument"
FROZEN = (
    "code", "kind", "title", "person_id", "employer_id", "agency_id", "case_id", "reference",
    "channel", "issued_at", "issued_by", "facts", "summary", "sha256", "pages", "renderer",
)  # fmt: skip
CHANGED = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN)
CHANGED_SQLITE = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION documents_issued_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{TABLE}: an issued document is never deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF {CHANGED} THEN
        RAISE EXCEPTION '{TABLE}: what an issued document certified never changes'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.revoked_at IS NOT NULL AND (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at
            OR NEW.revoke_reason IS DISTINCT FROM OLD.revoke_reason) THEN
        RAISE EXCEPTION '{TABLE}: a revocation is final'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER documents_issued_immutable
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION documents_issued_refuse_change();
"""
PG_BACKWARD = f"""
DROP TRIGGER IF EXISTS documents_issued_immutable ON {TABLE};
DROP FUNCTION IF EXISTS documents_issued_refuse_change();
"""
SQLITE_FORWARD = f"""
CREATE TRIGGER documents_issued_immutable BEFORE UPDATE ON {TABLE}
WHEN {CHANGED_SQLITE} OR (OLD.revoked_at IS NOT NULL AND (NEW.revoked_at IS NOT OLD.revoked_at
    OR NEW.revoke_reason IS NOT OLD.revoke_reason))
BEGIN SELECT RAISE(ABORT, '{TABLE}: what an issued document certified never changes'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS documents_issued_immutable;"


def run(sql: dict[str, str]) -> Any:
    def apply(apps: Any, schema_editor: Any) -> None:
        statement = sql.get(schema_editor.connection.vendor)
        if statement:
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
