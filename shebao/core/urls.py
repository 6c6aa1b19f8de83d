from django.contrib.auth import views as auth_views
from django.urls import path

from shebao.core import twofactor_views, views
from shebao.core.forms import StaffAuthenticationForm

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html",
            redirect_authenticated_user=True,
            authentication_form=StaffAuthenticationForm,
        ),
        name="login",
    ),
    path("login/two-factor/", twofactor_views.otp_verify, name="otp_verify"),
    path("login/two-factor/enrol/", twofactor_views.otp_enrol, name="otp_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<str:username>/", views.staff_detail, name="staff_detail"),
    path("staff/<str:username>/claims/", views.staff_claim_grant, name="staff_claim_grant"),
    path(
        "staff/<str:username>/claims/<int:claim_id>/revoke/",
        views.staff_claim_revoke,
        name="staff_claim_revoke",
    ),
    path("agencies/", views.agency_list, name="agency_list"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export.xlsx", views.audit_export_xlsx, name="audit_export"),
]
