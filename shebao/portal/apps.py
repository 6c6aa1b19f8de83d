from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The employer and citizen portal (网上服务大厅) and the hall kiosks (自助一体机):
    portal accounts, sign-in with a one-time code, and the pages portal users see."""

    name = "shebao.portal"
    verbose_name = _("Online portal")
