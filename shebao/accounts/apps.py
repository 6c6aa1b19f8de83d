from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shebao.accounts"
    label = "accounts"
    verbose_name = _("Individual pension accounts")

    def ready(self) -> None:
        from shebao.accounts import handlers, interest  # noqa: F401 - registrations
