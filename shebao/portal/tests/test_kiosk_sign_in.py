"""Kiosks: only a registered device shows the kiosk pages; a visitor signs in with the ID
number and a code; an idle visit ends after KIOSK_IDLE_SECONDS on the server."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from shebao.core.errors import RuleViolation
from shebao.core.permissions import acts_for
from shebao.portal.auth import KIOSK_PERSON
from shebao.portal.demo import DEMO_KIOSK_KEY
from shebao.portal.models import Kiosk
from shebao.portal.services import kiosk_register, kiosk_visitor_actor
from shebao.portal.tests.support import last_code
from shebao.registry.demo import demo_person


@pytest.fixture
def kiosk_client(client, demo):
    assert client.get(f"/kiosk/activate/{DEMO_KIOSK_KEY}/").status_code == 302
    return client


def visitor_signs_in(client, name: str = "张伟"):
    person = demo_person(name)
    assert client.post("/kiosk/sign-in/", {"resident_id": person.resident_id}).status_code == 302
    return client.post("/kiosk/sign-in/code/", {"code": last_code(person.phone)})


def test_a_browser_that_is_not_a_registered_kiosk_is_refused(client, demo):
    assert client.get("/kiosk/").status_code == 403
    assert client.get("/kiosk/activate/not-a-key/").status_code == 403


def test_the_activation_link_turns_the_browser_into_the_kiosk(kiosk_client):
    page = kiosk_client.get("/kiosk/")
    assert page.status_code == 200
    assert "茅箭区服务大厅 1号自助一体机" in page.content.decode()
    assert Kiosk.objects.get(code="K01").activated_at is not None


def test_a_visitor_signs_in_with_the_id_number_and_a_code(kiosk_client):
    done = visitor_signs_in(kiosk_client)
    assert done.url == "/kiosk/menu/"
    page = kiosk_client.get("/kiosk/menu/").content.decode()
    assert 'data-testid="kiosk-visitor"' in page
    assert "张伟" in page


def test_a_wrong_code_keeps_the_visitor_out(kiosk_client):
    person = demo_person("张伟")
    kiosk_client.post("/kiosk/sign-in/", {"resident_id": person.resident_id})
    code = last_code(person.phone)
    page = kiosk_client.post(
        "/kiosk/sign-in/code/", {"code": "000000" if code != "000000" else "1"}
    )
    assert page.status_code == 200
    assert KIOSK_PERSON not in kiosk_client.session
    assert kiosk_client.get("/kiosk/menu/").status_code == 302


def test_an_idle_visit_ends_on_the_server(kiosk_client, settings):
    settings.KIOSK_IDLE_SECONDS = 60
    visitor_signs_in(kiosk_client)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30)):
        assert kiosk_client.get("/kiosk/menu/").status_code == 200  # a touch: the clock restarts
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=85)):
        assert kiosk_client.get("/kiosk/menu/").status_code == 200  # 55 s after the last touch
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=150)):
        idle = kiosk_client.get("/kiosk/menu/")
    assert idle.status_code == 302
    assert idle.url == "/kiosk/sign-in/?timeout=1"
    assert KIOSK_PERSON not in kiosk_client.session


def test_signing_out_ends_the_visit(kiosk_client):
    visitor_signs_in(kiosk_client)
    assert kiosk_client.post("/kiosk/sign-out/").status_code == 302
    assert kiosk_client.get("/kiosk/menu/").status_code == 302


def test_each_visitor_gets_a_new_session(kiosk_client):
    visitor_signs_in(kiosk_client, "张伟")
    first = kiosk_client.session.session_key
    kiosk_client.post("/kiosk/sign-out/")
    visitor_signs_in(kiosk_client, "王芳")
    assert kiosk_client.session.session_key != first
    assert "王芳" in kiosk_client.get("/kiosk/menu/").content.decode()


def test_a_kiosk_visitor_acts_for_their_own_record_only(demo):
    kiosk = Kiosk.objects.get(code="K01")
    actor = kiosk_visitor_actor(kiosk, demo_person("张伟").pk)
    assert not actor.is_system
    assert actor.username == f"kiosk-K01:person-{demo_person('张伟').pk}"
    assert acts_for(actor, demo_person("张伟"))
    assert not acts_for(actor, demo_person("王芳"))


def test_registering_a_kiosk_needs_the_configure_right(demo, actor_of, agency):
    with pytest.raises(RuleViolation) as refused:
        kiosk_register(
            actor=actor_of("clerk_maojian"), agency=agency("420302"), code="K9", name="x"
        )
    assert refused.value.code == "CORE-PERMISSION"
    kiosk, key = kiosk_register(
        actor=actor_of("head_maojian"), agency=agency("420302"), code="K02", name="2号机"
    )
    assert kiosk.key_hash != key
    assert len(key) >= 40
