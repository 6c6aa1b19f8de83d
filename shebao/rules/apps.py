from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "shebao.rules"
    label = "rules"
    verbose_name = _("Rules and parameters")

    def ready(self) -> None:
        # Import every module that registers rule codes, so the catalogue is complete.
        from shebao.rules import catalogue

        catalogue.load_all_rules()
