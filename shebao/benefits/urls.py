from shebao.benefits.views import (
    adjustment,
    certification,
    death,
    payroll,
    pensions,
    retirement,
    unemployment,
    work_injury,
)

app_name = "benefits"

urlpatterns = [
    *retirement.urlpatterns,
    *pensions.urlpatterns,
    *payroll.urlpatterns,
    *adjustment.urlpatterns,
    *certification.urlpatterns,
    *death.urlpatterns,
    *unemployment.urlpatterns,
    *work_injury.urlpatterns,
]
