"""The counter workbench, the public catalogue page and the statistics selectors."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shebao.services.catalogue import catalogue_load
from shebao.services.models import Case, ServiceItem
from shebao.services.selectors import case_rates, cases_per_day
from shebao.services.services import case_transition
from shebao.services.tests.factories import make_item, open_case, person


def test_catalogue_holds_120_items_63_fully_online(demo):
    assert ServiceItem.objects.count() >= 120
    assert ServiceItem.objects.filter(fully_online=True).count() >= 63


def test_loading_the_catalogue_again_changes_nothing(system):
    report = catalogue_load(actor=system)
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged >= 120


def test_catalogue_page_is_public_and_lists_every_item(client, demo):
    page = client.get("/catalogue/")
    assert page.status_code == 200
    body = page.content.decode()
    for item in ServiceItem.objects.all():
        assert item.code in body


def test_workbench_search_finds_person_by_id_and_shows_open_cases(login, actor_of, demo):
    item = make_item("TST030", review=True)
    case = open_case(actor_of("clerk_maojian"), item, person("张伟"))
    client = login("clerk_maojian")
    by_id = client.post("/workbench/search/", {"q": person("张伟").resident_id}).content.decode()
    assert "张伟" in by_id
    assert case.receipt_no in by_id
    assert person("张伟").resident_id not in by_id  # the ID is shown masked
    other = client.post("/workbench/search/", {"q": "李娜"}).content.decode()
    assert 'data-testid="no-match"' in other  # Zhangwan's person is outside the scope


def test_workbench_starts_a_case_at_the_counter(login, demo):
    item = make_item("TST031", review=True)
    client = login("clerk_maojian")
    form = client.get("/cases/new/", {"person": person("王芳").pk})
    assert item.code in form.content.decode()
    response = client.post(
        "/cases/new/",
        {"person": person("王芳").pk, "item": item.pk, "accept_now": "on", "note": "新入职"},
    )
    assert response.status_code == 302
    case = Case.objects.get(applicant_person__name="王芳", item=item)
    assert (case.status, case.channel, case.data) == ("accepted", "counter", {"note": "新入职"})
    detail = client.get(response["Location"]).content.decode()
    assert case.receipt_no in detail
    receipt = client.get(f"/cases/{case.pk}/receipt/").content.decode()
    assert case.receipt_no in receipt


def test_overdue_cases_are_flagged(login, actor_of, demo):
    item = make_item("TST032", review=True, limit=1)
    case = open_case(actor_of("clerk_maojian"), item, person("张伟"))
    Case.objects.filter(pk=case.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    client = login("clerk_maojian")
    listing = client.get("/cases/", {"overdue": "1"}).content.decode()
    assert case.receipt_no in listing
    assert 'data-testid="overdue"' in listing


def test_statistics_by_channel_and_rates(actor_of, system, demo):
    item = make_item("TST033", review=False, limit=0)
    clerk = actor_of("clerk_maojian")
    today = timezone.localdate()
    zhangwan_before = case_rates(actor_of("clerk_zhangwan"), start=today, end=today).cases
    first = open_case(clerk, item, person("张伟"))
    case_transition(actor=clerk, case=first, action="complete")
    second = open_case(clerk, item, person("王芳"))
    second = case_transition(actor=clerk, case=second, action="return", reason="材料不全")
    second = case_transition(actor=clerk, case=second, action="resubmit")
    second = case_transition(actor=clerk, case=second, action="accept")
    case_transition(actor=clerk, case=second, action="complete")
    per_day = cases_per_day(clerk, start=today, end=today, by="clerk")
    mine = [row for row in per_day if row["clerk"] == "clerk_maojian"]
    assert sum(int(str(row["cases"])) for row in mine) >= 2
    rates = case_rates(clerk, start=today, end=today)
    assert rates.finished >= 2
    assert rates.returned >= 1
    assert rates.one_visit_rate is not None
    assert rates.one_visit_rate < 1
    # Zhangwan's clerk counts none of Maojian's cases.
    assert case_rates(actor_of("clerk_zhangwan"), start=today, end=today).cases == zhangwan_before
