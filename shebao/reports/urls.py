from django.urls import path

from shebao.reports import views, views_statements

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/", views_statements.statements, name="statements"),
    path("reports/report.xlsx", views_statements.statement_excel, name="statement_excel"),
    path("dashboard.xlsx", views.dashboard_excel, name="dashboard_excel"),
    path("<slug:slug>.xlsx", views.figure_excel, name="figure_excel"),
]
