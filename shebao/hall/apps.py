from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    """The service hall (服务大厅): queue tickets (取号), windows (窗口), the calling board
    (叫号屏), online appointments and home-service visits (上门服务)."""

    name = "shebao.hall"
    verbose_name = _("Service hall")
