"""The employer pages of the portal, included under the portal's namespace by `portal.urls`."""

from django.urls import URLPattern, URLResolver, path

from shebao.portal.views import (
    employer_agents,
    employer_bases,
    employer_batch,
    employer_bills,
    employer_cases,
    employer_documents,
    employer_staff,
    staff_agents,
)

E = "employer/"

urlpatterns: list[URLPattern | URLResolver] = [
    # Staff (在职人员) and single additions and removals.
    path(f"{E}staff/", employer_staff.staff_list, name="employer_staff"),
    path(f"{E}staff/<int:person_id>/", employer_staff.staff_detail, name="employer_staff_detail"),
    path(f"{E}staff/add/", employer_staff.staff_add, name="employer_staff_add"),
    path(f"{E}staff/remove/", employer_staff.staff_remove, name="employer_staff_remove"),
    # Batch from Excel.
    path(f"{E}staff/batch/", employer_batch.batch_upload, name="employer_batch"),
    path(
        f"{E}staff/batch/templates/<str:kind>.xlsx",
        employer_batch.batch_template_download,
        name="employer_batch_template",
    ),
    path(
        f"{E}staff/batch/<str:token>/confirm/",
        employer_batch.batch_confirm,
        name="employer_batch_confirm",
    ),
    path(
        f"{E}staff/batch/<str:token>/errors.xlsx",
        employer_batch.batch_report,
        name="employer_batch_report",
    ),
    # Base declaration.
    path(f"{E}bases/", employer_bases.bases, name="employer_bases"),
    path(f"{E}bases/confirm/", employer_bases.bases_confirm, name="employer_bases_confirm"),
    path(f"{E}bases/template.xlsx", employer_bases.bases_template, name="employer_bases_template"),
    # Bills and payments.
    path(f"{E}bills/", employer_bills.bill_list, name="employer_bills"),
    path(f"{E}bills/bills.xlsx", employer_bills.bill_list_xlsx, name="employer_bills_xlsx"),
    path(f"{E}bills/<str:number>/", employer_bills.bill_detail, name="employer_bill"),
    path(f"{E}bills/<str:number>/bill.xlsx", employer_bills.bill_xlsx, name="employer_bill_xlsx"),
    path(f"{E}bills/<str:number>/pdf/", employer_documents.bill_pdf, name="employer_bill_pdf"),
    # Certificates and documents.
    path(f"{E}documents/", employer_documents.document_list, name="employer_documents"),
    path(
        f"{E}documents/certificate/",
        employer_documents.certificate_issue,
        name="employer_certificate_issue",
    ),
    path(
        f"{E}documents/<str:code>/pdf/",
        employer_documents.document_download,
        name="employer_document_pdf",
    ),
    # Case progress.
    path(f"{E}cases/", employer_cases.case_list, name="employer_cases"),
    path(f"{E}cases/<int:case_id>/", employer_cases.case_detail, name="employer_case"),
    path(
        f"{E}cases/<int:case_id>/submitted/",
        employer_cases.case_submitted,
        name="employer_case_submitted",
    ),
    path(
        f"{E}cases/<int:case_id>/withdraw/",
        employer_cases.case_withdraw,
        name="employer_case_withdraw",
    ),
    path(
        f"{E}cases/<int:case_id>/resubmit/",
        employer_cases.case_resubmit,
        name="employer_case_resubmit",
    ),
    path(
        f"{E}cases/<int:case_id>/materials/",
        employer_cases.case_upload,
        name="employer_case_upload",
    ),
    # Agents.
    path(f"{E}agents/", employer_agents.agent_list, name="employer_agents"),
    path(f"{E}agents/add/", employer_agents.agent_add, name="employer_agent_add"),
    path(
        f"{E}agents/<int:agent_id>/deactivate/",
        employer_agents.agent_deactivate,
        name="employer_agent_deactivate",
    ),
    # Staff side: an employer's portal access, for a clerk with the employer in scope.
    path(
        "staff/employers/<int:employer_id>/agents/", staff_agents.staff_agents, name="staff_agents"
    ),
    path(
        "staff/employers/<int:employer_id>/agents/<int:agent_id>/deactivate/",
        staff_agents.staff_agent_deactivate,
        name="staff_agent_deactivate",
    ),
]
