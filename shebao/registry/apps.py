from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shebao.registry"
    label = "registry"
    verbose_name = _("Registration: employers and persons")

    def ready(self) -> None:
        from shebao.registry import handlers  # noqa: F401 - registers the item handlers
