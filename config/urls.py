from django.contrib import admin
from django.urls import include, path

from shebao.api.api import api

admin.site.site_header = "shebao 社保"
admin.site.site_title = "shebao"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shebao.rules.urls")),
    path("", include("shebao.services.urls")),
    path("registry/", include("shebao.registry.urls")),
    path("collection/", include("shebao.contributions.urls")),
    path("accounts/", include("shebao.accounts.urls")),
    path("benefits/", include("shebao.benefits.urls")),
    path("hall/", include("shebao.hall.urls")),
    path("migration/", include("shebao.migration.urls")),
    path("statistics/", include("shebao.reports.urls")),
    path("", include("shebao.documents.urls")),
    path("portal/", include("shebao.portal.urls")),
    path("kiosk/", include("shebao.portal.kiosk_urls")),
    path("", include("shebao.core.urls")),
]
