from django.urls import path

from shebao.registry import views

app_name = "registry"

urlpatterns = [
    path("employers/", views.employers, name="employer_list"),
    path("employers/new/", views.employer_new, name="employer_new"),
    path("employers/<int:employer_id>/", views.employer_detail, name="employer_detail"),
    path(
        "employers/<int:employer_id>/<str:action>/",
        views.employer_action,
        name="employer_action",
    ),
    path("employers/<int:employer_id>/batch", views.batch_upload, name="batch_upload"),
    path(
        "employers/<int:employer_id>/batch/<str:token>/confirm",
        views.batch_confirm,
        name="batch_confirm",
    ),
    path(
        "employers/<int:employer_id>/batch/<str:token>/errors.xlsx",
        views.batch_report,
        name="batch_report",
    ),
    path("templates/<str:kind>.xlsx", views.batch_template_download, name="batch_template"),
    path("persons/", views.persons, name="person_list"),
    path("persons/<int:person_id>/", views.person_detail, name="person_detail"),
    path("persons/<int:person_id>/<str:action>/", views.person_action, name="person_action"),
]
