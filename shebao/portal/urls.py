from django.urls import URLPattern, URLResolver, path

from shebao.portal import urls_citizen, urls_employer
from shebao.portal.views import auth, home, staff

app_name = "portal"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", auth.index, name="index"),
    path("login/", auth.citizen_login, name="login"),
    path("login/code/", auth.citizen_login_code, name="login_code"),
    path("activate/", auth.citizen_activate, name="activate"),
    path("activate/code/", auth.citizen_activate_code, name="activate_code"),
    path("employer/login/", auth.agent_login, name="agent_login"),
    path("employer/login/code/", auth.agent_login_code, name="agent_login_code"),
    path("employer/activate/", auth.agent_activate, name="agent_activate"),
    path("employer/activate/code/", auth.agent_activate_code, name="agent_activate_code"),
    path("logout/", auth.portal_logout, name="logout"),
    path("me/", home.citizen_home, name="citizen_home"),
    path("employer/", home.agent_home, name="agent_home"),
    path("staff/kiosks/", staff.kiosks, name="staff_kiosks"),
    *urls_citizen.urlpatterns,
    *urls_employer.urlpatterns,
]
