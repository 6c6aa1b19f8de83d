from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shebao.api"
    label = "api"
    verbose_name = "REST API"
