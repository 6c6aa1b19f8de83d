from django.urls import path

import shebao.contributions.views.counter as counter
import shebao.contributions.views.fund as fund
from shebao.contributions.views import bills, runs

app_name = "contributions"

urlpatterns = [
    path("runs/", runs.run_list, name="run_list"),
    path("runs/<int:run_id>/", runs.run_detail, name="run_detail"),
    path("runs/<int:run_id>/progress/", runs.run_progress, name="run_progress"),
    path("runs/<int:run_id>/resume/", runs.run_resume, name="run_resume"),
    path("employers/<int:employer_id>/bills/", bills.employer_bills, name="employer_bills"),
    path(
        "employers/<int:employer_id>/bills.xlsx",
        bills.employer_bills_xlsx,
        name="employer_bills_xlsx",
    ),
    path("bills/<str:number>/", bills.bill_detail, name="bill_detail"),
    path("bills/<str:number>/bill.xlsx", bills.bill_xlsx, name="bill_xlsx"),
]

# Counter pages: base declaration, flexible base, back-payment and refund.
urlpatterns += [
    path(
        "employers/<int:employer_id>/bases/",
        counter.base_declaration,
        name="base_declaration",
    ),
    path(
        "employers/<int:employer_id>/bases/template.xlsx",
        counter.base_declaration_template,
        name="base_declaration_template",
    ),
    path(
        "employers/<int:employer_id>/bases/<int:case_id>/",
        counter.base_declaration_outcome,
        name="base_declaration_outcome",
    ),
    path("persons/<int:person_id>/flexible-base/", counter.flexible_base, name="flexible_base"),
    path(
        "persons/<int:person_id>/flexible-base/<int:case_id>/",
        counter.flexible_base_outcome,
        name="flexible_base_outcome",
    ),
    path(
        "employers/<int:employer_id>/back-payment/",
        counter.back_payment,
        name="back_payment",
    ),
    path(
        "employers/<int:employer_id>/back-payment/<int:case_id>/",
        counter.back_payment_outcome,
        name="back_payment_outcome",
    ),
    path("employers/<int:employer_id>/refund/", counter.refund, name="refund"),
    path(
        "employers/<int:employer_id>/refund/<int:case_id>/",
        counter.refund_outcome,
        name="refund_outcome",
    ),
]

# The fund officer's pages: exchange with the tax bureau, unmatched payments, reconciliation
# and arrears.
urlpatterns += [
    path("exchange/", fund.exchange, name="exchange"),
    path("exchange/assessments/", fund.exchange_export, name="exchange_export"),
    path("exchange/payments/", fund.payment_import, name="payment_import"),
    path("payments/unmatched/", fund.unmatched, name="unmatched"),
    path(
        "payments/<int:payment_id>/match/",
        fund.unmatched_match,
        name="unmatched_match",
    ),
    path("reconciliation/", fund.reconciliation, name="reconciliation"),
    path("reconciliation.xlsx", fund.reconciliation_xlsx, name="reconciliation_xlsx"),
    path("arrears/", fund.arrears, name="arrears"),
    path("arrears.xlsx", fund.arrears_xlsx, name="arrears_xlsx"),
]
