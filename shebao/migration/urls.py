from django.urls import path

from shebao.migration import views

app_name = "migration"

urlpatterns = [
    path("", views.index, name="index"),
    # Before the city pages: "issues" is not a city code.
    path("issues/", views.issues, name="issues"),
    path("issues/<int:pk>/", views.issue, name="issue"),
    path("<str:city_code>/", views.report, name="report"),
    path("<str:city_code>/report.xlsx", views.report_excel, name="report_excel"),
    path("<str:city_code>/rows/<str:entity>/", views.rows, name="rows"),
]
