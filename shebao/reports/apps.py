from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Statistics (统计): the dashboards agency heads and the province read, the fixed-layout
    monthly and annual reports, and the summary tables the batch runs keep current."""

    name = "shebao.reports"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from shebao.reports import refresh  # noqa: F401 - listens for finished batch runs
