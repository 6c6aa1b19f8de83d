from django.urls import URLPattern, URLResolver, path

from shebao.portal.views import kiosk, kiosk_services

app_name = "kiosk"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", kiosk.home, name="home"),
    path("activate/<str:key>/", kiosk.activate, name="activate"),
    path("sign-in/", kiosk.sign_in, name="sign_in"),
    path("sign-in/code/", kiosk.sign_in_code, name="sign_in_code"),
    path("menu/", kiosk.menu, name="menu"),
    path("sign-out/", kiosk.sign_out, name="sign_out"),
    path("ticket/", kiosk_services.ticket_choose, name="ticket_choose"),
    path("ticket/green/", kiosk_services.ticket_green, name="ticket_green"),
    path("ticket/<int:ticket_id>/", kiosk_services.ticket, name="ticket"),
    path("check-in/", kiosk_services.check_in, name="check_in"),
    path("me/certificate/", kiosk_services.certificate, name="certificate"),
    path("me/certificate/<str:code>/", kiosk_services.certificate_print, name="certificate_print"),
    path("me/certificate/<str:code>/pdf/", kiosk_services.certificate_pdf, name="certificate_pdf"),
    path("me/account/", kiosk_services.account, name="account"),
    path("me/certify/", kiosk_services.certify, name="certify"),
    path("me/ticket/", kiosk_services.ticket_for_me, name="ticket_for_me"),
]
