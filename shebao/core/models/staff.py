from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.models.agencies import Agency


class UserKind(models.TextChoices):
    """Whose login this is: staff sign in at /login/, portal users on the portal only."""

    STAFF = "staff", _("Staff")
    CITIZEN = "citizen", _("Citizen (portal)")
    EMPLOYER_AGENT = "employer_agent", _("Employer agent (portal)")


class User(AbstractUser):
    """A login. Staff users carry a :class:`Staff` profile; portal users (citizens, employers'
    agents) carry their portal account, and their ``kind`` keeps them out of staff pages, the
    staff login and the API without a query."""

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    kind = models.CharField(
        _("kind of login"), max_length=15, choices=UserKind.choices, default=UserKind.STAFF
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class Action(models.TextChoices):
    """What a role lets its holder do with a service item."""

    ACCEPT = "accept", _("Accept (受理)")
    REVIEW = "review", _("Review (审核)")
    APPROVE = "approve", _("Approve (复核)")
    RUN_BATCH = "run_batch", _("Run batch jobs")
    CONFIGURE = "configure", _("Configure")
    AUDIT = "audit", _("Read the audit log")


class Role(models.Model):
    """A bundle of actions (clerk, reviewer, agency head, fund officer, administrator)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    actions = models.JSONField(_("actions"), default=list)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str | None = None) -> str:
        if language and language.startswith("en"):
            return self.name_en
        return self.name


class Staff(models.Model):
    """A staff member of one agency (经办人员); sees and changes only that agency's subtree."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="staff"
    )
    title = models.CharField(_("post"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["agency__path", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency.code}"


class PermissionClaim(models.Model):
    """Business permission claim (业务权限认领): a role held for a set of service items.

    ``item_scope`` is ``*`` (every item), ``category:<code>`` (a catalogue category such as
    ``category:registration``) or ``item:<code>`` (one service item).
    """

    staff = models.ForeignKey(
        Staff, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="claims"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="claims"
    )
    item_scope = models.CharField(_("service items"), max_length=60, default="*")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("permission claim")
        verbose_name_plural = _("permission claims")
        ordering = ["staff_id", "role__code", "item_scope"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "role", "item_scope"], name="core_claim_unique_per_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role.code}:{self.item_scope}"


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is stored, the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    key_prefix = models.CharField(_("key prefix"), max_length=12)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # What the token may do, within its user's permissions: space-separated "area:read" or
    # "area:write" (write includes read), or "*" for everything the user may do.
    scopes = models.CharField(_("scopes"), max_length=500, default="*")
    # Requests per minute for this client; empty means the API_RATE_LIMIT_PER_MINUTE default.
    rate_limit_per_minute = models.PositiveIntegerField(
        _("rate limit per minute"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"
