"""The audit log is append-only in the database too, not only in the ORM
(see shebao.core.append_only for what each database refuses)."""

from django.db import migrations

from shebao.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [append_only("core_auditentry", "core_audit")]
