"""The citizen pages of the portal, included under the portal's namespace by `portal.urls`."""

from django.urls import URLPattern, URLResolver, path

from shebao.portal.views import citizen_benefits, citizen_records, citizen_services

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/relations/", citizen_records.relations, name="citizen_relations"),
    path("me/contributions/", citizen_records.contributions, name="citizen_contributions"),
    path(
        "me/contributions.xlsx",
        citizen_records.contributions_xlsx,
        name="citizen_contributions_xlsx",
    ),
    path("me/statement/", citizen_records.statement, name="citizen_statement"),
    path(
        "me/statement/<int:year>/pdf/",
        citizen_records.statement_pdf,
        name="citizen_statement_pdf",
    ),
    path("me/certificate/", citizen_records.certificate, name="citizen_certificate"),
    path("me/certificate/pdf/", citizen_records.certificate_pdf, name="citizen_certificate_pdf"),
    path(
        "me/documents/<str:code>/pdf/",
        citizen_records.document_download,
        name="citizen_document_pdf",
    ),
    path("me/retirement/", citizen_benefits.retirement, name="citizen_retirement"),
    path(
        "me/retirement/notice/",
        citizen_benefits.retirement_notice,
        name="citizen_retirement_notice",
    ),
    path("me/certification/", citizen_benefits.certification, name="citizen_certification"),
    path("me/unemployment/", citizen_benefits.unemployment, name="citizen_unemployment"),
    path("me/cases/", citizen_services.cases, name="citizen_cases"),
    path("me/cases/<int:case_id>/", citizen_services.case_detail, name="citizen_case"),
    path(
        "me/cases/<int:case_id>/<str:action>/",
        citizen_services.case_action,
        name="citizen_case_action",
    ),
    path("me/appointments/", citizen_services.appointments, name="citizen_appointments"),
    path(
        "me/appointments/<int:appointment_id>/cancel/",
        citizen_services.appointment_cancel_view,
        name="citizen_appointment_cancel",
    ),
    path("me/home-visit/", citizen_services.home_visit, name="citizen_home_visit"),
]
