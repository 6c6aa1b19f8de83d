from django.urls import URLPattern, URLResolver, path

from shebao.hall.views import board, console, desk

app_name = "hall"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", console.console, name="console"),
    path("waiting/", console.console_waiting, name="console_waiting"),
    path("windows/<int:window_id>/sign-in/", console.sign_in, name="window_sign_in"),
    path("windows/sign-out/", console.sign_out, name="window_sign_out"),
    path("call/", console.call_next, name="call_next"),
    path("tickets/<int:ticket_id>/transfer/", console.transfer, name="ticket_transfer"),
    path("tickets/<int:ticket_id>/case/", console.link_case, name="ticket_case"),
    path("tickets/<int:ticket_id>/slip/", desk.slip, name="slip"),
    path("tickets/<int:ticket_id>/<str:action>/", console.ticket_action, name="ticket_action"),
    path("reception/", desk.reception, name="reception"),
    path("reception/check-in/", desk.check_in, name="check_in"),
    path("overview/", desk.overview, name="overview"),
    path("appointments/", desk.appointments, name="appointments"),
    path("home-visits/", desk.home_visits, name="home_visits"),
    path("home-visits/<int:visit_id>/", desk.home_visit, name="home_visit"),
    path("persons/<int:person_id>/home-visit/", desk.home_visit_new, name="home_visit_new"),
    path("<str:agency_code>/board/", board.board, name="board"),
    path("<str:agency_code>/board/calls/", board.board_calls, name="board_calls"),
]
