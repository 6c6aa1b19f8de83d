from django.urls import path

from shebao.rules import views

app_name = "rules"

urlpatterns = [
    path("parameters/", views.parameter_list, name="parameter_list"),
    path("parameters/proposals/", views.proposal_list, name="proposal_list"),
    path(
        "parameters/proposals/<int:value_id>/<str:verdict>/",
        views.proposal_decide,
        name="proposal_decide",
    ),
    path("parameters/<str:key>/", views.parameter_detail, name="parameter_detail"),
    path("parameters/<str:key>/propose/", views.parameter_propose, name="parameter_propose"),
    path("rules/", views.rule_list, name="rule_list"),
]
