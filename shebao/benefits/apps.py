from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "shebao.benefits"
    label = "benefits"
    verbose_name = _("Benefits")

    def ready(self) -> None:
        from shebao.benefits import handlers, jobs  # noqa: F401 - registrations
