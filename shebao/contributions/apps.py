from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "shebao.contributions"
    label = "contributions"
    verbose_name = _("Collection: bases, assessments, bills and payments")

    def ready(self) -> None:
        from shebao.contributions import backpay, handlers, jobs  # noqa: F401 - registrations
