"""Test support for the two-factor sign-in.

``Client.force_login`` is made to produce a verified session for staff who need a second
factor (the root conftest installs :func:`verified_force_login`), so tests about something else
need not enter a code; the tests of the sign-in itself go through the real login and code
pages. :func:`complete_second_factor` enters the demo authenticator's code on the real page.
"""

from __future__ import annotations

from typing import Any

from django.test.client import ClientMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from shebao.core.demo import DEMO_OTP_KEY, demo_otp_code
from shebao.core.models import User
from shebao.core.twofactor import confirmed_device, otp_required, verified_session

unverified_force_login = ClientMixin.force_login


def demo_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator, one with the demo secret if they have none."""
    device = confirmed_device(user)
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="test authenticator", key=DEMO_OTP_KEY, confirmed=True
        )
    return device


def fresh_demo_code(user: User) -> str:
    """A code the demo authenticator shows now that the server accepts: the replay guard and
    the throttling of earlier sign-ins in the same test are cleared first, so one test may
    sign the same user in several times within 30 seconds."""
    device = demo_device(user)
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    return demo_otp_code(device)


def verified_force_login(self: ClientMixin, user: Any, backend: str | None = None) -> None:
    unverified_force_login(self, user, backend)
    if otp_required(user):
        session = self.session
        verified_session(session, demo_device(user))
        session.save()


def complete_second_factor(client: Any, username: str) -> None:
    """After the password step: enter the code on the real code page, if the user needs one."""
    user = User.objects.get(username=username)
    if not otp_required(user):
        return
    response = client.post("/login/two-factor/", {"token": fresh_demo_code(user)})
    assert response.status_code == 302, f"second factor of {username} refused"
