from django.urls import path

from shebao.services import views

app_name = "services"

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/search/", views.workbench_search, name="workbench_search"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_start, name="case_start"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/transition/", views.case_transition_view, name="case_transition"),
    path("cases/<int:case_id>/attachments/", views.case_attachment_upload, name="case_attach"),
    path("cases/<int:case_id>/receipt/", views.case_receipt, name="case_receipt"),
]
