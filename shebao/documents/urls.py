from django.urls import URLPattern, URLResolver, path

from shebao.documents import views

app_name = "documents"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public: what a document certified, by its verification code (no login).
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
    # Staff: issue (each a POST that opens and completes a case), list, show, revoke.
    path(
        "documents/issue/persons/<int:person_id>/certificate/",
        views.personal_certificate,
        name="issue_personal_certificate",
    ),
    path(
        "documents/issue/employers/<int:employer_id>/certificate/",
        views.employer_certificate,
        name="issue_employer_certificate",
    ),
    path(
        "documents/issue/persons/<int:person_id>/statements/<int:year>/",
        views.account_statement,
        name="issue_account_statement",
    ),
    path("documents/issue/bills/<str:number>/", views.bill_document, name="issue_bill"),
    path(
        "documents/issue/pensions/<int:pension_id>/notice/",
        views.retirement_notice,
        name="issue_retirement_notice",
    ),
    path("documents/", views.document_list, name="document_list"),
    path("documents/<str:code>/", views.document_detail, name="document_detail"),
    path("documents/<str:code>/pdf/", views.document_pdf_view, name="document_pdf"),
    path("documents/<str:code>/revoke/", views.document_revoke_view, name="document_revoke"),
]
