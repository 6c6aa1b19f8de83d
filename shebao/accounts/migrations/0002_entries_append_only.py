"""Account entries are append-only in the database too: a correction is a reversing entry
(see shebao.core.append_only for what each database refuses)."""

from django.db import migrations

from shebao.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [append_only("accounts_accountentry", "accounts_entry")]
