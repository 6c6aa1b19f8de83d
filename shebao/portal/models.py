"""Portal and kiosk accounts: a citizen's login bound to their person record, an employer's
agents bound to its credit code, the one-time codes sent by SMS, and the registered kiosks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models import Agency
from shebao.registry.models import Employer, Person


class CitizenAccount(models.Model):
    """A citizen's portal login (个人网上服务账户), bound to one person record of the register.

    Opened by the citizen online: their resident ID, name and the phone registered with the
    agency must agree, and a code sent to that phone confirms it. Sign-in asks for the password
    and then a code sent to the phone registered at that moment."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_account"
    )
    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="portal_account"
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen account")
        verbose_name_plural = _("citizen accounts")

    def __str__(self) -> str:
        return f"citizen account of person {self.person_id}"


class EmployerAgent(models.Model):
    """An employer's agent (单位经办人) on the portal; an employer has one or several.

    The first (an administrator of the employer's account) is opened by a clerk at the counter;
    an administrator adds the others online. Each agent activates their own login with a code
    sent to their phone, and signs in with the credit code, their phone and password, then a
    code sent to that phone."""

    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="portal_agents"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employer_agent",
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20)
    is_admin = models.BooleanField(_("manages the agents"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.CharField(_("opened by"), max_length=150)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("employer agent")
        verbose_name_plural = _("employer agents")
        ordering = ["employer_id", "-is_admin", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "phone"], name="portal_agent_phone_once_per_employer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employer_id})"


class CodePurpose(models.TextChoices):
    CITIZEN_ACTIVATION = "citizen_activation", _("Opening a citizen account")
    CITIZEN_LOGIN = "citizen_login", _("Citizen sign-in")
    AGENT_ACTIVATION = "agent_activation", _("Activating an agent's login")
    AGENT_LOGIN = "agent_login", _("Agent sign-in")
    KIOSK_LOGIN = "kiosk_login", _("Kiosk sign-in")


class OneTimeCode(models.Model):
    """A one-time code sent by SMS (短信验证码). Only a salted hash of the code is kept; a code
    is good for a few minutes, a few attempts and one use."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=CodePurpose.choices)
    subject = models.CharField(_("for"), max_length=40)  # "person:12", "agent:5"
    phone_masked = models.CharField(_("sent to"), max_length=20)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["subject", "purpose", "created_at"], name="portal_code_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.subject} {self.created_at:%Y-%m-%d %H:%M}"


class Kiosk(models.Model):
    """A self-service kiosk (自助一体机) in an agency's hall. A staff member registers it and
    opens its activation link once on the device, which then carries the kiosk's key in a
    cookie; only the key's hash is stored."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="kiosks"
    )
    code = models.CharField(_("kiosk number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.CharField(_("registered by"), max_length=150)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["agency__path", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
