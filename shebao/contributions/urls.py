from django.urls import path

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
