from django.urls import path

from shebao.reports import views

app_name = "reports"

urlpatterns: list = []
