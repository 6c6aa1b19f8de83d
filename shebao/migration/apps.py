from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MigrationConfig(AppConfig):
    """The legacy migration (数据迁移): the city systems' data staged row by row, cleansed by
    catalogued rules, loaded set-based, reconciled, and the doubtful rows handed to clerks."""

    name = "shebao.migration"
    label = "legacy"  # "migration" would read as Django's own migrations in every message
    verbose_name = _("Legacy migration")

    def ready(self) -> None:
        from shebao.migration import services  # noqa: F401 - registers the batch job
