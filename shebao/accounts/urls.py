from django.urls import URLPattern, URLResolver

app_name = "accounts"

# The account pages append their patterns here.
urlpatterns: list[URLPattern | URLResolver] = []

# Counter pages: transfer out of the province and into it, account corrections.
from django.urls import path  # noqa: E402 - appended with the pages

from shebao.accounts import views_counter  # noqa: E402

urlpatterns += [
    path(
        "persons/<int:person_id>/transfer-out/",
        views_counter.transfer_out,
        name="transfer_out",
    ),
    path(
        "persons/<int:person_id>/transfer-out/<int:case_id>/",
        views_counter.transfer_out_outcome,
        name="transfer_out_outcome",
    ),
    path("persons/<int:person_id>/transfer-in/", views_counter.transfer_in, name="transfer_in"),
    path(
        "persons/<int:person_id>/transfer-in/<int:case_id>/",
        views_counter.transfer_in_outcome,
        name="transfer_in_outcome",
    ),
    path("persons/<int:person_id>/correction/", views_counter.correction, name="correction"),
    path(
        "persons/<int:person_id>/correction/<int:case_id>/",
        views_counter.correction_outcome,
        name="correction_outcome",
    ),
]

# Account pages: the balance with its year-end balances, and each year's statement.
from shebao.accounts import views  # noqa: E402 - appended with the pages

urlpatterns += [
    path("persons/<int:person_id>/", views.account, name="account"),
    path("persons/<int:person_id>/<int:year>/", views.statement, name="statement"),
    path(
        "persons/<int:person_id>/<int:year>/statement.xlsx",
        views.statement_xlsx,
        name="statement_xlsx",
    ),
]
